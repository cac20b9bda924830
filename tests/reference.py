"""A slow, pure-Python scorer: the same pipeline as egov_score, one unit at a time.

Written for clarity against docs/method.md, sharing no code with the vectorised core, so the
property tests can compare the two.
"""

from __future__ import annotations

import math
from collections import defaultdict

from egov_score.model.framework import Framework

Missing = None


def _present(xs):
    return [x for x in xs if x is not None]


def _rollup(rule, pairs):
    """pairs: (value, weight) of the units below, value/weight may be None."""
    if rule == "weighted_mean":
        both = [(v, w) for v, w in pairs if v is not None and w is not None]
        den = sum(w for _, w in both)
        return sum(v * w for v, w in both) / den if den > 0 else None
    xs = _present([v for v, _ in pairs])
    if not xs:
        return None
    if rule == "sum":
        return math.fsum(xs)
    if rule == "mean":
        return math.fsum(xs) / len(xs)
    if rule == "min":
        return min(xs)
    return max(xs)


def _competition_rank(value, peers, descending=True):
    if descending:
        return 1 + sum(1 for p in peers if p > value)
    return 1 + sum(1 for p in peers if p < value)


def _tolerant_rank(value, peers, tolerance=1e-9):
    """A composite's rank (docs/method.md): peers sorted best first, each sharing the rank of
    the one before it when within ``tolerance`` of it (relative), ties = min."""
    ordered = sorted(peers, reverse=True)
    rank = {}
    for i, p in enumerate(ordered):
        prev = ordered[i - 1] if i else None
        tie = prev is not None and (
            p == prev or abs(p - prev) <= tolerance * max(abs(p), abs(prev))
        )
        r = rank[prev] if tie else i + 1
        rank.setdefault(p, r)
    return rank[value]


_PEER_RELATIVE = (
    "minmax",
    "zscore",
    "target",
    "rank",
    "percentile",
    "fracmax",
    "distance",
    "categorical",
)


def _normalise(spec, ind, x, peers):
    """x: the unit's value (not None); peers: the present values of its peer group."""
    d = ind.direction
    m = spec.method
    if m in _PEER_RELATIVE and len(peers) == 1:
        return None  # alone among its peers: nothing to compare with (docs/method.md)
    if m == "minmax":
        o = [d * p for p in peers]
        lo, hi = min(o), max(o)
        flat = hi - lo <= 1e-12 * max(abs(lo), abs(hi))
        if flat:
            return None
        if spec.range is not None:
            low, up = spec.range
            return (d * x - lo) / (hi - lo) * (up - low) + low
        return (d * x - lo) / (hi - lo) * 100
    if m == "goalposts":
        raw = (x - spec.lower) / (spec.upper - spec.lower)
        if d < 0:
            raw = (spec.upper - x) / (spec.upper - spec.lower)
        return min(max(raw, 0.0), 1.0) * 100
    if m == "target":
        t = spec.target if spec.target is not None else ind.target
        if d > 0:
            ref = min(peers)
            num, den = x - ref, t - ref
        else:
            ref = max(peers)
            num, den = ref - x, ref - t
        s = num / den * 100 if den > 0 else 100.0
        return min(s, 100.0) if spec.cap else s
    if m == "zscore":
        o = [d * p for p in peers]
        if len(o) < 2:
            return None
        mean = sum(o) / len(o)
        sd = math.sqrt(sum((p - mean) ** 2 for p in o) / (len(o) - 1))
        if sd <= 1e-12 * abs(mean):
            return None
        z = (d * x - mean) / sd
        return z * spec.rescale[1] + spec.rescale[0] if spec.rescale else z
    if m == "rank":
        return float(_competition_rank(x, peers, descending=d < 0))
    if m == "percentile":
        if min(peers) == max(peers):
            return None
        r = _competition_rank(x, peers, descending=d < 0)
        if spec.form == "rank/n":
            return r / len(peers) * 100
        return (r - 1) / (len(peers) - 1) * 100
    if m == "distance":
        return reference_distance(x, peers, d, spec.to or "mean", spec.form)
    if m == "categorical":
        return reference_categorical(
            x,
            peers,
            d,
            spec.percentiles or (15.0, 25.0, 65.0, 85.0, 95.0),
            spec.scores or (0.0, 20.0, 40.0, 60.0, 80.0, 100.0),
        )
    if m == "fracmax":
        if d > 0:
            best = max(peers)
            return None if best == 0 else x / best * 100
        if min(peers) == 0 and max(peers) > 0:
            return None  # lower is better with a 0 best: no ratio scale
        return 100.0 if x == 0 else min(peers) / x * 100
    if m == "none":
        return x if d > 0 else 100 - x
    raise AssertionError(m)


