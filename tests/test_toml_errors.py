"""Framework and overrides TOML: every error names the file and line, suggests the closest key,
method or code, and checks types before use; files that are not UTF-8 or empty are refused."""

from __future__ import annotations

import pytest

from egov_score import Framework
from egov_score.exceptions import FrameworkError
from egov_score.io.toml import describe_path, did_you_mean, key_lines, read_toml
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry

LEVELS = ("division", "district", "block", "machine")

FW = """\
levels = ["district", "block"]

[[field]]
code = "installed"
level = "block"

[[field]]
code = "inspected"
level = "block"

[[indicator]]
code = "inspection_rate"
numerator = "inspected"
denominator = "installed"
scale = 100
normalise = { method = "goalposts", lower = 0, upper = 100 }
parent = "index"

[[group]]
code = "index"
"""


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` holding ``fragment``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def refused(write, text: str, name: str = "fw.toml") -> str:
    with pytest.raises(FrameworkError) as info:
        Framework.from_toml(write(name, text))
    return str(info.value)


def test_a_valid_framework_still_loads(write):
    fw = Framework.from_toml(write("fw.toml", FW))
    assert fw.indicators["inspection_rate"].normalise.lower == 0


@pytest.mark.parametrize(
    ("old", "new", "fragments", "at"),
    [
        # an unknown table: the table's header line and the closest table name
        (
            "[[field]]",
            "[[feild]]",
            ["got ['feild']", "did you mean 'field'?", "[[feild]]"],
            "feild",
        ),
        # an unknown key inside an inline table
        (
            "lower = 0",
            "lowr = 0",
            [
                "normalise keys must be among",
                "got unknown ['lowr'] for 'inspection_rate'",
                "did you mean 'lower'?",
                "[[indicator]] 'inspection_rate', key 'normalise.lowr'",
            ],
            "lowr",
        ),
        # an unknown key in a table
        (
            "scale = 100",
            "scael = 100",
            ["got unknown ['scael']", "did you mean 'scale'?", "key 'scael'"],
            "scael",
        ),
        # a misspelt method
        (
            '"goalposts"',
            '"goalpost"',
            ["got 'goalpost'", "did you mean 'goalposts'?", "key 'normalise.method'"],
            "goalpost",
        ),
        # a parent that does not exist: the closest group code
        (
            'parent = "index"',
            'parent = "indx"',
            ["parent must name a group; got 'indx'", "did you mean 'index'?", "key 'parent'"],
            "indx",
        ),
        # a field that does not exist: the closest field code
        (
            'numerator = "inspected"',
            'numerator = "inspectd"',
            ["got 'inspectd'", "did you mean 'inspected'?", "key 'numerator'"],
            "inspectd",
        ),
        # a string where a number is expected
        (
            "scale = 100",
            'scale = "100"',
            ["scale must be a finite number; got '100'", "key 'scale'"],
            "scale",
        ),
        # a boolean is not a number
        (
            "scale = 100",
            "scale = true",
            ["scale must be a finite number; got True", "key 'scale'"],
            "scale",
        ),
        # a list where a name is expected
        (
            '"goalposts"',
            '["goalposts"]',
            ["normalise method must be a non-empty string"],
            "goalposts",
        ),
        # a missing required key: the table's line
        (
            'code = "installed"\n',
            "",
            ["field code must be a name", "got None", "[[field]] #1"],
            None,
        ),
    ],
)
def test_errors_name_the_line_and_suggest(write, old, new, fragments, at):
    text = FW.replace(old, new, 1)
    msg = refused(write, text)
    for fragment in fragments:
        assert fragment in msg, msg
    line = line_of(text, at) if at else line_of(text, "[[field]]")
    assert f"fw.toml, line {line}" in msg


def test_unsorted_band_edges_name_the_line(write):
    text = FW + '\n[bands]\nedges = [65, 50, 100]\nlabels = ["a", "b", "c", "d"]\n'
    msg = refused(write, text)
    assert "band edges must be strictly increasing; got [65.0, 50.0, 100.0]" in msg
    assert f"fw.toml, line {line_of(text, 'edges')}, [bands], key 'edges')" in msg


@pytest.mark.parametrize(
    ("bands", "fragment", "at"),
    [
        ('edges = 50\nlabels = ["a", "b"]', "bands edges must be a list; got 50", "edges"),
        ('edges = [50]\nlabels = "a b"', "bands labels must be a list; got 'a b'", "labels"),
        (
            'edges = [50, "x"]\nlabels = ["a", "b", "c"]',
            "band edge must be a finite number",
            "edges",
        ),
        ("edges = [50]\nlabels = [1, 2]", "band labels must be a string; got 1", "labels"),
        (
            'edges = [50]\nlabels = ["a", "b"]\nlabel_hi = []',
            "did you mean 'labels_hi'?",
            "label_hi",
        ),
        ('edges = [50]\nlabels = ["a"]', "bands need one label more than edges", "labels"),
    ],
)
def test_bands_are_type_checked(write, bands, fragment, at):
    text = FW + "\n[bands]\n" + bands + "\n"
    msg = refused(write, text)
    assert fragment in msg, msg
    assert f"fw.toml, line {line_of(text, at)}" in msg, msg


def test_a_table_where_a_list_is_expected(write):
    text = 'levels = ["district"]\n[indicator]\ncode = "x"\n'
    msg = refused(write, text)
    assert "indicator must be an array of tables ([[indicator]]); got {'code': 'x'}" in msg
    assert "fw.toml, line 2, [indicator])" in msg


def test_a_wrong_top_level_type(write):
    msg = refused(write, FW.replace('levels = ["district", "block"]', "levels = 3"))
    assert "levels must be a non-empty list of level names; got 3 (" in msg
    msg = refused(write, 'name = ["x"]\n' + FW)
    assert "name must be a string; got ['x'] for the framework (" in msg
    assert "fw.toml, line 1, key 'name')" in msg


def test_duplicate_codes_name_the_second_table(write):
    text = FW.replace(
        '[[group]]\ncode = "index"',
        '[[group]]\ncode = "inspection_rate"\n[[group]]\ncode = "index"',
    )
    msg = refused(write, text)
    line = [n for n, x in enumerate(text.splitlines(), 1) if 'code = "inspection_rate"' in x][1]
    assert "got 'inspection_rate' twice (" in msg
    assert f"fw.toml, line {line}, [[group]] 'inspection_rate', key 'code')" in msg


def test_a_cycle_names_the_parent_line(write):
    text = FW.replace('parent = "index"', 'parent = "a"') + (
        '[[group]]\ncode = "a"\nparent = "b"\n[[group]]\ncode = "b"\nparent = "a"\n'
    )
    msg = refused(write, text)
    assert "groups must form a tree; got a cycle 'a -> b -> a'" in msg
    line = line_of(text, 'parent = "b"')
    assert f"fw.toml, line {line}, [[group]] 'a', key 'parent')" in msg


def test_a_field_weight_names_the_closest_field(write):
    text = FW.replace(
        'code = "inspected"\nlevel = "block"',
        'code = "inspected"\nlevel = "block"\nrollup = "weighted_mean"\nweight = "instaled"',
    )
    msg = refused(write, text)
    assert "weight must name a declared field; got 'instaled'" in msg
    assert "did you mean 'installed'?" in msg
    assert f"line {line_of(text, 'instaled')}, [[field]] 'inspected', key 'weight')" in msg


# -- files -----------------------------------------------------------------------------------


def test_a_syntax_error_names_line_and_column(write):
    text = FW.replace('code = "installed"', "code = installed")
    msg = refused(write, text)
    assert "framework file must be valid TOML; got invalid value" in msg
    assert f"fw.toml, line {line_of(text, 'code = installed')}, column 8)" in msg


@pytest.mark.parametrize(
    ("encode", "fragments"),
    [
        (
            lambda t: t.encode("cp1252"),
            ["must be UTF-8 text; got byte 0xe9", "Latin-1/cp1252", "line 1, column 10"],
        ),
        (lambda t: t.encode("utf-16"), ["must be UTF-8 text; got UTF-16", "byte-order mark"]),
        (
            lambda t: t.encode("utf-16-le"),
            ["must be UTF-8 text", "UTF-16 without a byte-order mark"],
        ),
    ],
)
def test_a_file_not_utf8_says_how_to_resave(tmp_path, encode, fragments):
    path = tmp_path / "fw.toml"
    path.write_bytes(encode('name = "Pé"\n' + FW))
    with pytest.raises(FrameworkError) as info:
        Framework.from_toml(path)
    msg = str(info.value)
    for fragment in [*fragments, "re-save it as UTF-8", "fw.toml"]:
        assert fragment in msg, msg


def test_a_utf8_bom_is_read(tmp_path):
    path = tmp_path / "fw.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ('name = "Pé"\n' + FW).encode("utf-8"))
    assert Framework.from_toml(path).name == "Pé"


@pytest.mark.parametrize(
    ("text", "got"), [("", "an empty file"), ("  \n# a comment\n", "only comments and blank lines")]
)
def test_an_empty_file_is_refused(write, text, got):
    assert f"a framework file must hold settings; got {got} (" in refused(write, text)


def test_a_folder_is_not_a_framework_file(tmp_path):
    with pytest.raises(FrameworkError, match="framework file must be a readable file"):
        Framework.from_toml(tmp_path)


# -- overrides -------------------------------------------------------------------------------


def overrides_refused(write, text: str) -> str:
    reg = Registry(make_plugin_manager(autoload=False))
    with pytest.raises(FrameworkError) as info:
        reg.framework_from_toml(write("o.toml", text), LEVELS)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "fragments", "at"),
    [
        (
            'schemes = ["emitra"]\nweights = 3\n',
            ["[weights] must be a table of code = number; got 3", "key 'weights'"],
            "weights",
        ),
        (
            'schemes = ["emitra"]\n[weights]\nemitra = "2"\n',
            ["[weights] emitra must be a number; got '2'", "[weights], key 'emitra'"],
            "emitra =",
        ),
        (
            'schemes = ["emitra"]\n[weights]\nemitra = true\n',
            ["[weights] emitra must be a number; got True"],
            "emitra",
        ),
        (
            'schemes = ["emitra"]\n[weights]\nemitr = 2\n',
            ["[weights] must name an active code", "got 'emitr'", "did you mean 'emitra'?"],
            "emitr",
        ),
        (
            'schemes = ["emitra"]\n[weight]\nemitra = 2\n',
            ["override keys must be among", "got ['weight']", "did you mean 'weights'?"],
            "[weight]",
        ),
        (
            'schemes = ["emitra", "pensoin"]\n',
            [
                "active schemes must be among",
                "got ['pensoin']",
                "did you mean 'pension'?",
                "key 'schemes', item 2",
            ],
            "schemes",
        ),
        (
            'schemes = "emitra"\n',
            ["schemes must be a list of scheme codes; got 'emitra'"],
            "schemes",
        ),
        (
            'schemes = [["emitra"]]\n',
            ["active schemes must be among", "got [['emitra']]"],
            "schemes",
        ),
        (
            'schemes = ["emitra"]\nlevels = 4\n',
            ["levels must be a non-empty list of level names; got 4"],
            "levels",
        ),
        (
            'schemes = ["emitra"]\n[targets]\ninspection_rate = [90]\n',
            ["[targets] inspection_rate must be a number; got [90]"],
            "inspection_rate",
        ),
        (
            'schemes = ["emitra"]\n[normalise]\ninspection_rate = 3\n',
            ["must be a method name or a table; got 3"],
            "inspection_rate",
        ),
        # errors found by the framework's rules point back into the overrides file
        (
            'schemes = ["emitra"]\n[weights]\nemitra = -2\n',
            ["weight must be >= 0; got -2.0", "[weights], key 'emitra'"],
            "emitra",
        ),
        (
            'schemes = ["emitra"]\n[normalise]\n'
            'inspection_rate = { method = "goalposts", lowr = 0 }\n',
            [
                "got unknown ['lowr']",
                "did you mean 'lower'?",
                "[normalise], key 'inspection_rate.lowr'",
            ],
            "lowr",
        ),
        (
            'schemes = ["emitra"]\n[aggregate]\nemitra = "geometrc"\n',
            ["got 'geometrc'", "did you mean 'geometric'?"],
            "geometrc",
        ),
        (
            'schemes = ["emitra"]\n[min_coverage]\nindex = 2\n',
            ["min_coverage must be in [0, 1]; got 2.0"],
            "index",
        ),
        (
            'schemes = ["emitra"]\n[bands]\nedges = [65, 50]\nlabels = ["a", "b", "c"]\n',
            ["band edges must be strictly increasing", "[bands], key 'edges'"],
            "edges",
        ),
    ],
)
def test_override_errors_name_the_line(write, text, fragments, at):
    msg = overrides_refused(write, text)
    for fragment in fragments:
        assert fragment in msg, msg
    last = max(n for n, line in enumerate(text.splitlines(), 1) if at in line)
    assert f"o.toml, line {last}," in msg, msg


def test_overrides_without_schemes(write):
    msg = overrides_refused(write, "[weights]\nemitra = 2\n")
    assert "an overrides file must list its schemes (schemes = [...]); got ['weights']" in msg
    assert "o.toml, line 1, [weights])" in msg


def test_override_files_not_utf8_or_empty(tmp_path):
    reg = Registry(make_plugin_manager(autoload=False))
    for raw, fragment in (
        (b"", "got an empty file"),
        ('schemes = ["é"]'.encode("cp1252"), "Latin-1"),
    ):
        (tmp_path / "o.toml").write_bytes(raw)
        with pytest.raises(FrameworkError, match=fragment):
            reg.framework_from_toml(tmp_path / "o.toml", LEVELS)


# -- the helpers -----------------------------------------------------------------------------


def test_key_lines_of_every_kind_of_key():
    text = (
        'a.b = 1\n[x.y]\n"q.z" = { m = """x\ny = 3""", n = [1,\n 2] }  # c\n'
        "[[t]]\nk = 1\n[[t]]\nk = 2\n[[t.s]]\nj = 1\n"
    )
    lines = key_lines(text)
    assert lines[("a", "b")] == 1
    assert lines[("x", "y", "q.z", "m")] == 3
    assert ("x", "y", "q.z", "y") not in lines  # inside a multi-line string
    assert lines[("x", "y", "q.z", "n", 1)] == 5
    assert lines[("t", 1, "k")] == 9
    assert lines[("t", 1, "s", 0, "j")] == 11


def test_describe_and_suggest():
    data = {"indicator": [{"code": "g"}], "weights": {}, "levels": ["a"]}
    assert (
        describe_path(("indicator", 0, "normalise", "lowr"), data)
        == "[[indicator]] 'g', key 'normalise.lowr'"
    )
    assert describe_path(("weights", "x"), data) == "[weights], key 'x'"
    assert describe_path(("levels", 0), data) == "key 'levels', item 1"
    assert did_you_mean("lowr", ["lower", "upper"]) == "; did you mean 'lower'?"
    assert did_you_mean("zzz", ["lower"]) == ""
    assert did_you_mean(3, ["lower"]) == ""


def test_read_toml_returns_data_and_text(write):
    data, text = read_toml(write("fw.toml", FW))
    assert data["levels"] == ["district", "block"]
    assert text == FW


# -- found by a red-team review: numbers too large for a float, deep nesting, scheme lists ------

HUGE = "1" + "0" * 400


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("scale = 100", f"scale = {HUGE}", "scale"),
        ("lower = 0", f"lower = -{HUGE}", "lower"),
        ('code = "index"', f'code = "index"\nweight = {HUGE}', "weight"),
    ],
)
def test_an_integer_too_large_for_a_float_is_refused_with_its_line(write, old, new, key):
    text = FW.replace(old, new)
    msg = refused(write, text)
    assert f"must be a finite number; got {'-' if key == 'lower' else ''}{HUGE}" in msg
    assert f"fw.toml, line {line_of(text, HUGE)}" in msg


def test_deeply_nested_toml_is_refused_not_a_recursion_error(write):
    msg = refused(write, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "must be valid TOML of sensible depth" in msg
    assert "fw.toml" in msg


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            'schemes = ["emitra", "emitra"]\n',
            ["active schemes must be listed once each; got 'emitra' twice", "line 1"],
        ),
        ("schemes = []\n", ["schemes must list at least one of [", "got []", "line 1"]),
        (
            f'schemes = ["emitra", "pension"]\n[weights]\nemitra = {HUGE}\n',
            [f"[weights] emitra must be a number; got {HUGE}", "line 3"],
        ),
    ],
)
def test_overrides_scheme_lists_and_huge_weights(write, text, fragments):
    msg = overrides_refused(write, text)
    for fragment in fragments:
        assert fragment in msg
