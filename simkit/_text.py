"""Numbers and words for printed output: one home for every number formatter.

Everything simkit prints goes through these helpers, so that one rule holds
everywhere: thousands separators, an uncertainty shown with two significant
digits and its value rounded to the same decimal place, percentages, and the
values of scenario settings. Files (JSON, CSV) never use them: they keep full
precision.

The split with :mod:`simkit._present`: this module turns *one number* into
text (and wraps paragraphs); :mod:`simkit._present` lays out and writes
*tables and records* (text tables, CSV, JSON, HTML) and imports from here.
``table`` lived here before and still imports from here (it is
:func:`simkit._present.table`).
"""

from __future__ import annotations

import math
import textwrap

__all__ = ["NA", "WIDTH", "round_to_uncertainty", "number", "money", "count", "fmt",
           "fmt_at", "value_pm", "percent", "percent_exact", "runs_share", "setting",
           "wrap"]

#: What a printed table shows for a number that does not exist (too few paths).
NA = "n/a"

#: Default width of printed output, in characters.
WIDTH = 80


def _finite(v):
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def decimals_for(se, digits=2):
    """Decimal place at which ``se`` has ``digits`` significant digits.

    ``None`` when ``se`` is zero, negative or not finite (nothing to round to).
    Negative results mean tens, hundreds, ...

    Examples
    --------
    >>> decimals_for(21), decimals_for(0.0627), decimals_for(130), decimals_for(0)
    (0, 3, -1, None)
    """
    if not _finite(se) or float(se) <= 0:
        return None
    d = digits - 1 - math.floor(math.log10(float(se)))
    # 9.96 to two digits is 10: one place fewer
    if round(float(se), d) >= 10 ** (digits - d):
        d -= 1
    return d


def round_to_uncertainty(value, se, digits=2):
    """Round ``se`` to ``digits`` significant digits and ``value`` to the same place.

    Parameters
    ----------
    value, se : float
        An estimate and its uncertainty (standard error, interval half-width).
    digits : int
        Significant digits kept on the uncertainty (2).

    Returns
    -------
    value, se : float
        Both rounded; unchanged when ``se`` is zero or not finite.
    decimals : int or None
        The decimal place used (negative: tens, hundreds, ...), or None.

    Examples
    --------
    >>> round_to_uncertainty(1935.50, 21)
    (1936.0, 21.0, 0)
    >>> round_to_uncertainty(2.31, 0.0627)
    (2.31, 0.063, 3)
    >>> round_to_uncertainty(389_003.0, 130.4)
    (389000.0, 130.0, -1)
    """
    d = decimals_for(se, digits)
    if d is None or not _finite(value):
        return value, se, None
    return float(round(float(value), d)), float(round(float(se), d)), d


def number(v, decimals=None, sig=3):
    """A number with thousands separators.

    With ``decimals`` (negative allowed) it is rounded to that place; without,
    whole numbers and numbers of 100 or more print as integers and others
    with ``sig`` significant digits.

    Examples
    --------
    >>> number(28102.4), number(0.2114), number(2.31, 3), number(389003, -1)
    ('28,102', '0.211', '2.310', '389,000')
    >>> number(float("inf")), number(None)   # too few runs to bound it
    ('n/a', 'n/a')
    """
    if v is None:
        return NA
    v = float(v)
    if not math.isfinite(v):
        return NA
    if decimals is not None:
        r = round(v, decimals)
        s = f"{r:,.{max(decimals, 0)}f}"
    elif abs(v) >= 100 or v == int(v):
        s = f"{v:,.0f}"
    else:
        s = f"{v:,.{sig}g}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]  # no "-0"
    return s


def money(v, decimals=None):
    """USD with a dollar sign: ``$2,438``, ``$12.35``, ``$0.0151``, ``-$5.00``.

    Without ``decimals``: whole dollars from $100, cents below, three
    significant digits under $1.

    Examples
    --------
    >>> money(2437.56), money(12.345), money(0.01512), money(-5.0), money(0)
    ('$2,438', '$12.35', '$0.0151', '-$5.00', '$0')
    >>> money(2.31, 3)
    '$2.310'
    """
    if not _finite(v):
        return number(v)
    v = float(v)
    if decimals is None:
        a = abs(v)
        if a >= 100 or a == 0:
            decimals = 0
        elif a >= 1:
            decimals = 2
        else:
            s = number(a, sig=3)
            return ("-$" if v < 0 else "$") + s
    s = number(abs(v), decimals)
    neg = v < 0 and float(s.replace(",", "")) != 0
    return ("-$" if neg else "$") + s


def count(v, decimals=None):
    """A count or other non-money amount (``number`` with separators).

    Examples
    --------
    >>> count(389003.2), count(0.5)
    ('389,003', '0.5')
    """
    return number(v, decimals)


