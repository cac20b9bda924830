"""Geo-tag reasons in the e-Mitra action lists (issue 11): every geo check a known answer,
boundaries from ``run_review(boundaries=)`` and ``review --boundaries``, and out-of-India
coordinates as a reason rather than an error."""

from __future__ import annotations

import csv
import io
import json

import pytest

from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.kernels.geo import GeoSettings
from egov_score.render.review_run import run_review

UNITS = """level,code,name,parent
division,DIV,Division,
district,D-1,North,DIV
district,D-2,South,DIV
block,B-1,Alpha,D-1
block,B-2,Beta,D-2
"""
#: Clean machines of block B-1, ~200 m apart, 4 decimals: never suspect.
CLEAN = {f"M-OK{i}": (f"27.50{i}3", f"76.50{i}7") for i in range(6)}
#: Each machine fails exactly the check named (both duplicates share one place).
BROKEN = {
    "M-ZERO": ("0", "0", "geotag_zero"),
    "M-SWAP": ("76.5012", "27.5034", "geotag_swapped"),
    "M-LONDON": ("51.5074", "-0.1278", "geotag_outside_india"),
    "M-COARSE": ("27.51", "76.5123", "geotag_imprecise"),
    "M-FAR": ("27.8012", "76.5034", "geotag_far_from_block"),
    "M-DUP1": ("27.5301", "76.5301", "geotag_duplicate"),
    "M-DUP2": ("27.5301", "76.5301", "geotag_duplicate"),
}
#: Not geo-tagged (flag 0) with bad coordinates: "not geo-tagged", never "suspect".
UNTAGGED = "M-UNTAG"
HEADER = (
    "code,period,allotted,installed,inspected,geotagged,latitude,longitude,transactions,"
    "location,nodal_officer,hours_displayed,services_displayed"
)


def _units(machines: list[str]) -> str:
    return UNITS + "".join(f"machine,{m},GP {m},B-1\n" for m in machines)


def _row(code: str, lat: str, lon: str, tagged: str = "1") -> str:
    return f"{code},2021-01,1,1,1,{tagged},{lat},{lon},20,gp,1,1,1"


