"""Presentation: one place that renders what a result describes.

A result type *describes* its output, and this module *renders* it; a result
dataclass holds data, not formatting code.

* A record: ``to_dict()`` (plain values) -> :func:`json_value` (JSON-safe:
  NaN and infinities become ``None``, numpy values Python ones) ->
  :func:`json_text` (strict JSON, ``allow_nan=False``, indented).
* A table: ``(head, rows)`` of plain values (conventionally a ``_table()``
  method) -> :func:`csv_text` (floats exact with ``repr``; a missing number
  is an empty cell). Printed tables are ``(head, rows)`` of formatted strings
  -> :func:`table` (text that fits :data:`WIDTH` columns) or
  :func:`html_table` (notebooks' ``_repr_html_``, every text escaped).
  :func:`quantile_table` is the mean-and-quantiles table of summaries,
  comparisons and bands.
* :func:`text_out` returns the text, or writes it atomically to a path.
* :func:`short_repr` is the ``repr`` of every result (kind, title, headline).

Numbers inside printed cells come from :mod:`simkit._text` (``fmt``,
``fmt_at``, ``value_pm``, ``percent``, ``setting``, ...): that module formats
one number, this one lays out tables and records. A number that is not
finite (an interval end that the path count cannot bound, a statistic of too
few paths) is never written as ``inf`` or ``nan``: it is an empty CSV cell,
``null`` in JSON and :data:`NA` in printed tables.

Examples
--------
>>> head, rows = ["variant", "mean"], [["fast", 1.5], ["slow", float("nan")]]
>>> print(csv_text(head, rows), end="")
variant,mean
fast,1.5
slow,
>>> print(json_text({"mean": rows[1][1]}), end="")
{
  "mean": null
}
>>> from simkit._text import number
>>> lines, dropped = table(head, [[v, number(m)] for v, m in rows])
>>> print("\\n".join(lines))
variant  mean
-------  ----
fast      1.5
slow      n/a
>>> html_table("t", head, [["<b>", 1]])[:41]
'<div><strong>t</strong><table><thead><tr>'
"""

from __future__ import annotations

import csv
import io
import json
import math

from ._text import NA, WIDTH, fmt_at, value_pm

__all__ = ["NA", "WIDTH", "json_value", "json_text", "csv_cell", "csv_text", "table",
           "html_table", "quantile_table", "short_repr", "text_out"]


def json_value(v):
    """``v`` made JSON-safe: every NaN and infinity (at any depth) ``None``,
    numpy arrays and scalars Python lists and numbers, tuples lists, dict keys
    strings, anything else its ``str``.

    Examples
    --------
    >>> import numpy as np
    >>> json_value({"a": np.array([1.0, np.inf]), 2: (np.int64(3), None, "x")})
    {'a': [1.0, None], '2': [3, None, 'x']}
    >>> json_value(float("nan")) is None, json_value(np.float64(0.5))
    (True, 0.5)
    """
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    if hasattr(v, "tolist"):  # numpy arrays and scalars
        v = v.tolist()
        if isinstance(v, list):
            return json_value(v)
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def json_text(obj):
    """Strict JSON text of ``obj`` (through :func:`json_value`; indented, one
    trailing newline). ``json.dumps`` runs with ``allow_nan=False``, so no
    ``NaN`` or ``Infinity`` can reach a file.

    Examples
    --------
    >>> import numpy as np
    >>> print(json_text({"a": float("nan"), "b": np.float64(1.5)}), end="")
    {
      "a": null,
      "b": 1.5
    }
    """
    return json.dumps(json_value(obj), indent=2, allow_nan=False) + "\n"


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
    (cells through :func:`csv_cell`; quoted only where CSV needs it).

    Examples
    --------
    >>> print(csv_text(["a", "b"], [[1, 0.5], [2, float("inf")], ["x,y", None]]),
    ...       end="")
    a,b
    1,0.5
    2,
    "x,y",
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in rows:
        w.writerow([csv_cell(v) for v in r])
    return buf.getvalue()


def _cut(text, n):
    return text if len(text) <= n else text[:max(n - 1, 1)] + "…"


