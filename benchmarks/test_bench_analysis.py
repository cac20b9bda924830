"""The analysis report (``egov_score.analyse``) on the workload; nothing asserts a time."""

from __future__ import annotations

import egov_score as eg


def test_analyse_bottom_level(benchmark, sized):
    result = eg.Engine(sized.framework, sized.hierarchy).score(sized.values, "2021-01")
    analysis = benchmark(lambda: eg.analyse(result))
    assert analysis.units == sized.n