def _aggregate(method, p, pairs):
    """pairs: (score, weight) of the present children."""
    wsum = sum(w for _, w in pairs)
    if not pairs or wsum <= 0:
        return None
    if method == "generalised":
        if p == 0:
            method = "geometric"
        elif p == 1:
            method = "arithmetic"
    if method == "arithmetic":
        return sum(x * w for x, w in pairs) / wsum
    if method == "median":
        return reference_weighted_median(pairs)
    if any(x == 0 and w > 0 for x, w in pairs) and (method != "generalised" or p < 0):
        return 0.0
    if method == "geometric":
        return math.exp(sum(w * math.log(x) for x, w in pairs if w > 0) / wsum)
    if method == "harmonic":
        return wsum / sum(w / x for x, w in pairs if w > 0)
    return (sum(w * x**p for x, w in pairs if w > 0) / wsum) ** (1 / p)


def reference_score(units, framework: Framework, values):
    """Score with the pure-Python pipeline.

    Args:
        units: list of (level, code, parent code or None).
        framework: the framework.
        values: dict code -> dict field -> float or None (one period).

    Returns:
        dict code -> dict with indicators, normalised, groups, score, rank, rank_in_parent, band.
    """
    fw = framework
    levels = list(fw.levels)
    level_of = {c: lv for lv, c, _ in units}
    parent_of = {c: p for _, c, p in units}
    by_level = defaultdict(list)
    for lv, c, _ in units:
        by_level[lv].append(c)

    def ancestor(code, level):
        while level_of[code] != level:
            code = parent_of[code]
        return code

    def below(code, level):
        return [u for u in by_level[level] if ancestor(u, level_of[code]) == code]

    def raw(u, f):
        return values.get(u, {}).get(f)

    def field_at(code, f, mask=None):
        flevel = fw.fields[f].level
        members = below(code, flevel)
        if mask is not None:
            members = [u for u in members if mask(u)]
            if level_of[code] == flevel and not members:
                return None
        if level_of[code] == flevel:
            return raw(code, f)
        w = fw.fields[f].weight
        pairs = [(raw(u, f), raw(u, w) if w else None) for u in members]
        return _rollup(fw.fields[f].rollup, pairs)

    out = {}
    for level in levels:
        d = levels.index(level)
        codes = by_level[level]
        ind_vals = {}
        for ic, ind in fw.indicators.items():
            if fw.indicator_depth(ic) < d:
                continue
            col = {}
            for u in codes:
                if ind.field is not None:
                    v = field_at(u, ind.field)
                    col[u] = None if v is None else v * ind.scale
                    continue
                n, dn = ind.numerator, ind.denominator
                if fw.fields[n].level == fw.fields[dn].level:

                    def both(m, n=n, dn=dn):
                        # reported both, and not a numerator > 0 over a denominator of 0
                        a, b = raw(m, n), raw(m, dn)
                        return a is not None and b is not None and not (b == 0 and a > 0)

                    nv, dv = field_at(u, n, both), field_at(u, dn, both)
                else:
                    nv, dv = field_at(u, n), field_at(u, dn)
                col[u] = None if nv is None or dv is None or dv == 0 else nv / dv * ind.scale
            ind_vals[ic] = col
        norm = {}
        for ic, col in ind_vals.items():
            ind = fw.indicators[ic]
            spec = ind.normalise
            ncol = {}
            for u in codes:
                if col[u] is None:
                    ncol[u] = None
                    continue
                if spec.within == "parent" and d > 0:
                    peers = [col[p] for p in codes if parent_of[p] == parent_of[u]]
                else:
                    peers = [col[p] for p in codes]
                ncol[u] = _normalise(spec, ind, col[u], _present(peers))
            norm[ic] = ncol
        groups = {}
        for gc in fw.groups_bottom_up():
            kids = [k for k in fw.children(gc) if k in norm or k in groups]
            if not kids:
                continue
            spec = fw.groups[gc]
            col = {}
            for u in codes:
                scores = [(norm.get(k) or groups.get(k))[u] for k in kids]
                weights = [fw.weight(k) for k in kids]
                total = sum(weights)
                got = sum(w for s, w in zip(scores, weights, strict=True) if s is not None)
                cov = got / total if total > 0 else sum(s is not None for s in scores) / len(kids)
                pairs = [(s, w) for s, w in zip(scores, weights, strict=True) if s is not None]
                val = _aggregate(spec.aggregate.method, spec.aggregate.p, pairs)
                col[u] = val if cov + 1e-12 >= spec.min_coverage else None
            groups[gc] = col
        root = fw.root
        for u in codes:
            score = groups.get(root, {}).get(u)
            peers_all = _present([groups.get(root, {}).get(p) for p in codes])
            peers_par = _present(
                [groups.get(root, {}).get(p) for p in codes if parent_of[p] == parent_of[u]]
            )
            band = None
            if score is not None:
                band = fw.bands.labels[sum(1 for e in fw.bands.edges if e <= score)]
            out[u] = {
                "indicators": {k: c[u] for k, c in ind_vals.items()},
                "normalised": {k: c[u] for k, c in norm.items()},
                "groups": {k: c[u] for k, c in groups.items()},
                "score": score,
                "rank": None if score is None else _tolerant_rank(score, peers_all),
                "rank_in_parent": None if score is None else _tolerant_rank(score, peers_par),
                "band": band,
            }
    return out


