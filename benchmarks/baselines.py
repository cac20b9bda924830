"""The standard workload written the way an analyst would: pandas, polars and plain Python.

Each returns, per level, the composite ``score``, ``rank`` and ``rank_in_parent`` for the same
semantics as egov_score (sum roll-ups, pairwise-complete ratios, per-level min-max / goalposts /
target normalisation, weighted arithmetic means with coverage, competition ranks). The
benchmarks assert that they agree with egov_score before timing them. pandas and polars are
benchmark-only dependencies (the ``bench`` extra).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from benchmarks.workload import FIELDS, FRAMEWORK, Workload

LEVEL_KEYS = ("division", "district", "block", "machine")
INDICATORS = FRAMEWORK["indicator"]
GROUPS = {g["code"]: g for g in FRAMEWORK["group"]}
SUBGROUPS = ("machines", "use", "citizens")


def _children(group: str) -> list[tuple[str, float]]:
    kids = [(i["code"], float(i.get("weight", 1))) for i in INDICATORS if i["parent"] == group]
    kids += [
        (g, float(GROUPS[g].get("weight", 1))) for g in GROUPS if GROUPS[g].get("parent") == group
    ]
    return kids


def _keys(w: Workload) -> dict[str, np.ndarray]:
    block = w.block_of
    district = w.district_of[block]
    return {
        "machine": np.arange(w.n),
        "block": block,
        "district": district,
        "division": w.division_of[district],
    }


# -- pandas -------------------------------------------------------------------------------------


def pandas_score(w: Workload) -> dict[str, Any]:
    """The workload in pandas: ``groupby().sum()``, ``rank(method="min")``."""
    import pandas as pd

    keys = _keys(w)
    df = pd.DataFrame(w.fields)
    for name, k in keys.items():
        df[f"_{name}"] = k
    out = {}
    parents = {
        "machine": w.block_of,
        "block": w.district_of,
        "district": w.division_of,
        "division": np.zeros(int(w.division_of.max()) + 1, dtype=int),
    }
    for level in LEVEL_KEYS:
        by = df[f"_{level}"]
        ind = pd.DataFrame(index=pd.RangeIndex(int(keys[level].max()) + 1))
        for spec in INDICATORS:
            scale = float(spec.get("scale", 1))
            if "field" in spec:
                col = df[spec["field"]]
                val = col if level == "machine" else col.groupby(by).sum(min_count=1)
            else:
                num, den = df[spec["numerator"]], df[spec["denominator"]]
                # pairwise complete, and a numerator > 0 over a 0 denominator left out
                both = num.notna() & den.notna() & ~((den == 0) & (num > 0))
                num, den = num.where(both), den.where(both)
                if level != "machine":
                    num = num.groupby(by).sum(min_count=1)
                    den = den.groupby(by).sum(min_count=1)
                val = (num / den.where(den != 0)) * scale
            ind[spec["code"]] = (
                val.to_numpy() if level == "machine" else val.reindex(ind.index).to_numpy()
            )
        norm = pd.DataFrame(index=ind.index)
        for spec in INDICATORS:
            x = ind[spec["code"]]
            d = spec.get("direction", 1)
            n = spec["normalise"]
            if n["method"] == "minmax":
                xo = d * x
                lo, hi = xo.min(), xo.max()
                norm[spec["code"]] = (xo - lo) / (hi - lo) * 100 if hi > lo else np.nan
            elif n["method"] == "goalposts":
                norm[spec["code"]] = ((x - n["lower"]) / (n["upper"] - n["lower"])).clip(0, 1) * 100
            else:
                t = spec["target"]
                if d > 0:
                    ref = x.min()
                    num, gap = x - ref, t - ref
                else:
                    ref = x.max()
                    num, gap = ref - x, ref - t
                s = num / gap * 100 if gap > 0 else pd.Series(100.0, index=x.index)
                # alone among its peers: nothing to compare with, missing (docs/method.md)
                s = s if x.count() > 1 else s * np.nan
                norm[spec["code"]] = s.where(x.notna()).clip(upper=100)
        scores = {}
        for g in (*SUBGROUPS, "index"):
            kids = _children(g)
            m = pd.DataFrame({k: (norm[k] if k in norm else scores[k]) for k, _ in kids})
            wts = pd.Series(dict(kids))
            present = m.notna()
            wsum = present.mul(wts, axis=1).sum(axis=1)
            total = m.fillna(0).mul(wts, axis=1).sum(axis=1)
            cov = wsum / wts.sum()
            val = (total / wsum.where(wsum > 0)).where(
                cov + 1e-12 >= GROUPS[g].get("min_coverage", 0.5)
            )
            scores[g] = val
        score = scores["index"]
        rank = score.rank(method="min", ascending=False)
        rank_in_parent = score.groupby(parents[level]).rank(method="min", ascending=False)
        out[level] = {
            "score": score.to_numpy(),
            "rank": rank.fillna(0).to_numpy().astype(int),
            "rank_in_parent": rank_in_parent.fillna(0).to_numpy().astype(int),
        }
    return out


# -- polars -------------------------------------------------------------------------------------


def polars_score(w: Workload) -> dict[str, Any]:
    """The workload in polars: ``group_by().agg()``, ``rank("min").over()``."""
    import polars as pl

    keys = _keys(w)
    df = pl.DataFrame({**w.fields, **{f"_{k}": v for k, v in keys.items()}}, nan_to_null=True)
    parents = {
        "machine": w.block_of,
        "block": w.district_of,
        "district": w.division_of,
        "division": np.zeros(int(w.division_of.max()) + 1, dtype=np.int64),
    }
    out = {}
    for level in LEVEL_KEYS:
        exprs, aggs = [], []
        for spec in INDICATORS:
            scale = float(spec.get("scale", 1))
            if "field" in spec:
                exprs.append(pl.col(spec["field"]).alias(f"n_{spec['code']}"))
                exprs.append(pl.lit(1.0).alias(f"d_{spec['code']}"))
            else:
                both = (
                    pl.col(spec["numerator"]).is_not_null()
                    & pl.col(spec["denominator"]).is_not_null()
                    & ~((pl.col(spec["denominator"]) == 0) & (pl.col(spec["numerator"]) > 0))
                )
                exprs.append(
                    pl.when(both).then(pl.col(spec["numerator"])).alias(f"n_{spec['code']}")
                )
                exprs.append(
                    pl.when(both).then(pl.col(spec["denominator"])).alias(f"d_{spec['code']}")
                )
        frame = df.select(pl.col(f"_{level}").alias("key"), *exprs)
        if level != "machine":
            # sum with min_count=1: null when every value is null
            aggs = [
                pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c)
                for c in frame.columns
                if c != "key"
            ]
            frame = frame.group_by("key").agg(aggs)
            full = pl.DataFrame({"key": np.arange(int(keys[level].max()) + 1)})
            frame = full.join(frame, on="key", how="left").sort("key")
        cols = []
        for spec in INDICATORS:
            scale = float(spec.get("scale", 1))
            n_, d_ = pl.col(f"n_{spec['code']}"), pl.col(f"d_{spec['code']}")
            if "field" in spec:
                cols.append((n_ * scale).alias(spec["code"]))
            else:
                cols.append(pl.when(d_ != 0).then(n_ / d_ * scale).alias(spec["code"]))
        ind = frame.select("key", *cols)
        norm_exprs = []
        for spec in INDICATORS:
            x = pl.col(spec["code"])
            d = spec.get("direction", 1)
            n = spec["normalise"]
            if n["method"] == "minmax":
                xo = x * d
                span = xo.max() - xo.min()
                e = pl.when(span > 0).then((xo - xo.min()) / span * 100)
            elif n["method"] == "goalposts":
                e = ((x - n["lower"]) / (n["upper"] - n["lower"])).clip(0, 1) * 100
            else:
                t = spec["target"]
                if d > 0:
                    num, gap = x - x.min(), t - x.min()
                else:
                    num, gap = x.max() - x, x.max() - t
                e = (
                    pl.when(x.is_null())
                    .then(None)
                    .when(x.count() < 2)  # alone among its peers: missing (docs/method.md)
                    .then(None)
                    .when(gap > 0)
                    .then((num / gap * 100).clip(upper_bound=100))
                    .otherwise(100.0)
                )
            norm_exprs.append(e.alias(spec["code"]))
        norm = ind.select("key", *norm_exprs)
        for g in (*SUBGROUPS, "index"):
            kids = _children(g)
            total_w = sum(wt for _, wt in kids)
            wsum = pl.sum_horizontal(
                [pl.col(k).is_not_null().cast(pl.Float64) * wt for k, wt in kids]
            )
            total = pl.sum_horizontal([pl.col(k).fill_null(0.0) * wt for k, wt in kids])
            minc = GROUPS[g].get("min_coverage", 0.5)
            norm = norm.with_columns(
                pl.when((wsum > 0) & (wsum / total_w + 1e-12 >= minc)).then(total / wsum).alias(g)
            )
        res = (
            norm.select("key", pl.col("index").alias("score"))
            .with_columns(parent=pl.Series(parents[level]))
            .with_columns(
                rank=pl.col("score").rank("min", descending=True),
                rank_in_parent=pl.col("score").rank("min", descending=True).over("parent"),
            )
        )
        out[level] = {
            "score": res["score"].to_numpy().astype(float),
            "rank": res["rank"].fill_null(0).to_numpy().astype(int),
            "rank_in_parent": res["rank_in_parent"].fill_null(0).to_numpy().astype(int),
        }
    return out


# -- plain Python -------------------------------------------------------------------------------


def python_score(w: Workload) -> dict[str, Any]:
    """The workload with dictionaries and loops, one unit at a time (for small N)."""
    keys = {k: v.tolist() for k, v in _keys(w).items()}
    rows = [
        {f: (None if np.isnan(x) else x) for f, x in zip(FIELDS, vals, strict=True)}
        for vals in zip(*(w.fields[f].tolist() for f in FIELDS), strict=True)
    ]
    parents = {
        "machine": w.block_of.tolist(),
        "block": w.district_of.tolist(),
        "district": w.division_of.tolist(),
        "division": [0] * (int(w.division_of.max()) + 1),
    }
    out = {}
    for level in LEVEL_KEYS:
        units = sorted(set(keys[level]))
        members = defaultdict(list)
        for i, k in enumerate(keys[level]):
            members[k].append(rows[i])
        ind = {}
        for spec in INDICATORS:
            scale = float(spec.get("scale", 1))
            col = {}
            for u in units:
                ms = members[u]
                if "field" in spec:
                    xs = [m[spec["field"]] for m in ms if m[spec["field"]] is not None]
                    col[u] = sum(xs) * scale if xs else None
                else:
                    pairs = [
                        (m[spec["numerator"]], m[spec["denominator"]])
                        for m in ms
                        if m[spec["numerator"]] is not None
                        and m[spec["denominator"]] is not None
                        and not (m[spec["denominator"]] == 0 and m[spec["numerator"]] > 0)
                    ]
                    num, den = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
                    col[u] = num / den * scale if pairs and den != 0 else None
            ind[spec["code"]] = col
        norm = {}
        for spec in INDICATORS:
            col, d, n = ind[spec["code"]], spec.get("direction", 1), spec["normalise"]
            xs = [x for x in col.values() if x is not None]
            res = {}
            for u, x in col.items():
                if x is None:
                    res[u] = None
                elif n["method"] == "minmax":
                    lo, hi = min(d * v for v in xs), max(d * v for v in xs)
                    res[u] = (d * x - lo) / (hi - lo) * 100 if hi > lo else None
                elif n["method"] == "goalposts":
                    res[u] = min(max((x - n["lower"]) / (n["upper"] - n["lower"]), 0), 1) * 100
                else:
                    t = spec["target"]
                    ref = min(xs) if d > 0 else max(xs)
                    num, gap = (x - ref, t - ref) if d > 0 else (ref - x, ref - t)
                    if len(xs) < 2:  # alone among its peers: missing (docs/method.md)
                        res[u] = None
                    else:
                        res[u] = min(num / gap * 100, 100.0) if gap > 0 else 100.0
            norm[spec["code"]] = res
        for g in (*SUBGROUPS, "index"):
            kids = _children(g)
            total_w = sum(wt for _, wt in kids)
            res = {}
            for u in units:
                got = [(norm[k][u], wt) for k, wt in kids]
                got = [(x, wt) for x, wt in got if x is not None]
                wsum = sum(wt for _, wt in got)
                ok = wsum > 0 and wsum / total_w + 1e-12 >= GROUPS[g].get("min_coverage", 0.5)
                res[u] = sum(x * wt for x, wt in got) / wsum if ok else None
            norm[g] = res
        score = norm["index"]
        ranks, in_parent = [], []
        for u in units:
            s = score[u]
            if s is None:
                ranks.append(0)
                in_parent.append(0)
                continue
            ranks.append(1 + sum(1 for v in score.values() if v is not None and v > s))
            in_parent.append(
                1
                + sum(
                    1
                    for v2 in units
                    if score[v2] is not None
                    and parents[level][v2] == parents[level][u]
                    and score[v2] > s
                )
            )
        out[level] = {
            "score": np.array([np.nan if score[u] is None else score[u] for u in units]),
            "rank": np.array(ranks),
            "rank_in_parent": np.array(in_parent),
        }
    return out


def egov_score_result(w: Workload) -> dict[str, Any]:
    """egov_score's answer in the baselines' shape."""
    import egov_score as eg

    result = eg.Engine(w.framework, w.hierarchy).score(w.values, "2021-01")
    return {
        lv.level: {"score": lv.score, "rank": lv.rank, "rank_in_parent": lv.rank_in_parent}
        for lv in result.levels
    }


def assert_same(ours: dict[str, Any], theirs: dict[str, Any], tol: float = 1e-9) -> None:
    """Scores equal to ``tol``; ranks equal wherever float noise cannot reorder a near-tie."""
    for level, mine in ours.items():
        other = theirs[level]
        np.testing.assert_allclose(other["score"], mine["score"], rtol=0, atol=tol)
        s = np.asarray(mine["score"])
        present = ~np.isnan(s)
        srt = np.sort(s[present])
        # competition ranks allowed for each score given ties within tol
        best = len(srt) - np.searchsorted(srt, s[present] + tol, side="right") + 1
        worst = len(srt) - np.searchsorted(srt, s[present] - tol, side="left")
        for ranks in (np.asarray(mine["rank"]), np.asarray(other["rank"])):
            r = ranks[present]
            assert ((r >= best) & (r <= worst)).all(), level
            assert (ranks[~present] == 0).all(), level
        near_tie = worst > best
        same = (
            np.asarray(mine["rank_in_parent"])[present]
            == np.asarray(other["rank_in_parent"])[present]
        )
        assert (same | near_tie).all(), level
