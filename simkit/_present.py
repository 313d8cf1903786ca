"""Presentation helpers shared by every result type: CSV cells and tables.

A number that is not finite (an interval end that the path count cannot
bound, a statistic of too few paths) is never written as ``inf`` or ``nan``:
it is an empty CSV cell, ``null`` in JSON (see :func:`simkit._io.write_json`)
and :data:`NA` in printed tables.
"""

from __future__ import annotations

import csv
import io
import math

__all__ = ["NA", "csv_cell", "csv_text"]

#: What a printed table shows for a number that does not exist (too few paths).
NA = "n/a"


def csv_cell(v):
    """One CSV cell: floats with ``repr`` (they read back exactly), integers and
    strings as they are, ``None`` and non-finite numbers empty.

    Examples
    --------
    >>> [csv_cell(v) for v in (0.1, 3, "a", None, float("inf"), float("nan"))]
    ['0.1', '3', 'a', '', '', '']
    """
    if v is None:
        return ""
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if isinstance(v, int) or getattr(v, "dtype", None) is not None and \
            v.dtype.kind in "iu":
        return str(int(v))
    v = float(v)
    return repr(v) if math.isfinite(v) else ""


def csv_text(head, rows):
    """CSV text of a table: the ``head`` row, then each row of ``rows``
    (cells through :func:`csv_cell`).

    Examples
    --------
    >>> print(csv_text(["a", "b"], [[1, 0.5], [2, float("inf")]]), end="")
    a,b
    1,0.5
    2,
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in rows:
        w.writerow([csv_cell(v) for v in r])
    return buf.getvalue()
