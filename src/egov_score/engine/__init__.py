"""The scoring run over the two trees: roll up, indicators, normalise, aggregate, rank, band.

The engine takes values and kernels; it does not know that plugins exist (the composition in
:mod:`egov_score.pipeline` joins the two). Its modules: ``run`` (:class:`Engine`, :func:`score`),
``stack`` (periods stacked into one set of rows), ``fields`` (roll-ups), ``indicators``
(measure and normalise), ``levels`` (aggregate, rank and band one level), ``notes``
(diagnostics), ``schedule`` (which thread scores what).
"""

from egov_score.engine.run import PARALLEL_MIN_ROWS, Engine, score

__all__ = ["PARALLEL_MIN_ROWS", "Engine", "score"]
