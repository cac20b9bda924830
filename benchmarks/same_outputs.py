"""Two review output folders hold the same files: ``python benchmarks/same_outputs.py A B``.

For checking that a speed-up changed no output: run ``egov-score review`` (for example on
the data of ``benchmarks/review_state.py``) before and after, then compare the folders. Every
file must be byte-identical, except the manifest ``.egov-score.json`` (its timestamps) and the
workbooks, whose parts must be byte-identical except ``docProps/core.xml`` (the time the
workbook was written). Prints each difference and exits 1 if there is one.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

#: Files whose bytes hold the time they were written.
MANIFEST = ".egov-score.json"
STAMPED_PART = "docProps/core.xml"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != STAMPED_PART}


def differences(a: Path, b: Path) -> list[str]:
    """What differs between the folders ``a`` and ``b``, one line each."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = [f"only in {a}: {p}" for p in sorted(files_a - files_b)]
    out += [f"only in {b}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        if rel.name == MANIFEST:
            continue
        if rel.suffix == ".xlsx":
            same = _parts(a / rel) == _parts(b / rel)
        else:
            same = (a / rel).read_bytes() == (b / rel).read_bytes()
        if not same:
            out.append(f"differs: {rel}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Compare the two folders named on the command line."""
    a, b = (Path(x) for x in (argv if argv is not None else sys.argv[1:]))
    found = differences(a, b)
    print("\n".join(found) or f"same: {sum(1 for p in a.rglob('*') if p.is_file())} files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
