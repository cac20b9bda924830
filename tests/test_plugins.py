"""The hook system, the registry and the built-in scheme plugins."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import FrameworkError, InputError, PluginError
from egov_score.kernels.normalise import Normalised
from egov_score.plugins import hookspecs
from egov_score.plugins.manager import DEFAULT_PLUGINS, make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.plugins.scheme import Column, Scheme, TableSpec
from egov_score.plugins.section import Msg, Name
from egov_score.plugins.testing import check_plugin

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("division", "district", "block", "machine")
BUILTINS = [importlib.import_module(m) for m in DEFAULT_PLUGINS]
PENSION = Registry(make_plugin_manager(autoload=False)).schemes["pension"]
#: The built-in plugins' sample tables and the units they refer to, as the schemes declare them.
SAMPLES = PENSION.samples["pension"].parent
SAMPLE_UNITS = PENSION.sample_units


def registry(*plugins, builtins=True):
    return Registry(make_plugin_manager(plugins, autoload=False, builtins=builtins))


def sample_tables(reg, only=None):
    tables = reg.read_tables(SAMPLES)
    return {k: v for k, v in tables.items() if only is None or k in only}


def run(reg=None, only=None, drop=False, tables=None):
    reg = reg or registry()
    tables = tables if tables is not None else sample_tables(reg, only)
    fw = reg.framework(LEVELS, active=list(tables))
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, fw.levels)
    job = eg.Pipeline.build(fw, h, registry=reg, tables=tables, drop_bad_rows=drop)
    return job.score("2021-01")


# -- the hook system ----------------------------------------------------------------------------


def test_every_hook_is_documented():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    hooks = [n for n in dir(hookspecs) if n.startswith("egov_score_")]
    assert len(hooks) == 10  # egov_score_locations (issue 12, maps) is the tenth
    for name in hooks:
        assert f"`{name}`" in docs, name
        assert getattr(hookspecs, name).__doc__.strip()


def test_builtins_are_registered_like_third_party_plugins():
    reg = registry()
    assert reg.plugin_names == ("emitra", "pension", "housing", "nrega", "slwm", "sampark")
    assert list(reg.schemes) == ["emitra", "pension", "housing", "nrega", "slwm", "sampark"]
    assert {i.package for i in reg.describe()} == {"egov-score"}


def test_no_global_state_two_registries_differ():
    a, b = registry(), Registry(make_plugin_manager(block=["pension"], autoload=False))
    assert "pension" in a.schemes
    assert "pension" not in b.schemes
    assert "pension" not in b.plugin_names


@pytest.mark.parametrize("plugin", BUILTINS, ids=[m.__name__ for m in BUILTINS])
def test_builtin_plugins_conform(plugin):
    assert check_plugin(plugin) == [plugin.CODE]


def test_misspelled_hook_is_an_error():
    class Typo:
        @eg.hookimpl
        def egov_score_scheme(self):  # missing 's'
            return []

    with pytest.raises(PluginError, match="unknown hook"):
        make_plugin_manager([Typo()], autoload=False)


def _scheme(code, field="x", indicator="x_rate"):
    return Scheme(
        code=code,
        name=code,
        name_hi="योजना",
        tables=(
            TableSpec(
                name=f"{code}_t",
                level="block",
                columns=(Column(name="code", kind="code"), Column(name="x", kind="count")),
            ),
        ),
        fields=(eg.Field(code=field, level="block"),),
        indicators=(eg.Indicator(code=indicator, field=field, parent=code, name_hi="दर"),),
    )


class Declares:
    def __init__(self, *schemes, columns=None, fail=False):
        self.schemes = schemes
        self.columns = columns
        self.fail = fail

    @eg.hookimpl
    def egov_score_schemes(self):
        return self.schemes

    @eg.hookimpl
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        if scheme.code not in [s.code for s in self.schemes]:
            return None
        if self.fail:
            raise RuntimeError("database unreachable")
        return self.columns(hierarchy) if self.columns else None


def test_duplicate_scheme_names_both_plugins():
    with pytest.raises(PluginError, match=r"'pension' is declared by plugins 'pension' and '\w+"):
        registry(Declares(_scheme("pension", field="p1", indicator="p1r")))


def test_duplicate_field_names_both_plugins():
    with pytest.raises(
        PluginError,
        match=r"'pensioners' is declared by plugin 'pension' "
        r"\(scheme 'pension'\) and plugin",
    ):
        registry(Declares(_scheme("other", field="pensioners")))


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (lambda h: {"x": np.zeros(3), "y": np.zeros(4)}, r"undeclared \['y'\]"),
        (lambda h: {"x": np.zeros(3)}, r"field 'x' must have shape \(4,\)"),
        (lambda h: {"x": np.array(["a"] * 4)}, r"field 'x' must be numeric"),
        (lambda h: {"x": np.full(4, np.inf)}, r"field 'x': must be finite or NaN"),
    ],
)
def test_misbehaving_loader_names_plugin_hook_and_fault(columns, match, write):
    plugin = Declares(_scheme("water"), columns=columns)
    reg = registry(plugin, builtins=False)
    table = eg.Table.from_csv(write("water_t.csv", "code,x\nB-0574,3\n"))
    with pytest.raises(
        PluginError,
        match=r"plugin '\w+', hook 'egov_score_load_scheme', "
        r"scheme 'water': .*" + match,
    ):
        run(reg, tables={"water": {"water_t": table}})


def test_failing_plugin_is_named(write):
    reg = registry(Declares(_scheme("water"), fail=True), builtins=False)
    table = eg.Table.from_csv(write("water_t.csv", "code,x\nB-0574,3\n"))
    with pytest.raises(
        PluginError,
        match=r"failed in hook 'egov_score_load_scheme': "
        r"RuntimeError\('database unreachable'\)",
    ):
        run(reg, tables={"water": {"water_t": table}})


# -- hook order: pluggy's -----------------------------------------------------------------------


class LoadsPension:
    """A third-party loader of the built-in pension scheme: every field is ``value``."""

    def __init__(self, value):
        self.value = value

    def columns(self, scheme, hierarchy):
        if scheme.code != "pension":
            return None
        return {f.code: np.full(len(hierarchy.level(f.level)), self.value) for f in scheme.fields}


class FirstPension(LoadsPension):
    @eg.hookimpl(tryfirst=True)
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        return self.columns(scheme, hierarchy)


class PlainPension(LoadsPension):
    @eg.hookimpl
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        return self.columns(scheme, hierarchy)


class LastPension(LoadsPension):
    @eg.hookimpl(trylast=True)
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        return self.columns(scheme, hierarchy)


def pensioners(reg):
    """The ``pensioners`` block column of a scored run of the pension samples."""
    result = run(reg, only=["pension"])
    return result.levels[LEVELS.index("block")].fields["pensioners"]


BUILTIN_PENSIONERS = pensioners(registry())


@pytest.mark.parametrize(
    ("plugins", "expected"),
    [
        # tryfirst is called before every plain implementation: it overrides the built-in.
        ([FirstPension(7.0)], 7.0),
        # pluggy calls plain implementations last-registered first, and third-party plugins are
        # registered after the built-ins: a plain one overrides the built-in too.
        ([PlainPension(5.0)], 5.0),
        ([PlainPension(5.0), PlainPension(6.0)], 6.0),
        # tryfirst wins over a plain one, even one registered after it.
        ([FirstPension(7.0), PlainPension(5.0)], 7.0),
        # trylast is called after the built-in, which answers first.
        ([LastPension(3.0)], None),
    ],
    ids=["tryfirst", "plain", "two-plain", "tryfirst-then-plain", "trylast"],
)
def test_scheme_loader_follows_pluggys_call_order(plugins, expected):
    reg = registry(*plugins)
    got = pensioners(reg)
    if expected is None:
        np.testing.assert_array_equal(got, BUILTIN_PENSIONERS)
    else:
        assert not np.array_equal(BUILTIN_PENSIONERS, np.full_like(got, expected))
        np.testing.assert_array_equal(got, np.full_like(got, expected))
    # the same answer pluggy itself gives
    hierarchy = eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)
    tables = {name: eg.Table.from_csv(path) for name, path in PENSION.samples.items()}
    direct = reg.pm.hook.egov_score_load_scheme(scheme=PENSION, tables=tables, hierarchy=hierarchy)
    assert direct is not None
    np.testing.assert_array_equal(got, direct["pensioners"])


def test_collect_all_hooks_combine_in_registration_order():
    class FirstWater(Declares):
        @eg.hookimpl(tryfirst=True)
        def egov_score_schemes(self):
            return self.schemes

    reg = registry(FirstWater(_scheme("water")))
    assert list(reg.schemes) == [
        "emitra",
        "pension",
        "housing",
        "nrega",
        "slwm",
        "sampark",
        "water",
    ]


class NewStyleWrapper:
    @eg.hookimpl(wrapper=True)
    def egov_score_normalisers(self):
        return (yield)


class OldStyleWrapper:
    @eg.hookimpl(hookwrapper=True)
    def egov_score_schemes(self):
        yield


@pytest.mark.parametrize(
    ("plugin", "hook", "style"),
    [
        (NewStyleWrapper(), "egov_score_normalisers", "wrapper=True"),
        (OldStyleWrapper(), "egov_score_schemes", "hookwrapper=True"),
    ],
    ids=["wrapper", "hookwrapper"],
)
def test_hook_wrappers_are_refused_naming_plugin_and_hook(plugin, hook, style):
    pm = make_plugin_manager(autoload=False)
    pm.register(plugin, name="wrapping")
    with pytest.raises(
        PluginError,
        match=rf"plugin 'wrapping', hook '{hook}': hook wrappers are not supported.*; got {style}",
    ):
        Registry(pm)


def test_hook_wrapper_registered_later_is_refused_when_called():
    class WrapsLoader:
        @eg.hookimpl(wrapper=True)
        def egov_score_load_scheme(self, scheme, tables, hierarchy):
            return (yield)

    reg = registry()
    reg.pm.register(WrapsLoader(), name="late")
    with pytest.raises(
        PluginError, match=r"plugin 'late', hook 'egov_score_load_scheme': hook wrappers"
    ):
        run(reg, only=["pension"])


def test_contributed_methods_usable_from_toml(write):
    def floor_50(values, groups, n_groups, direction, floor=50.0):
        return Normalised(np.maximum(values * direction, floor), np.zeros(0, dtype=np.intp))

    def best_of(scores, weights):
        return np.nanmax(scores, axis=1)

    class Methods:
        @eg.hookimpl
        def egov_score_normalisers(self):
            return {"floor": floor_50}

        @eg.hookimpl
        def egov_score_aggregators(self):
            return {"best": best_of}

    reg = registry(Methods())
    path = write(
        "fw.toml",
        """
        schemes = ["pension"]
        [normalise]
        verification_rate = { method = "floor", floor = 95 }
        [aggregate]
        pension = { method = "best" }
        """,
    )
    fw = reg.framework_from_toml(path, LEVELS)
    assert fw.indicators["verification_rate"].normalise.params == {"floor": 95}
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, fw.levels)
    job = eg.Pipeline.build(fw, h, registry=reg, tables=sample_tables(reg, ["pension"]))
    r = job.score("2021-01")
    blocks = r.level("block")
    # B-0574 verified 3950 of 4200 = 94.05 %, floored to 95; 'best' takes the highest child.
    assert blocks.normalised["verification_rate"][0] == 95.0
    expected = np.nanmax(np.column_stack(list(blocks.normalised.values())), axis=1)
    np.testing.assert_allclose(blocks.groups["pension"], expected)


def test_duplicate_method_name_is_an_error():
    class Clash:
        @eg.hookimpl
        def egov_score_normalisers(self):
            return {"minmax": lambda *a: None}

    with pytest.raises(
        PluginError,
        match=r"'minmax' from plugin '\w+' is already provided by "
        r"'egov_score \(built in\)'",
    ):
        registry(Clash())


# -- the framework from schemes -----------------------------------------------------------------


def test_framework_from_scheme_defaults_and_overrides(write):
    reg = registry()
    fw = reg.framework(LEVELS)
    assert fw.children("index") == ("emitra", "pension", "housing", "nrega", "slwm", "sampark")
    assert fw.groups["emitra"].weight == 2.0
    assert fw.groups["pension"].name_hi == "सामाजिक सुरक्षा पेंशन"
    path = write(
        "o.toml",
        """
        schemes = ["emitra", "pension"]
        [weights]
        pension = 3
        geotag_rate = 0
        [targets]
        inspection_rate = 90
        [min_coverage]
        index = 1.0
        """,
    )
    fw = reg.framework_from_toml(path, LEVELS)
    assert fw.children("index") == ("emitra", "pension")
    assert fw.groups["pension"].weight == 3
    assert fw.indicators["geotag_rate"].weight == 0
    assert fw.indicators["inspection_rate"].target == 90
    assert fw.groups["index"].min_coverage == 1.0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('schemes = ["emitra", "water"]\n', r"active schemes must be among .*; got \['water'\]"),
        ('schemes = ["emitra"]\n[weights]\npension = 2\n', r"\[weights\] must name an active code"),
        ('schemes = ["emitra"]\n[weight]\nemitra = 2\n', r"override keys must be among"),
        ('schemes = ["emitra"]\n[weights]\nemitra = -2\n', r"weight must be >= 0; got -2.0"),
    ],
)
def test_override_errors(write, text, match):
    with pytest.raises(FrameworkError, match=match):
        registry().framework_from_toml(write("o.toml", text), LEVELS)


# -- known answers on the sample tables, by hand -----------------------------------------------


def test_emitra_known_answers():
    d = run(only=["emitra"]).level("district")
    alwar, dausa = 0, 1
    ind = d.indicators
    # Alwar: machines M-0001..M-0005, all allotted and installed, all inspected.
    assert ind["installation_rate"][alwar] == 100.0
    assert ind["inspection_rate"][alwar] == 100.0
    assert ind["geotag_rate"][alwar] == 80.0  # M-0004 not geo-tagged
    assert ind["transacting_rate"][alwar] == 100.0
    assert ind["transactions_per_machine"][alwar] == (51 + 22 + 97 + 4 + 30) / 5
    assert ind["nodal_coverage"][alwar] == 100.0
    assert ind["display_compliance"][alwar] == 60.0  # M-0002 lists no services, M-0004 nothing
    assert ind["rgsk_utilisation"][alwar] == 100.0  # M-0003 in an RGSK, transacting
    # Dausa: M-0006..M-0010; M-0010 allotted but not installed.
    assert ind["installation_rate"][dausa] == 80.0
    assert ind["inspection_rate"][dausa] == 75.0  # 3 (M-0006, -0008, -0009) of 4 installed
    assert ind["geotag_rate"][dausa] == 100.0
    assert ind["transacting_rate"][dausa] == 75.0  # M-0007 had no transaction
    assert ind["transactions_per_machine"][dausa] == (36 + 0 + 15 + 21) / 4
    assert ind["nodal_coverage"][dausa] == 75.0  # M-0008 has none
    assert ind["display_compliance"][dausa] == 75.0  # M-0008 shows no hours
    assert ind["rgsk_utilisation"][dausa] == 100.0  # M-0009


def test_pension_known_answers():
    r = run(only=["pension"])
    b, d = r.level("block").indicators, r.level("district").indicators
    assert b["verification_rate"][0] == pytest.approx(3950 / 4200 * 100)
    assert b["emitra_verification_share"][0] == pytest.approx(3100 / 3950 * 100)
    assert b["aadhaar_seeding_rate"][0] == pytest.approx(4150 / 4200 * 100)
    assert b["timely_payment_rate"][0] == pytest.approx(4010 / 4200 * 100)
    assert d["verification_rate"][0] == pytest.approx((3950 + 3300) / (4200 + 3900) * 100)


def test_housing_known_answers():
    r = run(only=["housing"])
    b, d = r.level("block").indicators, r.level("district").indicators
    assert b["completion_rate"][1] == pytest.approx(420 / 760 * 100)
    assert b["sanction_rate"][1] == pytest.approx(700 / 760 * 100)
    assert b["stage_geotag_compliance"][1] == pytest.approx(640 / 700 * 100)
    assert d["completion_rate"][1] == pytest.approx((500 + 390) / (650 + 700) * 100)


def test_nrega_known_answers():
    r = run(only=["nrega"])
    b, d = r.level("block"), r.level("district")
    assert b.indicators["labour_budget_achievement"][0] == pytest.approx(468000 / 520000 * 100)
    assert b.indicators["work_completion_rate"][0] == pytest.approx(980 / 1450 * 100)
    assert b.indicators["hh_100_days_share"][0] == pytest.approx(1250 / 9800 * 100)
    assert b.indicators["avg_days_per_household"][0] == pytest.approx(468000 / 9800)
    # wages paid in 15 days roll up weighted by muster rolls: (96.5*3100 + 88*2700) / 5800
    assert d.indicators["timely_wages"][0] == pytest.approx((96.5 * 3100 + 88.0 * 2700) / 5800)
    # target normalisation: (x - min) / (100 - min) among the four blocks
    x = np.array([468000 / 520000, 360000 / 480000, 389500 / 410000, 315000 / 450000]) * 100
    np.testing.assert_allclose(
        b.normalised["labour_budget_achievement"], (x - x.min()) / (100 - x.min()) * 100
    )


def test_slwm_known_answers():
    r = run(only=["slwm"])
    b = r.level("block").indicators
    assert b["swm_coverage"][0] == pytest.approx(96 / 180 * 100)
    assert b["lwm_coverage"][0] == pytest.approx(71 / 180 * 100)
    assert b["odf_plus_share"][0] == pytest.approx((40 + 22 + 9) / 180 * 100)
    assert b["odf_model_share"][0] == pytest.approx(9 / 180 * 100)


def test_sampark_known_answers():
    r = run(only=["sampark"])
    b, d = r.level("block"), r.level("district")
    assert b.indicators["disposal_rate"][0] == pytest.approx(380 / 412 * 100)
    assert b.indicators["timely_disposal_rate"][0] == pytest.approx(341 / 380 * 100)
    assert b.indicators["pending_over_30_share"][0] == pytest.approx(12 / 412 * 100)
    assert b.indicators["satisfaction_rate"][0] == pytest.approx(198 / 240 * 100)
    days = (9.5 * 380 + 16.2 * 301) / (380 + 301)
    assert d.indicators["disposal_days"][0] == pytest.approx(days)
    # lower is better, goalposts 0-60 days
    assert d.normalised["disposal_days"][0] == pytest.approx((60 - days) / 60 * 100)
    assert b.normalised["pending_over_30_share"][0] == pytest.approx(100 - 12 / 412 * 100)


# -- bad raw tables -----------------------------------------------------------------------------

BAD_MACHINES = """\
code,period,allotted,installed,inspected,geotagged,latitude,longitude,transactions,services,location,nodal_officer,hours_displayed,services_displayed
M-0001,2021-01,1,1,1,1,27.7,76.3,51,32,gp,1,1,1
M-0002,2021-01,1,0,1,0,,,22,28,gp,1,1,0
M-9999,2021-01,1,1,1,0,,,5,10,gp,1,1,1
M-0004,2021-01,1,1,1,1,51.5,-0.12,-4,12,gp,1,0,0
M-0005,2021-01,1,1,1,1,27.8,76.2,30,30,gp,1,1,1
"""


def test_every_problem_reported_together_and_nothing_scored(tmp_path):
    (tmp_path / "emitra_machines.csv").write_text(BAD_MACHINES, encoding="utf-8")
    (tmp_path / "sampark.csv").write_text(
        "code,period,registered,disposed,disposed_in_time,pending_over_30,avg_disposal_days,"
        "feedback,satisfied\nB-0574,2021-01,100,120,90,1,5,10,9\n",
        encoding="utf-8",
    )
    (tmp_path / "nrega.csv").write_text(
        (SAMPLES / "nrega.csv").read_text().replace("96.5", "106.5"), encoding="utf-8"
    )
    reg = registry()
    tables = reg.read_tables(tmp_path)
    with pytest.raises(InputError) as info:
        run(reg, tables=tables)
    msg = str(info.value)
    for expected in [
        r"emitra_machines.csv, row 3, column 'inspected': must not exceed 'installed' \(0\); "
        r"got '1'",
        r"row 4, column 'code': must be the code of a 'machine' unit; got 'M-9999'",
        r"row 5, column 'transactions': must be a whole number >= 0; got '-4'",
        r"sampark.csv, row 2, column 'disposed': must not exceed 'registered' \(100\); got '120'",
        r"nrega.csv, row 2, column 'wages_in_15_days': a percentage must lie in \[0, 100\]",
    ]:
        assert re.search(expected, msg), expected
    # London's coordinates on row 5 are a geo-tag reason in the action lists, not an error.
    assert "column 'latitude'" not in msg
    assert "column 'longitude'" not in msg


def test_missing_column_is_reported(tmp_path):
    text = (SAMPLES / "pension.csv").read_text().replace("paid_on_time", "paid")
    (tmp_path / "pension.csv").write_text(text, encoding="utf-8")
    reg = registry()
    with pytest.raises(
        InputError,
        match=r"pension.csv, column 'paid_on_time': the column is "
        r"required",
    ):
        run(reg, tables=reg.read_tables(tmp_path))


def test_drop_bad_rows_lists_them(tmp_path):
    # Only the offending cells are set aside (issue 13): a bad unit code drops its row, any
    # other bad cell becomes missing and the rest of its row is scored.
    (tmp_path / "emitra_machines.csv").write_text(BAD_MACHINES, encoding="utf-8")
    reg = registry()
    r = run(reg, tables=reg.read_tables(tmp_path), drop=True)
    dropped = r.diagnostics_of("dropped_rows")
    assert len(dropped) == 1
    assert dropped[0].message.endswith(
        "emitra_machines.csv: 3 cells rejected (1 rows dropped: their unit or period is "
        "unusable); see rejects.csv"
    )
    assert [(p.row, p.column) for p in r.rejected] == [
        (3, "inspected"),
        (4, "code"),
        (5, "transactions"),
    ]
    assert r.rejected[1].value == "M-9999"
    machines = r.level("machine")
    kept = ~np.isnan(machines.fields["installed"])
    assert machines.codes[kept].tolist() == ["M-0001", "M-0002", "M-0004", "M-0005"]


def test_geotagged_without_coordinates_is_a_plugin_problem(write):
    t = eg.Table.from_csv(write("emitra_machines.csv", BAD_MACHINES.replace("27.7,76.3", ",")))
    reg = registry()
    problems = reg.check(
        reg.schemes["emitra"], "emitra_machines", t, eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)
    )
    assert any(
        p.rule == "a geo-tagged machine needs latitude and longitude" and p.row == 2
        for p in problems
    )


# -- a third-party package ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def water_site(tmp_path_factory):
    """The example plugin pip-installed into a folder put on PYTHONPATH (offline build)."""
    target = tmp_path_factory.mktemp("site")
    src = tmp_path_factory.mktemp("src") / "plugin-water"
    shutil.copytree(ROOT / "examples" / "plugin-water", src)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    return target


def cli(site, *args, env_extra=None):
    import os

    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("EGOV_SCORE_DISABLE_PLUGIN_AUTOLOAD", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "egov_score.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_installed_plugin_is_listed_and_scores(water_site, tmp_path):
    out = cli(water_site, "plugins")
    assert out.returncode == 0, out.stderr
    assert re.search(r"water\s+egov-score-water\s+0\.1\.0\s+water", out.stdout)
    samples = water_site / "egov_score_water" / "samples"
    out = cli(
        water_site,
        "score",
        "--units",
        str(samples / "units.csv"),
        "--scheme-data",
        str(samples),
        "--out",
        str(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    blocks = (tmp_path / "block.csv").read_text(encoding="utf-8")
    assert "tap_coverage" in blocks.splitlines()[0]
    assert "B-0591" in blocks


def test_installed_plugin_can_be_blocked(water_site):
    out = cli(water_site, "plugins", "--block", "water")
    assert out.returncode == 0
    assert "water" not in out.stdout
    out = cli(water_site, "plugins", env_extra={"EGOV_SCORE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert out.returncode == 0
    assert "water" not in out.stdout
    assert "emitra" in out.stdout


def test_cli_scores_scheme_data(tmp_path, capsys):
    from egov_score.cli import main

    assert (
        main(
            [
                "score",
                "--units",
                str(SAMPLE_UNITS),
                "--scheme-data",
                str(SAMPLES),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    header = (tmp_path / "district.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[8:15] == ["emitra", "pension", "housing", "nrega", "slwm", "sampark", "index"]
    assert "Alwar" in capsys.readouterr().out


def test_scheme_specific_checks(write):
    reg = registry()
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)
    slwm = eg.Table.from_csv(
        write(
            "slwm.csv",
            (SAMPLES / "slwm.csv")
            .read_text()
            .replace("B-0592,2021-01,140,45,30,18,6,1", "B-0592,2021-01,140,45,30,90,40,20"),
        )
    )
    problems = reg.check(reg.schemes["slwm"], "slwm", slwm, h)
    assert [(p.row, p.value) for p in problems] == [(5, "150")]
    assert "aspiring + rising + model must not exceed 'villages'" in str(problems[0])
    sampark = eg.Table.from_csv(
        write("sampark.csv", (SAMPLES / "sampark.csv").read_text().replace(",9.5,", ",-9.5,"))
    )
    problems = reg.check(reg.schemes["sampark"], "sampark", sampark, h)
    assert [str(p) for p in problems] == [
        f"{sampark.source}, row 2, column 'avg_disposal_days': days must be >= 0; got '-9.5'"
    ]


def test_scheme_tables_from_excel(tmp_path):
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    with open(SAMPLES / "pension.csv", encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh)):
            book.active.append(row if n == 0 else [*row[:2], *map(int, row[2:])])
    book.save(tmp_path / "pension.xlsx")
    reg = registry()
    tables = reg.read_tables(tmp_path)
    assert list(tables) == ["pension"]
    r = run(reg, tables=tables)
    assert r.level("block").indicators["verification_rate"][0] == pytest.approx(3950 / 4200 * 100)
    (tmp_path / "pension.csv").write_text((SAMPLES / "pension.csv").read_text(), encoding="utf-8")
    with pytest.raises(InputError, match="must come from one file"):
        reg.read_tables(tmp_path)


def test_installed_plugin_passes_its_own_conformance_check(water_site):
    import os

    code = "import egov_score_water as w; from egov_score.plugins.testing import check_plugin; "
    code += "print(check_plugin(w))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(water_site)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['water']"


class _WrongRecords:
    """A plugin whose collect-all hooks return things that are not the hooks' records."""

    @eg.hookimpl
    def egov_score_check_table(self, scheme, name, table, hierarchy):
        return ["row 2 is bad"]

    @eg.hookimpl
    def egov_score_review_sections(self, result, hierarchy):
        return [("a title", "a row")]


