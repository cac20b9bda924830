"""Writing the action lists: one CSV per district and per block, beside the cards, and one
Excel workbook per list holding every unit needing action.

Every file goes through :func:`~egov_score.io.table.write_csv` (formula-leading cells such as a
nodal officer's name ``=HYPERLINK(...)`` neutralised) and every name through
:func:`~egov_score.io.table.unit_file_names` (:func:`~egov_score.review.actions.list_paths`), so
a code like ``../../evil`` cannot write outside the output folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from egov_score.io.table import path_inside, safe_file_names, write_csv
from egov_score.io.workbooks import WorkbookJob
from egov_score.review.actions import ACTIONS_FOLDER, list_paths
from egov_score.review.division import Review

__all__ = ["action_workbooks", "workbook_paths", "write_action_lists", "write_action_workbooks"]


def workbook_paths(rv: Review) -> list[str]:
    """The action-list workbooks of ``rv``, relative to the output folder:
    ``actions/<list key>.xlsx``, one per list, the key made safe by
    :func:`~egov_score.io.table.safe_file_names` as the CSV lists' folder is."""
    keys = safe_file_names([t.reasons.key for t in rv.actions])
    return [f"{ACTIONS_FOLDER}/{key}.xlsx" for key in keys]


def write_action_workbooks(rv: Review, out_dir: str | Path) -> list[Path]:
    """Write every action list of the review month as one Excel workbook (the ``excel`` extra).

    Files: ``<out_dir>/actions/<list key>.xlsx`` (:func:`workbook_paths`), one sheet named
    after the list holding every unit needing action, across the whole hierarchy, with the
    columns of the CSV lists (code, name, the district and block, the plugin's text columns,
    ``reasons``, then one 0/1 number column per reason), in the same severity order (most
    reasons first, then by code); header frozen, filters on. Text is never a formula
    (:func:`~egov_score.io.xlsx.write_xlsx`).

    Returns:
        The files written.

    Raises:
        InputError: the extra is missing, a list is longer than a sheet holds, or a file would
            land outside ``out_dir``.
    """
    return [job.write() for job in action_workbooks(rv, out_dir)]


def action_workbooks(rv: Review, out_dir: str | Path) -> list[WorkbookJob]:
    """The workbooks :func:`write_action_workbooks` writes, not yet written (their folders
    made), for :func:`~egov_score.io.workbooks.start_workbooks`.

    Raises:
        InputError: a file would land outside ``out_dir``.
    """
    out = Path(out_dir)
    jobs = []
    for t, name in zip(rv.actions, workbook_paths(rv), strict=True):
        path = path_inside(out, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        everyone = np.arange(len(t.units))
        jobs.append(WorkbookJob(path=path, sheets={t.reasons.key: t.columns(everyone)}))
    return jobs


def write_action_lists(
    rv: Review, out_dir: str | Path, *, bom: bool = True, same_as: str | Path | None = None
) -> list[Path]:
    """Write every district's and block's action list for the review month.

    Files: ``<out_dir>/actions/<list key>/<level>/<name>.csv`` (see
    :func:`~egov_score.review.actions.list_paths`), one per unit of every level that has
    lists, header only when nothing under the unit needs action, so a card's link never
    breaks. Columns: ``code``, ``name`` (gram panchayat or office), the district and block,
    the plugin's text columns (``nodal_officer_name``, ``nodal_officer_phone``), ``reasons``
    (how many), then one 0/1 column per reason; rows most reasons first, then by code.
    The Excel workbooks are :func:`write_action_workbooks`. Each file starts with a UTF-8
    byte-order mark, so Excel on Windows shows its Hindi, unless ``bom=False``.

    The lists hold no words of a language, so a run writing several languages formats them
    once: ``same_as`` names a folder where this review's lists were written already, with the
    same ``bom`` (another language's), and each file is copied from there.

    Returns:
        The files written.

    Raises:
        InputError: a file would land outside ``out_dir`` (a symbolic link out).
    """
    out = Path(out_dir)
    written = []
    for t in rv.actions:
        for level, owners in t.owners.items():
            lv = rv.result.level(level)
            codes = lv.codes.tolist()
            order = np.argsort(owners, kind="stable")  # severity order kept within a unit
            bounds = np.concatenate(([0], np.cumsum(np.bincount(owners, minlength=len(codes)))))
            for i, name in enumerate(list_paths(t, level, codes, lv.names.tolist())):
                path = path_inside(out, name)  # checked before a folder is made through it
                path.parent.mkdir(parents=True, exist_ok=True)
                if same_as is None:
                    write_csv(path, t.columns(order[bounds[i] : bounds[i + 1]]), bom=bom)
                else:
                    shutil.copyfile(path_inside(Path(same_as), name), path)
                written.append(path)
    return written