def write_data(folder, extra: dict[str, tuple[str, str, str]] | None = None):
    """A data folder: the clean machines, the broken ones, one untagged (plus ``extra``)."""
    folder.mkdir(parents=True, exist_ok=True)
    broken = BROKEN | (extra or {})
    rows = [_row(c, lat, lon) for c, (lat, lon) in CLEAN.items()]
    rows += [_row(c, lat, lon) for c, (lat, lon, _) in broken.items()]
    rows.append(_row(UNTAGGED, "", "", tagged="0"))
    (folder / "units.csv").write_text(_units([*CLEAN, *broken, UNTAGGED]), encoding="utf-8")
    (folder / "emitra_machines.csv").write_text(
        HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return folder


def box(code: str, lat: tuple[float, float], lon: tuple[float, float]) -> dict:
    (a, b), (c, d) = lat, lon
    ring = [[c, a], [d, a], [d, b], [c, b], [c, a]]
    return {
        "type": "Feature",
        "properties": {"code": code, "lgd": f"0{len(code)}{code[-1]}"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_geojson(path, *features) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return str(path)


def suspects(out) -> dict[str, str]:
    """Code -> the failed check, of the block list rows flagged geotag_suspect."""
    text = (out / "actions" / "emitra.machines" / "block" / "alpha-1.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {r["code"]: r["geotag_check"] for r in rows if r["geotag_suspect"] == "1"}


def review(tmp_path, **kw):
    data = write_data(tmp_path / "data", kw.pop("extra", None))
    out = tmp_path / "out"
    run_review(data, formats=("csv",), out=out, **kw)
    return out


def test_every_geo_check_is_a_known_answer(tmp_path):
    out = review(tmp_path)
    assert suspects(out) == {code: check for code, (_, _, check) in BROKEN.items()}


def test_the_reason_follows_not_geotagged_and_names_the_check(tmp_path):
    out = review(tmp_path)
    path = out / "actions" / "emitra.machines" / "block" / "alpha-1.csv"
    header = next(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert header.index("geotag_suspect") == header.index("not_geotagged") + 1
    assert "geotag_check" in header
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))}
    assert rows[UNTAGGED]["not_geotagged"] == "1"
    assert rows[UNTAGGED]["geotag_suspect"] == "0"
    assert rows[UNTAGGED]["geotag_check"] == ""
    assert not set(CLEAN) & set(rows)  # clean machines need no action


def test_the_card_counts_geotag_suspect_in_english_and_hindi(tmp_path):
    data = write_data(tmp_path / "data")
    run = run_review(data, formats=("md",), lang="both", out=tmp_path / "out")
    en = (run.folder("en") / "block" / "alpha-1.md").read_text("utf-8")
    hi = (run.folder("hi") / "block" / "alpha-1.md").read_text("utf-8")
    assert "| geo-tag suspect | 7 |" in en
    assert "Geo-tag check failed" in en
    assert "| जियो टैग संदिग्ध | 7 |" in hi


def test_boundaries_add_the_outside_district_and_block_checks(tmp_path):
    extra = {
        "M-OUTBLK": ("27.5712", "76.5234", "geotag_outside_block"),
        "M-OUTDST": ("27.2512", "76.5034", "geotag_outside_district"),
    }
    blocks = write_geojson(tmp_path / "blocks.geojson", box("B-1", (27.45, 27.56), (76.45, 76.60)))
    districts = write_geojson(
        tmp_path / "districts.geojson", box("D-1", (27.30, 27.90), (76.30, 76.90))
    )
    out = review(tmp_path, extra=extra, boundaries={"district": districts, "block": blocks})
    expected = {code: check for code, (_, _, check) in (BROKEN | extra).items()}
    expected["M-FAR"] = "geotag_outside_block"  # 33 km north: outside the block's polygon first
    assert suspects(out) == expected


def test_without_boundaries_those_machines_are_not_outside_anything(tmp_path):
    extra = {"M-OUTBLK": ("27.5712", "76.5234", "")}
    out = review(tmp_path, extra=extra)
    assert "M-OUTBLK" not in suspects(out)


def test_the_code_property_is_configurable(tmp_path):
    feature = box("B-1", (27.45, 27.56), (76.45, 76.60))
    lgd = feature["properties"]["lgd"]
    feature["properties"] = {"lgd": "B-1", "code": lgd}
    blocks = write_geojson(tmp_path / "blocks.geojson", feature)
    extra = {"M-OUTBLK": ("27.5712", "76.5234", "geotag_outside_block")}
    with pytest.raises(InputError, match=r"property 'code' of the features must hold the codes"):
        review(tmp_path / "a", extra=extra, boundaries={"block": blocks})
    out = review(
        tmp_path / "b", extra=extra, boundaries={"block": blocks}, boundaries_code_property="lgd"
    )
    assert suspects(out)["M-OUTBLK"] == "geotag_outside_block"


def test_a_boundaries_level_must_exist(tmp_path):
    blocks = write_geojson(tmp_path / "b.geojson", box("B-1", (27.45, 27.56), (76.45, 76.60)))
    with pytest.raises(InputError, match=r"the level must be one of \['division', 'district', "):
        review(tmp_path, boundaries={"tehsil": blocks})


def test_review_command_takes_boundaries_per_level(tmp_path, capsys):
    data = write_data(tmp_path / "data", {"M-OUTBLK": ("27.5712", "76.5234", "")})
    blocks = write_geojson(tmp_path / "b.geojson", box("B-1", (27.45, 27.56), (76.45, 76.60)))
    out = tmp_path / "out"
    args = ["review", "--data", str(data), "--formats", "csv", "--out", str(out), "--quiet"]
    assert main([*args, "--boundaries", f"block={blocks}"]) == 0
    assert suspects(out)["M-OUTBLK"] == "geotag_outside_block"


@pytest.mark.parametrize(
    ("given", "fragments"),
    [
        (["--boundaries", "blocks.geojson"], ["must be LEVEL=FILE.geojson", "'blocks.geojson'"]),
        (
            ["--boundaries", "block=a.geojson", "--boundaries", "block=b.geojson"],
            ["give each level once; got 'block' twice"],
        ),
    ],
)
def test_review_command_refuses_bad_boundaries_options(tmp_path, capsys, given, fragments):
    data = write_data(tmp_path / "data")
    args = ["review", "--data", str(data), "--out", str(tmp_path / "out"), *given]
    assert main(args) == 2
    err = capsys.readouterr().err
    for f in fragments:
        assert f in err


def test_outside_india_is_no_longer_a_table_error(tmp_path):
    # London's coordinates used to stop the run; now the machine is listed, the month scored.
    out = review(tmp_path)
    assert suspects(out)["M-LONDON"] == "geotag_outside_india"


def test_non_numeric_coordinates_stay_an_error(tmp_path):
    extra = {"M-TEXT": ("27°30'N", "76.5012", "")}
    with pytest.raises(InputError, match=r"column 'latitude': must be a finite number; got"):
        review(tmp_path, extra=extra)


def test_action_settings_refuse_boundaries_that_are_not_read():
    import egov_score as eg

    with pytest.raises(InputError, match=r"boundaries must map level names to Boundaries"):
        eg.ActionSettings(boundaries={"block": "blocks.geojson"})
    assert eg.ActionSettings().boundaries == {}


def test_the_hook_passes_the_settings_and_old_plugins_still_work(tmp_path):
    import egov_score as eg
    from egov_score.plugins.hookspecs import hookimpl

    seen = []

    class Old:  # written before issue 11: no settings argument
        @hookimpl
        def egov_score_action_reasons(self, result, hierarchy, tables):
            return []

    class New:
        @hookimpl
        def egov_score_action_reasons(self, result, hierarchy, tables, settings):
            seen.append(settings)
            return []

    data = write_data(tmp_path / "data")
    registry = eg.Registry()
    registry.pm.register(Old(), name="old")
    registry.pm.register(New(), name="new")
    job = eg.load(data)
    result = eg.score_panel(job).result("2021-01")
    settings = eg.ActionSettings(geo=GeoSettings(min_km=5.0))
    records = registry.action_reasons(result, job.hierarchy, job.tables, settings)
    assert [r.key for r in records] == ["emitra.machines"]
    assert seen == [settings]