def table(head, rows, *, align=None, optional=(), width=WIDTH, wide=False, indent=0,
          rule=True, gap=2):
    """Render a text table that fits ``width`` columns unless ``wide``.

    Parameters
    ----------
    head : sequence of str
        Column headings.
    rows : sequence of sequence
        Cells (converted with ``str``).
    align : str, optional
        One letter per column, ``l`` or ``r`` (default: first left, rest right).
    optional : sequence of int
        Columns that may be dropped, first listed first, while the table is
        wider than ``width``.
    width : int
        Width budget in characters.
    wide : bool
        Keep every column whatever the width.
    indent : int
        Spaces before each line.
    rule : bool
        A line of dashes under the heading.
    gap : int
        Spaces between columns (1 when the table is still too wide).

    Returns
    -------
    lines : list of str
    dropped : list of str
        Headings of the columns left out.

    Examples
    --------
    >>> lines, dropped = table(["a", "bbbb", "c"], [["x", 1, 22]], optional=[1],
    ...                        width=8)
    >>> print("\\n".join(lines)); dropped
    a   c
    -  --
    x  22
    ['bbbb']
    """
    head = [str(h) for h in head]
    rows = [[str(c) for c in r] for r in rows]
    align = align or "l" + "r" * (len(head) - 1)
    keep = list(range(len(head)))

    def widths(cols):
        return [max(len(head[i]), *(len(r[i]) for r in rows)) for i in cols]

    def total(cols):
        return indent + sum(widths(cols)) + gap * (len(cols) - 1)

    dropped = []
    if not wide:
        for i in optional:
            if total(keep) <= width:
                break
            keep.remove(i)
            dropped.append(head[i])
        if total(keep) > width:  # closer columns
            gap = min(gap, 1)
        over = total(keep) - width
        if over > 0:  # then a shorter first (label) column
            w0 = widths(keep)[0]
            head = [_cut(head[0], max(w0 - over, 8)), *head[1:]]
            rows = [[_cut(r[0], max(w0 - over, 8)), *r[1:]] for r in rows]
    ws = widths(keep)
    pad = " " * indent
    sep = " " * gap

    def line(cells):
        return pad + sep.join(
            (c.ljust(w) if align[i] == "l" else c.rjust(w))
            for i, c, w in zip(keep, (cells[i] for i in keep), ws)).rstrip()

    out = [line(head)]
    if rule:
        out.append(pad + sep.join("-" * w for w in ws))
    out += [line(r) for r in rows]
    return out, dropped




def html_table(title, head, rows, caption="", *, page=False, numeric_from=1):
    """A small HTML table, every text escaped.

    Two looks share this one renderer: a notebook's ``_repr_html_`` (the
    default: a titled ``<div>``, columns aligned by inline style) and the HTML
    report (``page=True``: a bare ``<table>`` with a ``<caption>``, numeric
    cells marked ``class="num"`` for the page's style sheet; ``title`` is not
    shown, the report gives each table a heading of its own).

    Parameters
    ----------
    title : str
        Bold title above a notebook table.
    head : sequence of str
        Column headings.
    rows : sequence of sequence
        Cells, already formatted (``str`` is applied and the text escaped).
    caption : str
        A sentence under the title (notebook) or the table's caption (page).
    page : bool
        The report's look.
    numeric_from : int
        First right-aligned (numeric) column; the ones before are text.

    Examples
    --------
    >>> html_table("a < b", ["x"], [["<i>"]], "1 & 2")[:53]
    '<div><strong>a &lt; b</strong><p>1 &amp; 2</p><table>'
    >>> html_table("t", ["x", "y"], [["a", 1]]).split("<tbody>")[1]
    ... # doctest: +NORMALIZE_WHITESPACE
    "<tr><td style='text-align:left'>a</td><td
    style='text-align:right'>1</td></tr></tbody></table></div>"
    >>> print(html_table("", ["x", "y"], [["a", 1]], "c", page=True))
    <table>
    <caption>c</caption>
    <thead><tr><th>x</th><th>y</th></tr></thead><tbody>
    <tr><td>a</td><td class="num">1</td></tr>
    </tbody></table>
    """
    from html import escape

    def body(text_td, num_td):
        return ["<tr>" + "".join(
            (num_td if i >= numeric_from else text_td).format(escape(str(c)))
            for i, c in enumerate(r)) + "</tr>" for r in rows]

    cells = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    if page:
        out = ["<table>"]
        if caption:
            out.append(f"<caption>{escape(str(caption))}</caption>")
        out.append(f"<thead><tr>{cells}</tr></thead><tbody>")
        out += body("<td>{}</td>", '<td class="num">{}</td>')
        out.append("</tbody></table>")
        return "\n".join(out)
    rows_html = "".join(body("<td style='text-align:left'>{}</td>",
                             "<td style='text-align:right'>{}</td>"))
    cap = f"<p>{escape(caption)}</p>" if caption else ""
    return (f"<div><strong>{escape(str(title))}</strong>{cap}<table>"
            f"<thead><tr>{cells}</tr></thead><tbody>{rows_html}</tbody></table></div>")