# -- data preparation (docs/analysis.md), one group and one value at a time -------------------


def _mean(xs):
    return math.fsum(xs) / len(xs)


def reference_quantile(xs, q):
    """R's type 7 quantile of a list of numbers."""
    s = sorted(xs)
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (h - lo)


def reference_impute(values, groups, method):
    """Missing (None) values replaced by the mean or median of their group's present values."""
    out = list(values)
    for i, x in enumerate(values):
        if x is None:
            peers = [
                v for v, g in zip(values, groups, strict=True) if g == groups[i] and v is not None
            ]
            if peers:
                out[i] = _mean(peers) if method == "mean" else reference_quantile(peers, 0.5)
    return out


def reference_carry_forward(panel, max_age):
    """panel: per period (in time order, one month apart) a list of values per unit."""
    out = [list(row) for row in panel]
    for u in range(len(panel[0])):
        for t in range(len(panel)):
            if panel[t][u] is None:
                for back in range(1, max_age + 1):
                    if t - back >= 0 and panel[t - back][u] is not None:
                        out[t][u] = panel[t - back][u]  # the most recent value within reach
                        break
    return out


def _deviations(xs, least):
    """The deviations from the mean and their sum of squares, or None for fewer than ``least``
    values or no spread."""
    if len(xs) < least:
        return None
    m = _mean(xs)
    d = [x - m for x in xs]
    m2 = math.fsum(v * v for v in d)
    return None if m2 <= 0 else (d, m2)


def reference_skew(xs):
    """COINr's skew (e1071 type 2) of a list, or None."""
    if (dev := _deviations(xs, 3)) is None:
        return None
    d, m2 = dev
    n = len(xs)
    g1 = math.sqrt(n) * math.fsum(v**3 for v in d) / m2**1.5
    return g1 * math.sqrt(n * (n - 1)) / (n - 2)


def reference_kurt(xs):
    """COINr's kurt (e1071 type 2) of a list, or None."""
    if (dev := _deviations(xs, 4)) is None:
        return None
    d, m2 = dev
    n = len(xs)
    r = n * math.fsum(v**4 for v in d) / m2**2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def _passes(xs, skew_max, kurt_max):
    s, k = reference_skew(xs), reference_kurt(xs)
    if s is None or k is None:
        return True
    return abs(s) < skew_max or k < kurt_max


def reference_coinr_treat(values, winmax=5, skew_max=2.0, kurt_max=3.5):
    """COINr's Treat with its defaults on one group, transcribed from R/treat.R (winsorise,
    then log_CT of the original values if it still fails). Returns (values, codes) with codes
    0 untouched, 1 winsorised high, 2 winsorised low, 3 transformed."""
    x = list(values)
    present = [i for i, v in enumerate(x) if v is not None]
    if _passes([x[i] for i in present], skew_max, kurt_max):
        return x, [0] * len(x)
    imax, imin = [], []
    nwin = 0
    passing = False
    while not passing and nwin < winmax:
        xs = [x[i] for i in present]
        if reference_skew(xs) >= 0:
            top = max(xs)
            imax = [i for i in present if x[i] == top]
            rest = [x[i] for i in present if i not in imax]
            for i in imax:
                x[i] = max(rest) if rest else top
        else:
            bottom = min(xs)
            imin = [i for i in present if x[i] == bottom]
            rest = [x[i] for i in present if i not in imin]
            for i in imin:
                x[i] = min(rest) if rest else bottom
        nwin = len(imax) + len(imin)
        now = [x[i] for i in present]
        if reference_skew(now) is None or reference_kurt(now) is None:
            return list(values), [0] * len(x)  # COINr cannot treat it: left as it was
        passing = _passes(now, skew_max, kurt_max)
    codes = [0] * len(x)
    if passing:
        for i in imax:
            codes[i] = 1
        for i in imin:
            codes[i] = 2
        return x, codes
    xs = [values[i] for i in present]
    lo, hi = min(xs), max(xs)
    out = [None if v is None else math.log(v - lo + 0.01 * (hi - lo)) for v in values]
    return out, [0 if v is None else 3 for v in values]


