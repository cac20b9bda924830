"""The kernels: plain functions of numpy arrays, with no records, configuration or plugins.

``rollup`` (partial aggregates up a tree), ``normalise``, ``aggregate``, ``rank`` and
``grouped`` (group reductions shared by the others). Each is checked against a slow pure-Python
reference in the tests and timed in ``benchmarks/``.
"""
