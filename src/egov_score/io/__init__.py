"""Tables at the edge: every table read (CSV, Excel) and written (the one CSV writer, the one
XLSX writer).

This layer knows files, cells and string columns; it knows nothing of hierarchies, frameworks
or scores, so every layer above can read and write through it.
"""

from egov_score.io.table import Table, closest_column, format_problems, write_csv
from egov_score.io.xlsx import write_xlsx

__all__ = ["Table", "closest_column", "format_problems", "write_csv", "write_xlsx"]