#: Plain headings of the quantiles a default table shows; others are optional.
_PLAIN_LEVELS = {0.05: "low (P5)", 0.5: "typical (P50)", 0.95: "high (P95)"}

def quantile_table(first, rows, levels, *, details=False, wide=False, first_align="l"):
    """Text table of averages and quantiles, one row per metric, variant or step.

    Parameters
    ----------
    first : str
        Heading of the label column.
    rows : sequence of tuple
        ``(label, unit, mean, se, values, half_widths)``, ``values`` and
        ``half_widths`` one per level.
    levels : sequence of float
        Quantile levels (fractions).
    details : bool
        ``mean ± s.e.`` and every quantile ``± half-width`` (any width);
        otherwise ``average ± error`` and each quantile rounded to its
        interval, P5/P50/P95 named in words and the other levels left out
        first when the table would pass 80 columns (unless ``wide``).
    wide : bool
        Keep every column.
    first_align : {"l", "r"}
        Alignment of the label column.

    Returns
    -------
    lines : list of str
    dropped : list of str
        Headings left out.

    Examples
    --------
    >>> lines, dropped = quantile_table("what", [("income", "USD", 2525.23, 8.19,
    ...     [1311.4, 1935.5, 2437.6], [25.1, 21.0, 19.5])], [0.05, 0.25, 0.5])
    >>> print("\\n".join(lines))
    what    average ± error  low (P5)     P25  typical (P50)
    ------  ---------------  --------  ------  -------------
    income   $2,525.2 ± 8.2    $1,311  $1,936         $2,438
    """
    levels = [float(q) for q in levels]
    if details:
        head = [first, "mean ± s.e.", *(f"P{q * 100:g}" for q in levels)]
        body = [[lab, value_pm(m, se, u), *(value_pm(v, h, u) for v, h in zip(vs, hs))]
                for lab, u, m, se, vs, hs in rows]
        return table(head, body, wide=True, align=first_align + "r" * (len(head) - 1))
    head = [first, "average ± error",
            *(_PLAIN_LEVELS.get(round(q, 12), f"P{q * 100:g}") for q in levels)]
    body = [[lab, value_pm(m, se, u), *(fmt_at(v, h, u) for v, h in zip(vs, hs))]
            for lab, u, m, se, vs, hs in rows]
    optional = [2 + i for i, q in enumerate(levels)
                if round(q, 12) not in _PLAIN_LEVELS]
    optional.sort(key=lambda i: abs(levels[i - 2] - 0.5))  # innermost last
    return table(head, body, optional=optional, wide=wide,
                 align=first_align + "r" * (len(head) - 1))


def short_repr(kind, title, sentence=""):
    """A few lines for ``repr``: the kind and title, then the headline.

    Examples
    --------
    >>> print(short_repr("Bands", "income by day", "It grows."))
    <Bands: income by day>
    It grows.
    """
    text = f"<{kind}: {title}>"
    if sentence:
        text += "\n" + sentence
    return text


def text_out(text, path=None):
    """Return ``text`` when ``path`` is None, else write it to ``path``
    atomically (UTF-8) and return None: the ``to_json``/``to_csv`` convention.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text_out("a,b\\n")
    'a,b\\n'
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> text_out("a,b\\n", f), f.read_text()
    (None, 'a,b\\n')
    """
    if path is None:
        return text
    from ._io import atomic_write_text

    atomic_write_text(path, text)
    return None