# -- the methods of issue 14 point 4 (docs/method.md), one unit at a time ---------------------


def reference_distance(x, peers, direction, to, form, ref=None):
    """Distance to a reference: 100 + direction * (x - ref) / |ref| * 100 (ratio) or without
    the 100 (difference); None where the reference is 0 or missing."""
    if to == "mean":
        ref = math.fsum(peers) / len(peers)
    elif to in ("best", "worst"):
        ref = max(peers) if (to == "best") == (direction > 0) else min(peers)
    if ref is None or ref == 0:
        return None
    d = direction * (x - ref) / abs(ref) * 100
    return d if form == "difference" else 100 + d


def reference_categorical(x, peers, direction, percentiles, scores):
    """The score of the category x falls in: the number of peers' percentiles it reaches."""
    o = [direction * p for p in peers]
    if min(o) == max(o):
        return None
    k = sum(1 for p in percentiles if direction * x >= reference_quantile(o, p / 100))
    return scores[k]


def reference_weighted_median(pairs):
    """pairs: (score, weight) of the present children; zero weights left out."""
    pairs = sorted((x, w) for x, w in pairs if w > 0)
    total = math.fsum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    cum = 0.0
    for i, (x, w) in enumerate(pairs):
        cum += w
        if abs(cum - total / 2) <= 1e-12 * total:
            return (x + pairs[i + 1][0]) / 2
        if cum >= total / 2:
            return x
    raise AssertionError(pairs)


def reference_borda(rows, weights):
    """rows: one list of child scores (None = missing) per unit, all peers. Each child: the
    unit's (rank - 1) / (n - 1) * 100 among the n peers that have it (ties = min), averaged
    with the weights of the children present."""
    k = len(weights)
    points = [[None] * k for _ in rows]
    for j in range(k):
        have = [r[j] for r in rows if r[j] is not None]
        for i, r in enumerate(rows):
            if r[j] is not None and len(have) > 1:
                rank = 1 + sum(1 for v in have if v < r[j])
                points[i][j] = (rank - 1) / (len(have) - 1) * 100
    out = []
    for p in points:
        pairs = [(x, w) for x, w in zip(p, weights, strict=True) if x is not None]
        wsum = math.fsum(w for _, w in pairs)
        out.append(math.fsum(x * w for x, w in pairs) / wsum if pairs and wsum > 0 else None)
    return out


def reference_copeland(rows, weights):
    """rows as for reference_borda: +1 for each peer beaten on the weight of the children both
    have, -1 for each lost to; (c + m) / (2 m) * 100 among m other peers."""
    active = [i for i, r in enumerate(rows) if any(v is not None for v in r)]
    m = len(active) - 1
    out = [None] * len(rows)
    for i in active:
        c = 0
        for j in active:
            if i == j:
                continue
            margin = 0.0
            for a, b, w in zip(rows[i], rows[j], weights, strict=True):
                if a is not None and b is not None:
                    margin += w * ((a > b) - (a < b))
            c += (margin > 0) - (margin < 0)
        out[i] = None if m < 1 else (c + m) / (2 * m) * 100
    return out


def reference_effective_weights(rows, weights):
    """rows: complete rows of child scores. cov(w_i x_i, y) / var(y), y = sum(w x) / sum(w)."""
    total = math.fsum(weights)
    terms = [[x * w / total for x, w in zip(r, weights, strict=True)] for r in rows]
    y = [math.fsum(t) for t in terms]
    n = len(y)
    my = math.fsum(y) / n
    var = math.fsum((v - my) ** 2 for v in y) / (n - 1)
    out = []
    for j in range(len(weights)):
        col = [t[j] for t in terms]
        mc = math.fsum(col) / n
        out.append(
            math.fsum((c - mc) * (v - my) for c, v in zip(col, y, strict=True)) / (n - 1) / var
        )
    return out
