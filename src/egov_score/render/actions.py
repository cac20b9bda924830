"""Writing the action lists: one CSV per district and per block, beside the cards.

Every file goes through :func:`~egov_score.io.table.write_csv` (formula-leading cells such as a
nodal officer's name ``=HYPERLINK(...)`` neutralised) and every name through
:func:`~egov_score.io.table.safe_file_names` (:func:`~egov_score.review.actions.list_paths`), so
a code like ``../../evil`` cannot write outside the output folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from egov_score.exceptions import InputError
from egov_score.io.table import write_csv
from egov_score.review.actions import list_paths
from egov_score.review.division import Review

__all__ = ["write_action_lists"]


def write_action_lists(rv: Review, out_dir: str | Path) -> list[Path]:
    """Write every district's and block's action list for the review month.

    Files: ``<out_dir>/actions/<list key>/<level>/<code>.csv`` (see
    :func:`~egov_score.review.actions.list_paths`), one per unit of every level that has
    lists, header only when nothing under the unit needs action, so a card's link never
    breaks. Columns: ``code``, ``name`` (gram panchayat or office), the district and block,
    the plugin's text columns (``nodal_officer_name``, ``nodal_officer_phone``), ``reasons``
    (how many), then one 0/1 column per reason; rows most reasons first, then by code.
    ``XLSX`` lists are left to the Excel writer.

    Returns:
        The files written.

    Raises:
        InputError: a file would land outside ``out_dir`` (a symbolic link out).
    """
    out = Path(out_dir)
    root = out.resolve()
    written = []
    for t in rv.actions:
        for level, owners in t.owners.items():
            codes = rv.result.level(level).codes.tolist()
            order = np.argsort(owners, kind="stable")  # severity order kept within a unit
            bounds = np.concatenate(([0], np.cumsum(np.bincount(owners, minlength=len(codes)))))
            for i, name in enumerate(list_paths(t, level, codes)):
                path = out / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.resolve().is_relative_to(root):
                    raise InputError(
                        f"{path}: every action list must be written inside {str(out)!r}"
                    )
                write_csv(path, t.columns(order[bounds[i] : bounds[i + 1]]))
                written.append(path)
    return written
