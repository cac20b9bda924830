"""The seeded generator of the built-in Jaipur division data.

The division, its five districts and 72 blocks are real (LGD, 2021; see ``docs/data.md``).
Machines and monthly figures are synthetic but faithful to the divisional commissioner's review
of 2 February 2021: **2995 e-Mitra Plus machines**, and in January 2021 **all 2995 installed,
2621 inspected and repaired, 2939 transacting**. Twelve months of history (February 2020 -
January 2021) in which districts and blocks differ and move, and Alwar is strong on pensions.

``python -m egov_score.datasets.synthetic OUT_DIR [--seed N] [--machines N]`` regenerates (or
scales) it; the same seed always gives the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray
from egov_score.exceptions import InputError
from egov_score.io.table import Table, write_csv

__all__ = ["DISTRICT_STORY", "MONTHS", "REVIEW_TOTALS", "generate"]

#: The twelve months generated, oldest first; the last is the review month.
MONTHS = tuple([f"2020-{m:02d}" for m in range(2, 13)] + ["2021-01"])
#: The review month's machine figures from the source document.
REVIEW_TOTALS = {"machines": 2995, "installed": 2995, "inspected": 2621, "transacting": 2939}
#: Per district (LGD code): (e-governance level, trend over the year, pension strength).
#: Dausa starts weak and improves, Sikar slips, Alwar leads on pensions.
DISTRICT_STORY = {
    "87": (0.45, 0.10, 1.2),  # Alwar
    "97": (-0.55, 0.90, -0.2),  # Dausa
    "102": (0.30, 0.10, 0.1),  # Jaipur
    "106": (0.20, 0.25, 0.0),  # Jhunjhunu
    "114": (0.50, -0.70, -0.1),  # Sikar
}
_CENTRES = {
    "87": (27.55, 76.60),
    "97": (26.89, 76.34),
    "102": (26.91, 75.79),
    "106": (28.13, 75.40),
    "114": (27.61, 75.14),
}
_LGD_FILE = Path(__file__).parent / "lgd_jaipur_division_2021.csv"


def _top_k(key: FloatArray, k: int) -> np.ndarray:
    """A 0/1 mask of the ``k`` largest keys (-inf never chosen)."""
    out = np.zeros(len(key), dtype=bool)
    if k > 0:
        out[np.argpartition(-key, k - 1)[:k]] = True
    return out


def _gumbel(rng: np.random.Generator, n: int) -> FloatArray:
    return -np.log(-np.log(rng.random(n)))


def _logistic(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


#: Names the generator gives nodal officers (village development officers and department staff).
_GIVEN = ("Ramesh", "Sunita", "Mahesh", "Kavita", "Rajendra", "Pooja", "Anil", "Manju", "Suresh")
_FAMILY = ("Kumar", "Devi", "Sharma", "Meena", "Singh", "Saini", "Gupta", "Jat", "Yadav")


def _nodal_officers(
    rng: np.random.Generator, machines: int, quality: FloatArray
) -> tuple[StrArray, StrArray, FloatArray]:
    """Each machine's nodal officer's name and phone (about 8% of names and a further 5% of
    phones not recorded; one in ten a landline with Jaipur's STD code), and the key that
    decides which machines were announced in the gram sabha."""
    names = np.char.add(
        np.char.add(np.array(_GIVEN)[rng.integers(0, len(_GIVEN), machines)], " "),
        np.array(_FAMILY)[rng.integers(0, len(_FAMILY), machines)],
    )
    mobile = np.char.add(
        rng.choice(np.array(["9", "8", "7", "6"]), machines),
        np.char.zfill(rng.integers(0, 10**9, machines).astype(str), 9),
    )
    landline = np.char.add("0141-", rng.integers(2_000_000, 3_000_000, machines).astype(str))
    phone = np.where(rng.random(machines) < 0.1, landline, mobile)
    no_name = rng.random(machines) < 0.08
    no_phone = no_name | (rng.random(machines) < 0.05)
    sabha_key = quality + _gumbel(rng, machines)
    return np.where(no_name, "", names), np.where(no_phone, "", phone), sabha_key


def _state(districts: int, blocks: int) -> dict[str, np.ndarray]:
    """A made-up state in the LGD file's layout: ``districts`` districts, ``blocks`` blocks
    dealt out to them in turn (codes from 1001 and 10001)."""
    d = np.arange(districts)
    b = np.arange(blocks)
    d_code = (1001 + d).astype(str)
    columns = {
        "level": np.array(["district"] * districts + ["block"] * blocks),
        "lgd_code": np.concatenate([d_code, (10001 + b).astype(str)]),
        "name": np.concatenate(
            [
                np.char.add("District ", (d + 1).astype(str)),
                np.char.add("Block ", (b + 1).astype(str)),
            ]
        ),
        "name_hi": np.concatenate([np.char.add("जिला ", (d + 1).astype(str)), np.full(blocks, "")]),
        "parent_lgd_code": np.concatenate([np.full(districts, ""), d_code[b % districts]]),
    }
    return columns


def generate(
    out_dir: str | Path,
    *,
    seed: int = 2021,
    machines: int = 2995,
    gram_sabha: bool = False,
    districts: int | None = None,
    blocks: int | None = None,
) -> list[Path]:
    """Write the Jaipur division data set into ``out_dir``.

    Files: ``units.csv`` (division, districts, blocks, machines), ``framework.toml`` (all six
    schemes with their default weights), and one raw table per scheme with a row per unit and
    month: ``emitra_machines.csv``, ``pension.csv``, ``pmayg.csv``, ``nrega.csv``,
    ``slwm.csv``, ``sampark.csv``.

    Args:
        out_dir: the folder to write (created if needed).
        seed: the random seed; the same seed gives the same files.
        machines: how many machines; the review-month counts scale with it (2995 gives the
            source document's figures exactly).
        gram_sabha: also write the ``gram_sabha`` flags (machines announced in the gram
            sabha). Off by default, so the shipped demo keeps its published cards: with the
            column the indicator ``gram_sabha_rate`` has values and shows among a card's
            strongest and weakest indicators.
        districts: with ``blocks``, a made-up state of that many districts (``District 1``,
            …) instead of the Jaipur division's real ones, e.g. 50 districts, 350 blocks and
            100,000 machines for the state-sized benchmark. Without them (the default) the
            output is the shipped data set, draw for draw.
        blocks: the number of blocks of the made-up state, dealt out to the districts in turn.

    Returns:
        The paths written.
    """
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (districts is None) != (blocks is None):
        raise InputError(f"districts and blocks go together; got {districts=}, {blocks=}")
    if districts is not None and blocks is not None:
        if not 1 <= districts <= blocks:
            raise InputError(f"need 1 <= districts <= blocks; got {districts=}, {blocks=}")
        lgd = _state(districts, blocks)
    else:
        lgd = dict(Table.from_csv(_LGD_FILE).columns)
    level = lgd["level"]
    dist_lgd = lgd["lgd_code"][level == "district"]
    dist_names = lgd["name"][level == "district"]
    dist_hi = lgd["name_hi"][level == "district"]
    blk_lgd = lgd["lgd_code"][level == "block"]
    blk_names = lgd["name"][level == "block"]
    blk_parent_lgd = lgd["parent_lgd_code"][level == "block"]
    blk_dist = np.searchsorted(dist_lgd, blk_parent_lgd, sorter=np.argsort(dist_lgd))
    blk_dist = np.argsort(dist_lgd)[blk_dist]
    n_blk, n_months = len(blk_lgd), len(MONTHS)

    # -- units ------------------------------------------------------------------------------
    share = 0.6 + rng.random(n_blk)
    floor = min(20, machines // n_blk)
    per_block = rng.multinomial(machines - floor * n_blk, share / share.sum()) + floor
    m_blk: IntArray = np.repeat(np.arange(n_blk), per_block)
    m_num = np.arange(machines) - np.repeat(np.cumsum(per_block) - per_block, per_block) + 1
    location = rng.choice(np.array(["gp", "rgsk", "office"]), size=machines, p=[0.86, 0.09, 0.05])
    m_codes = np.char.add(
        np.char.add(np.char.add("M-", blk_lgd[m_blk]), "-"), np.char.zfill(m_num.astype(str), 3)
    )
    prefix = np.select([location == "gp", location == "rgsk"], ["GP ", "RGSK "], "Office ")
    m_names = np.char.add(
        np.char.add(np.char.add(prefix, blk_names[m_blk]), " "), m_num.astype(str)
    )
    d_codes = np.char.add("D-", dist_lgd)
    b_codes = np.char.add("B-", blk_lgd)
    officer = np.select([location == "office"], ["Department staff"], "VDO")
    units = {
        "level": [
            "division",
            *["district"] * len(d_codes),
            *["block"] * n_blk,
            *["machine"] * machines,
        ],
        "code": ["DIV-JAIPUR", *d_codes.tolist(), *b_codes.tolist(), *m_codes.tolist()],
        "name": ["Jaipur", *dist_names.tolist(), *blk_names.tolist(), *m_names.tolist()],
        "parent": [
            "",
            *["DIV-JAIPUR"] * len(d_codes),
            *d_codes[blk_dist].tolist(),
            *b_codes[m_blk].tolist(),
        ],
        "name_hi": ["जयपुर", *dist_hi.tolist(), *[""] * (n_blk + machines)],
        "lgd_code": ["", *dist_lgd.tolist(), *blk_lgd.tolist(), *[""] * machines],
        "officer": [
            "Divisional Commissioner",
            *["CEO, Zila Parishad"] * len(d_codes),
            *["BDO"] * n_blk,
            *officer.tolist(),
        ],
        "location": ["", *[""] * (len(d_codes) + n_blk), *location.tolist()],
    }
    paths = [out / "units.csv"]
    write_csv(paths[0], {k: np.array(v) for k, v in units.items()}, bom=False)

    # -- latent performance: district story + block noise + trend over the year -----------------
    story = np.array([DISTRICT_STORY.get(str(c), (0.0, 0.0, 0.0)) for c in dist_lgd.tolist()])
    t = np.linspace(0.0, 1.0, n_months)
    b_level = story[blk_dist, 0] + rng.normal(0, 0.45, n_blk)
    b_trend = story[blk_dist, 1] + rng.normal(0, 0.45, n_blk)
    b_month = (
        b_level[:, None] + b_trend[:, None] * t[None, :] + rng.normal(0, 0.12, (n_blk, n_months))
    )
    m_static = rng.normal(0, 0.9, machines)

    # -- e-Mitra machines ---------------------------------------------------------------------
    scale = machines / REVIEW_TOTALS["machines"]
    install_month = np.minimum(n_months - 1, np.floor(rng.random(machines) ** 1.8 * 15)).astype(int)
    geo_key = m_static + 0.6 * b_level[m_blk] + _gumbel(rng, machines)
    nodal_key = m_static + 0.6 * b_level[m_blk] + _gumbel(rng, machines)
    hours_key = m_static + b_level[m_blk] + _gumbel(rng, machines)
    serv_key = m_static + b_level[m_blk] + _gumbel(rng, machines)
    lat0 = np.array([_CENTRES.get(str(c), (27.0, 76.0))[0] for c in dist_lgd.tolist()])
    lon0 = np.array([_CENTRES.get(str(c), (27.0, 76.0))[1] for c in dist_lgd.tolist()])
    lat = lat0[blk_dist][m_blk] + rng.normal(0, 0.18, machines)
    lon = lon0[blk_dist][m_blk] + rng.normal(0, 0.18, machines)
    services = rng.integers(12, 45, machines)
    # The columns added later draw from their own stream, so every earlier column (and every
    # score of the shipped data) stays what it was for the same seed.
    officer_name, officer_phone, sabha_key = _nodal_officers(
        np.random.default_rng([seed, 11]), machines, m_static + b_level[m_blk]
    )
    rows: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "code",
            "period",
            "allotted",
            "installed",
            "inspected",
            "geotagged",
            "latitude",
            "longitude",
            "transactions",
            "services",
            "location",
            "nodal_officer",
            "hours_displayed",
            "services_displayed",
            *(["gram_sabha"] if gram_sabha else []),
            "nodal_officer_name",
            "nodal_officer_phone",
        )
    }
    for m, month in enumerate(MONTHS):
        inst = install_month <= m
        n_inst = int(inst.sum())
        share_m = t[m]
        quality = m_static + b_month[m_blk, m] + rng.normal(0, 0.5, machines)
        key = np.where(inst, quality + _gumbel(rng, machines), -np.inf)
        if m == n_months - 1:
            k_insp = round(REVIEW_TOTALS["inspected"] * scale)
            k_tx = round(REVIEW_TOTALS["transacting"] * scale)
        else:
            k_insp = round(n_inst * (0.30 + 0.50 * share_m))
            k_tx = round(n_inst * (0.72 + 0.22 * share_m))
        inspected = _top_k(key, k_insp)
        transacting = _top_k(np.where(inst, quality + _gumbel(rng, machines), -np.inf), k_tx)
        geotagged = _top_k(
            np.where(inst, geo_key, -np.inf), round(n_inst * (0.55 + 0.38 * share_m))
        )
        nodal = _top_k(np.where(inst, nodal_key, -np.inf), round(n_inst * (0.40 + 0.55 * share_m)))
        hours = _top_k(np.where(inst, hours_key, -np.inf), round(n_inst * (0.30 + 0.55 * share_m)))
        serv = _top_k(np.where(inst, serv_key, -np.inf), round(n_inst * (0.25 + 0.55 * share_m)))
        lam = 28.0 * np.exp(0.35 * np.clip(quality, -3, 3))
        tx = np.where(transacting, np.maximum(1, rng.poisson(lam)), 0)
        rows["code"].append(m_codes)
        rows["period"].append(np.full(machines, month))
        rows["allotted"].append(np.ones(machines, dtype=int))
        rows["installed"].append(inst.astype(int))
        rows["inspected"].append(inspected.astype(int))
        rows["geotagged"].append(geotagged.astype(int))
        rows["latitude"].append(np.where(geotagged, np.round(lat, 4), np.nan))
        rows["longitude"].append(np.where(geotagged, np.round(lon, 4), np.nan))
        rows["transactions"].append(tx)
        rows["services"].append(np.where(inst, services, 0))
        rows["location"].append(location)
        rows["nodal_officer"].append(nodal.astype(int))
        rows["hours_displayed"].append(hours.astype(int))
        rows["services_displayed"].append(serv.astype(int))
        sabha = _top_k(np.where(inst, sabha_key, -np.inf), round(n_inst * (0.35 + 0.5 * share_m)))
        if gram_sabha:
            rows["gram_sabha"].append(sabha.astype(int))
        rows["nodal_officer_name"].append(np.where(nodal, officer_name, ""))
        rows["nodal_officer_phone"].append(np.where(nodal, officer_phone, ""))
    paths.append(out / "emitra_machines.csv")
    write_csv(paths[-1], {k: np.concatenate(v) for k, v in rows.items()}, bom=False)

    # -- block-level schemes --------------------------------------------------------------------
    blk_rep = np.tile(b_codes, n_months)
    per_rep = np.repeat(np.array(MONTHS), n_blk)
    tt = np.repeat(t, n_blk)
    perf = b_month.T.reshape(-1)  # month-major, matching blk_rep / per_rep

    def draw(base: float, spread: float, extra: FloatArray | float = 0.0) -> FloatArray:
        return np.asarray(_logistic(base + spread * (perf + extra) + rng.normal(0, 0.1, len(perf))))

    def counts(size: npt.ArrayLike, rate: npt.ArrayLike) -> IntArray:
        out: IntArray = np.floor(np.asarray(size) * np.asarray(rate)).astype(np.intp)
        return out

    pens_strength = np.tile(story[blk_dist, 2], n_months)
    pensioners = np.tile(rng.integers(2500, 6500, n_blk), n_months) + (tt * 120).astype(int)
    verified = counts(pensioners, draw(1.2, 0.5, pens_strength + tt))
    pension = {
        "code": blk_rep,
        "period": per_rep,
        "pensioners": pensioners,
        "verified": verified,
        "verified_on_emitra": counts(verified, draw(0.3, 0.5, tt)),
        "aadhaar_seeded": counts(pensioners, draw(2.6, 0.4, pens_strength)),
        "paid_on_time": counts(pensioners, draw(1.8, 0.5, pens_strength)),
    }
    target = np.tile(rng.integers(450, 1300, n_blk), n_months)
    sanctioned = counts(target, draw(1.8, 0.4, tt))
    completed = counts(sanctioned, draw(-0.2, 0.5, 1.5 * tt))
    housing = {
        "code": blk_rep,
        "period": per_rep,
        "target": target,
        "sanctioned": sanctioned,
        "completed": completed,
        "geotagged": counts(sanctioned, draw(1.4, 0.5)),
    }
    month_no = np.char.partition(per_rep.astype(str), "-")[:, 2].astype(int)
    into_fy = np.where(month_no >= 4, month_no - 3, month_no + 9)  # April = 1 ... March = 12
    annual = np.tile(rng.integers(250_000, 650_000, n_blk), n_months)
    budget = np.floor(annual * into_fy / 12).astype(int)
    households = np.tile(rng.integers(5000, 14000, n_blk), n_months)
    worked = counts(households, draw(0.0, 0.3) * np.minimum(1.0, 0.3 + into_fy / 10))
    started = np.tile(rng.integers(700, 1800, n_blk), n_months)
    persondays = counts(budget, 0.55 + 0.6 * draw(0.4, 0.6))
    nrega = {
        "code": blk_rep,
        "period": per_rep,
        "labour_budget": budget,
        "persondays": persondays,
        "musters_closed": np.maximum(1, (persondays / 150).astype(int)),
        "wages_in_15_days": np.round(100 * draw(2.0, 0.6), 1),
        "works_started": started,
        "works_completed": counts(started, draw(0.2, 0.5, tt)),
        "households_worked": worked,
        "households_100_days": counts(worked, 0.25 * draw(-0.5, 0.6) * into_fy / 12),
    }
    villages = np.tile(rng.integers(90, 260, n_blk), n_months)
    odf = counts(villages, draw(-0.8, 0.5, 1.5 * tt))
    model = counts(odf, draw(-1.5, 0.5, tt))
    rising = counts(odf - model, draw(-0.5, 0.4))
    slwm = {
        "code": blk_rep,
        "period": per_rep,
        "villages": villages,
        "villages_swm": counts(villages, draw(-0.2, 0.5, 1.2 * tt)),
        "villages_lwm": counts(villages, draw(-0.7, 0.5, 1.2 * tt)),
        "odf_plus_aspiring": odf - model - rising,
        "odf_plus_rising": rising,
        "odf_plus_model": model,
    }
    registered = rng.poisson(np.tile(rng.integers(150, 600, n_blk), n_months))
    disposed = counts(registered, draw(1.6, 0.5))
    feedback = counts(disposed, draw(0.4, 0.2))
    sampark = {
        "code": blk_rep,
        "period": per_rep,
        "registered": registered,
        "disposed": disposed,
        "disposed_in_time": counts(disposed, draw(1.2, 0.6)),
        "pending_over_30": counts(registered, 0.25 * (1 - draw(0.5, 0.6))),
        "avg_disposal_days": np.round(4 + 30 * (1 - draw(0.3, 0.6)), 1),
        "feedback": feedback,
        "satisfied": counts(feedback, draw(0.9, 0.5)),
    }
    for name, table in (
        ("pension", pension),
        ("pmayg", housing),
        ("nrega", nrega),
        ("slwm", slwm),
        ("sampark", sampark),
    ):
        paths.append(out / f"{name}.csv")
        write_csv(paths[-1], {k: np.asarray(v) for k, v in table.items()}, bom=False)
    paths.append(out / "framework.toml")
    paths[-1].write_text(_FRAMEWORK, encoding="utf-8")
    return paths


_FRAMEWORK = """\
# The Jaipur division's e-governance review: every built-in scheme, with its default weights.
# A file with a `schemes` key overrides the schemes' defaults (docs/plugins.md).
name = "Jaipur division e-governance score"
name_hi = "जयपुर संभाग ई-गवर्नेंस स्कोर"
levels = ["division", "district", "block", "machine"]
schemes = ["emitra", "pension", "housing", "nrega", "slwm", "sampark"]

[weights]
emitra = 2       # the e-Mitra Plus machines are the heart of the review

[min_coverage]
index = 0.5
"""


def main(argv: list[str] | None = None) -> None:
    """Regenerate the data set from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--machines", type=int, default=2995)
    parser.add_argument("--gram-sabha", action="store_true", help="write the gram_sabha flags")
    parser.add_argument("--districts", type=int, help="a made-up state (with --blocks)")
    parser.add_argument("--blocks", type=int, help="its number of blocks")
    args = parser.parse_args(argv)
    written = generate(
        args.out_dir,
        seed=args.seed,
        machines=args.machines,
        gram_sabha=args.gram_sabha,
        districts=args.districts,
        blocks=args.blocks,
    )
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