def fmt(v, unit="", decimals=None):
    """``money`` for a ``USD`` unit, else ``count``.

    Examples
    --------
    >>> fmt(2437.56, "USD"), fmt(28102.0, "viewers")
    ('$2,438', '28,102')
    """
    return money(v, decimals) if unit == "USD" else count(v, decimals)


def fmt_at(v, err, unit=""):
    """``v`` rounded to the place of two significant digits of ``err``.

    The digits printed are those the uncertainty ``err`` pins down; the
    default format is used when ``err`` is zero or unknown, and never more
    decimals than a value of that size needs by default.

    Examples
    --------
    >>> fmt_at(1311.39, 25.1, "USD"), fmt_at(389003.0, 130.0), fmt_at(12.0, 0.0)
    ('$1,311', '389,000', '12')
    >>> fmt_at(461.13, 2.2, "USD"), fmt_at(213.0, 1.0), fmt_at(2.3167, 0.0627, "USD")
    ('$461', '213', '$2.32')
    >>> fmt_at(57.04, 2.5, "USD"), fmt_at(1.53, 2.5, "USD")  # no dimes from $10
    ('$57', '$1.5')
    """
    d = decimals_for(err)
    if d is None or not _finite(v):
        return fmt(v, unit)
    v = float(v)
    a = abs(v)
    if a >= 100 or (v == int(v) and unit != "USD"):  # 100 or more; whole counts
        d = min(d, 0)
    elif unit == "USD":  # cents at most; dollars from $10 rather than dimes
        d = min(d, 2)
        if d == 1 and a >= 10:
            d = 0
    return fmt(v, unit, d)


def value_pm(v, err, unit=""):
    """``value ± uncertainty``, the uncertainty to two significant digits.

    Examples
    --------
    >>> value_pm(1935.50, 21, "USD"), value_pm(2.31, 0.0627, "USD")
    ('$1,936 ± 21', '$2.310 ± 0.063')
    >>> value_pm(2525.23, 8.19, "USD"), value_pm(775.3, 0.211)
    ('$2,525.2 ± 8.2', '775.30 ± 0.21')
    >>> value_pm(12.0, 0.0), value_pm(5.0, float("inf"))
    ('12 ± 0', '5 ± n/a')
    """
    v2, e2, d = round_to_uncertainty(v, err)
    if d is None:
        e = "0" if _finite(err) and float(err) == 0 else number(err)
        return f"{fmt(v, unit)} ± {e}"
    return f"{fmt(v2, unit, d)} ± {number(e2, max(d, 0) if d >= 0 else d)}"


def percent(p, se=None):
    """A probability as a percentage, rounded to its standard error if given.

    Examples
    --------
    >>> percent(0.722), percent(0.722, 0.0045), percent(1.0), percent(0.00004)
    ('72%', '72.20 ± 0.45%', '100%', '<0.1%')
    """
    if p is None or not _finite(p):
        return NA
    p = float(p)
    if se is not None and _finite(se) and float(se) > 0:
        v, e, d = round_to_uncertainty(p * 100, float(se) * 100)
        return f"{number(v, max(d, 0))} ± {number(e, max(d, 0))}%"
    if 0 < p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{round(p * 100):d}%" if abs(p * 100 - round(p * 100)) < 1e-9 or \
        0.01 <= p <= 0.99 else f"{p * 100:.1f}%"


def percent_exact(fraction):
    """A fraction as a percentage with the digits it was given (a confidence level).

    Examples
    --------
    >>> percent_exact(0.5), percent_exact(0.9999), percent_exact(0.005)
    ('50%', '99.99%', '0.5%')
    """
    return f"{round(float(fraction) * 100.0, 9):.10g}%"


def runs_share(p, n):
    """A share of ``n`` runs in words: ``all``, ``none``, ``72%``, ``99.96%``.

    Examples
    --------
    >>> runs_share(1.0, 100), runs_share(0.0, 100), runs_share(0.72, 100)
    ('all', 'none', '72%')
    >>> runs_share(0.9996, 10_000)
    '99.96%'
    """
    k = round(p * n)
    if k == n:
        return "all"
    if k == 0:
        return "none"
    return percent(p) if 0.01 <= p <= 0.99 else f"{p:.2%}"


def setting(x):
    """The value of a scenario setting (an input, a fitted estimate): four
    significant digits, whole numbers from 1,000 with separators, scientific
    notation outside [0.001, 1e6).

    Examples
    --------
    >>> setting(0.035), setting(12.3456), setting(2.5e-5), setting(0), setting(3.5e6)
    ('0.035', '12.35', '2.500e-05', '0', '3,500,000')
    >>> setting(75_000), setting(1234.56)
    ('75,000', '1235')
    """
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if x == int(x) and 1000 <= abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:.4g}" if 1e-3 <= abs(x) < 1e6 else f"{x:.3e}"


def wrap(text, width=WIDTH, indent=""):
    """Wrap a paragraph to ``width`` columns (long words stay whole).

    Examples
    --------
    >>> wrap("one two three", 8)
    'one two\\nthree'
    """
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)