def test_hooks_returning_the_wrong_records_name_plugin_and_hook():
    reg = registry(_WrongRecords())
    with pytest.raises(
        PluginError, match=r"hook 'egov_score_check_table': must return Problem records; got str"
    ):
        run(reg, only=["pension"])
    result = run(only=["pension"])
    hierarchy = eg.Hierarchy.from_csv(SAMPLE_UNITS, result.framework.levels)
    with pytest.raises(
        PluginError,
        match=r"hook 'egov_score_review_sections': must return Section records; got tuple",
    ):
        reg.review_sections(result, hierarchy)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: eg.Section(key="x.s", title="t", header=("a",), rows=((object(),),)),
            r"section 'x.s': every cell must be text, a Msg or a Name; got object",
        ),
        (
            lambda: eg.Section(key="x.s", title="t", header=(3,), rows=()),
            r"section 'x.s': every cell must be text, a Msg or a Name; got int 3",
        ),
        (
            lambda: eg.Section(key="x.s", title=None, header=("a",), rows=()),
            r"section 'x.s': title must be a message id \(text\); got None",
        ),
        (lambda: Msg((1,)), r"a Msg's ids must be a tuple of message ids; got \(1,\)"),
        (lambda: Name(None), r"a Name's name and name_hi must be text; got None, ''"),
    ],
)
def test_a_section_of_odd_cells_is_refused_when_built(make, match):
    # red-team finding: an object() cell reached the Markdown renderer as an AttributeError
    with pytest.raises(PluginError, match=match):
        make()
