"""Time the geo-tag checks on 100,000 machines: ``python benchmarks/geotags.py``.

A state-sized layout: 50 districts of 7 blocks (350 blocks), machines scattered around their
block's centre (a few blank, zero, swapped, imprecise, far and duplicate), and boundaries for
both levels as polygons of :data:`VERTICES` vertices each (real block outlines have hundreds to
thousands). Timed without boundaries and with them.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from egov_score.io.geojson import Boundaries
from egov_score.kernels.geo import geotag_problems

N = 100_000
DISTRICTS = 50
BLOCKS_PER_DISTRICT = 7
VERTICES = 500


def _circle(cx: float, cy: float, r: float, n: int) -> list[list[tuple[float, float]]]:
    a = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    ring = [(cx + r * math.cos(t), cy + r * math.sin(t)) for t in a]
    return [[*ring, ring[0]]]


def workload(n: int = N, seed: int = 0) -> dict[str, object]:
    """The machines' coordinates as text, their blocks, codes and the boundaries."""
    rng = np.random.default_rng(seed)
    n_blocks = DISTRICTS * BLOCKS_PER_DISTRICT
    # Block centres on a grid over Rajasthan-like latitudes, 0.3° apart.
    bi = np.arange(n_blocks)
    cy = 24.0 + (bi // 25) * 0.3
    cx = 70.0 + (bi % 25) * 0.3
    block = rng.integers(0, n_blocks, n).astype(np.intp)
    lat = cy[block] + rng.normal(0, 0.03, n)
    lon = cx[block] + rng.normal(0, 0.03, n)
    lat_text = np.char.mod("%.6f", lat)
    lon_text = np.char.mod("%.6f", lon)
    pick = rng.permutation(n)
    lat_text[pick[:500]] = ""  # blank
    lat_text[pick[500:1000]], lon_text[pick[500:1000]] = "0", "0"
    lat_text[pick[1000:1500]], lon_text[pick[1000:1500]] = (
        lon_text[pick[1000:1500]],
        lat_text[pick[1000:1500]],
    )  # swapped
    lat_text[pick[1500:2000]] = np.char.mod("%.2f", lat[pick[1500:2000]])  # imprecise
    lat_text[pick[2000:3000]] = lat_text[pick[3000:4000]]  # duplicates
    lon_text[pick[2000:3000]] = lon_text[pick[3000:4000]]
    district = bi // BLOCKS_PER_DISTRICT
    block_codes = np.array([f"B{b:03d}" for b in bi])
    district_codes = np.array([f"D{d:02d}" for d in district])
    blocks = Boundaries.from_polygons(
        [(block_codes[b], _circle(cx[b], cy[b], 0.16, VERTICES)) for b in bi]
    )
    districts = Boundaries.from_polygons(
        [
            (f"D{d:02d}", _circle(cx[d * 7 + 3], cy[d * 7 + 3], 1.5, VERTICES))
            for d in range(DISTRICTS)
        ]
    )
    return {
        "latitude_text": lat_text,
        "longitude_text": lon_text,
        "block": block,
        "boundaries": {"district": districts, "block": blocks},
        "unit_codes": {"district": district_codes[block], "block": block_codes[block]},
    }


def run(w: dict[str, object], *, boundaries: bool) -> object:
    """One run of the checks on the workload."""
    kwargs = dict(w)
    if not boundaries:
        kwargs.pop("boundaries")
        kwargs.pop("unit_codes")
    return geotag_problems(**kwargs)  # type: ignore[arg-type]


def main() -> None:
    """Print the best of three timings, without and with boundaries, and the counts."""
    w = workload()
    for bounds in (False, True):
        best = math.inf
        for _ in range(3):
            t = time.perf_counter()
            report = run(w, boundaries=bounds)
            best = min(best, time.perf_counter() - t)
        label = "with boundaries" if bounds else "without boundaries"
        print(f"{N:,} machines, {label}: {best:.3f} s")
        print("  ", report.counts())  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
