"""Sponsorship quotes: what delivery can be guaranteed, at what price and risk.

:func:`quote_table` is the arithmetic on a sample of deliverables (pure numpy);
:func:`quote` simulates a scenario per stream and quotes a single sponsored
stream and a campaign of ``K`` consecutive streams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import metrics as _metrics
from .._present import (csv_text, html_table, json_text, json_value, short_repr,
                        table, text_out)
from .._text import percent_exact
from ..errors import SimkitError
from ..scenario._schema import SCHEMA
from .. import _validate
from .._quantiles import order_statistic_ranks

__all__ = ["QuoteRow", "QuoteTable", "QuoteResult", "quote_table", "deliverable_sample",
           "quote", "DELIVERABLES", "DEFAULT_LEVELS"]

#: What a sponsor can buy.
DELIVERABLES = ("viewer_minutes", "unique_viewers", "peak_concurrent")

#: Default confidence levels of a quote (fractions).
DEFAULT_LEVELS = (0.50, 0.80, 0.90, 0.95)


@dataclass(frozen=True)
class QuoteRow:
    """One line of a quote: promise a delivery with confidence ``level``.

    Attributes
    ----------
    level : float
        Confidence ``c`` that the promise is met.
    guaranteed : float
        ``g_c``, the ``(1 - c)`` sample quantile (an order statistic): at least
        a fraction ``c`` of the paths deliver ``g_c`` or more.
    guaranteed_lo, guaranteed_hi : float
        Order-statistic confidence interval of ``g_c`` (``-inf``/``inf`` when
        too few paths bound it).
    price, price_lo, price_hi : float or None
        ``rate * g_c`` and its interval (``None`` without a rate).
    p_short, p_short_se : float
        Fraction of paths delivering less than ``g_c``, and its binomial s.e.
    shortfall, shortfall_se : float
        Expected shortfall ``E[(g_c - X)+]`` and its s.e. (``g_c`` held fixed).
    make_good, make_good_se : float or None
        ``rate * shortfall``: the expected cost of making good a missed promise.
    """

    level: float
    guaranteed: float
    guaranteed_lo: float
    guaranteed_hi: float
    price: float | None
    price_lo: float | None
    price_hi: float | None
    p_short: float
    p_short_se: float
    shortfall: float
    shortfall_se: float
    make_good: float | None
    make_good_se: float | None

    def to_dict(self):
        """Return a JSON-ready dict (non-finite values become ``None``).

        Examples
        --------
        >>> import numpy as np
        >>> r = quote_table(np.arange(100.0), [0.9], cpm=10.0).rows[0]
        >>> d = r.to_dict()
        >>> d["level"], d["guaranteed"], d["price"], d["guaranteed_lo"]
        (0.9, 9.0, 0.09, 4.0)
        """
        return json_value({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class QuoteTable:
    """A quote for one deliverable sample (a stream, or a campaign).

    Attributes
    ----------
    deliverable : str
        What is delivered (``viewer_minutes``, ``unique_viewers``,
        ``peak_concurrent``).
    label : str
        What was sponsored, e.g. ``"stream 3"``.
    streams : int
        Streams in the deal (1 for a single stream).
    n : int
        Paths counted (those where every sponsored stream went live).
    n_excluded : int
        Paths left out because a sponsored stream did not go live.
    mean, mean_se : float
        Mean delivery and its standard error.
    rate : float or None
        USD per unit delivered (``cpm / 1000``, or a flat rate per unit).
    rate_label : str
        How the rate was given, e.g. ``"CPM $12.00"``.
    confidence : float
        Level of the interval on each ``guaranteed``.
    rows : tuple of QuoteRow
        One per confidence level.
    """

    deliverable: str
    label: str
    streams: int
    n: int
    n_excluded: int
    mean: float
    mean_se: float
    rate: float | None
    rate_label: str
    confidence: float
    rows: tuple

    def row(self, level):
        """The row of confidence ``level`` (a fraction).

        Examples
        --------
        >>> import numpy as np
        >>> t = quote_table(np.arange(100.0), [0.5, 0.9])
        >>> t.row(0.9).guaranteed, t.row(0.5).guaranteed
        (9.0, 49.0)
        """
        for r in self.rows:
            if abs(r.level - level) < 1e-9:
                return r
        raise SimkitError(f"no quote at level {level}; levels are "
                          f"{', '.join(f'{r.level:g}' for r in self.rows)}")

    @property
    def fair_value(self):
        """``rate * mean``: expected worth of the delivery (``None`` without a rate).

        Examples
        --------
        >>> import numpy as np
        >>> quote_table(np.arange(100.0), cpm=20.0).fair_value  # 49.5 x $0.02
        0.99
        """
        return None if self.rate is None else self.rate * self.mean

    def to_dict(self):
        """Return a JSON-ready dict (with ``fair_value`` and one dict per row).

        Examples
        --------
        >>> import json
        >>> import numpy as np
        >>> t = quote_table(np.arange(100.0), [0.5, 0.9], cpm=10.0, label="stream 0")
        >>> d = json.loads(json.dumps(t.to_dict()))
        >>> d["label"], d["n"], d["rate"], [r["level"] for r in d["rows"]]
        ('stream 0', 100, 0.01, [0.5, 0.9])
        """
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "rows"}
        d["fair_value"] = self.fair_value
        d["rows"] = [r.to_dict() for r in self.rows]
        return json_value(d)

    def csv_rows(self):
        """Return a header and one row per level (plain numbers; None: no rate).

        Examples
        --------
        >>> import numpy as np
        >>> head, rows = quote_table(np.arange(100.0), [0.5, 0.9]).csv_rows()
        >>> head[:6]
        ['label', 'deliverable', 'streams', 'n', 'level', 'guaranteed']
        >>> [r[4:6] for r in rows]  # level, guarantee
        [[0.5, 49.0], [0.9, 9.0]]
        >>> rows[0][head.index("price")] is None  # no rate given
        True
        """
        keys = list(QuoteRow.__dataclass_fields__)
        head = ["label", "deliverable", "streams", "n", *keys]
        rows = [[self.label, self.deliverable, self.streams, self.n,
                 *(getattr(r, k) for k in keys)] for r in self.rows]
        return head, rows

    def __str__(self):
        return self.render()

    def __repr__(self):
        return short_repr("QuoteTable", f"{self.label}: {self.deliverable}, "
                           f"{self.n:,} paths", self.headline())

    def _repr_html_(self):
        from .._text import fmt_at, percent

        u = _metrics.UNITS.get(self.deliverable, "")
        rows = [[percent_exact(r.level),
                 fmt_at(r.guaranteed, max(r.guaranteed - r.guaranteed_lo,
                                          r.guaranteed_hi - r.guaranteed), u),
                 "—" if r.price is None else fmt_at(r.price, 0.0, "USD"),
                 percent(r.p_short)] for r in self.rows]
        return html_table(self.label, ["sure", "promise", "price", "falls short"],
                           rows, self.headline())

    def headline(self):
        """One plain sentence: typical delivery and what 9 runs in 10 deliver.

        Examples
        --------
        >>> import numpy as np
        >>> t = quote_table(np.arange(1, 1001.0), [0.5, 0.9], cpm=10.0,
        ...                 label="stream 3")
        >>> print(t.headline())
        Stream 3 typically delivers about 500 minutes watched; 9 times in 10 at least
        100 (worth $1.00 at CPM $10.00).
        """
        from .. import _words
        from .._text import wrap

        u = _metrics.UNITS.get(self.deliverable, "")
        name = _words.metric_name(self.deliverable)
        lab = self.label[0].upper() + self.label[1:]
        med = [r for r in self.rows if abs(r.level - 0.5) < 1e-9]
        s = (f"{lab} typically delivers about {_words.about(med[0].guaranteed, u)} "
             f"{name}" if med else
             f"{lab} delivers {_words.about(self.mean, u)} {name} on average")
        r = next((r for r in self.rows if abs(r.level - 0.9) < 1e-9), self.rows[-1])
        times = ("9 times in 10" if abs(r.level - 0.9) < 1e-9
                 else f"with {percent_exact(r.level)} confidence")
        s += f"; {times} at least {_words.about(r.guaranteed, u)}"
        if r.price is not None:
            s += f" (worth {_words.about(r.price)} at {self.rate_label})"
        return wrap(s + ".")

    def render(self, *, details=False, wide=False):
        """The quote table as text (plain by default; every statistic with
        ``details``; every column with ``wide``).

        Examples
        --------
        >>> import numpy as np
        >>> t = quote_table(np.arange(1, 1001.0), [0.5, 0.9], cpm=10.0,
        ...                 label="stream 3")
        >>> print(t.render())  # doctest: +NORMALIZE_WHITESPACE
        stream 3: minutes watched, 1,000 simulated runs
          on average 500.5 ± 9.1 minutes watched, worth $5.005 ± 0.091 at CPM $10.00
          sure  promise  price  falls short  avg shortfall  make-good
          ----  -------  -----  -----------  -------------  ---------
           50%      500  $5.00          50%            125      $1.25
           90%      100  $1.00          10%           4.95      $0.05
        """
        from .. import _words
        from .._text import fmt_at, percent, value_pm

        u = _metrics.UNITS.get(self.deliverable, "")
        name = (self.deliverable if details
                else _words.metric_name(self.deliverable))
        runs = "paths" if details else "simulated runs"
        gone = ("path" if details else "run") + ("" if self.n_excluded == 1 else "s")
        lines = [f"{self.label}: {name}" + (f" ({u})" if details else "")
                 + f", {self.n:,} {runs}"
                 + (f" ({self.n_excluded:,} {gone} left out: a sponsored stream did "
                    "not go live)" if self.n_excluded else "")]
        worth = ""
        if self.rate is not None:
            fair = value_pm(self.fair_value, self.rate * self.mean_se, "USD")
            worth = f", worth {fair} at {self.rate_label}"
        lines.append(f"  {'expected delivery' if details else 'on average'} "
                     f"{value_pm(self.mean, self.mean_se, u)}"
                     + ("" if details else f" {name}") + worth)
        rows = []
        for r in self.rows:
            hw = max(r.guaranteed - r.guaranteed_lo, r.guaranteed_hi - r.guaranteed)
            phw = None if r.price is None else max(r.price - r.price_lo,
                                                   r.price_hi - r.price)
            if details:
                rows.append([
                    percent_exact(r.level), value_pm(r.guaranteed, hw, u),
                    f"[{fmt_at(r.guaranteed_lo, hw, u)}, "
                    f"{fmt_at(r.guaranteed_hi, hw, u)}]",
                    "—" if r.price is None else value_pm(r.price, phw, "USD"),
                    value_pm(r.p_short, r.p_short_se),
                    value_pm(r.shortfall, r.shortfall_se, u),
                    "—" if r.make_good is None
                    else value_pm(r.make_good, r.make_good_se, "USD")])
            else:
                rows.append([
                    percent_exact(r.level), fmt_at(r.guaranteed, hw, u),
                    "—" if r.price is None else fmt_at(r.price, phw, "USD"),
                    percent(r.p_short), fmt_at(r.shortfall, r.shortfall_se, u),
                    "—" if r.make_good is None
                    else fmt_at(r.make_good, r.make_good_se, "USD")])
        if details:
            pct = percent_exact(self.confidence)
            head = ["confidence", "guarantee", f"{pct} CI", "price", "P(short)",
                    "E[shortfall]", "make-good"]
            tab, _ = table(head, rows, align="r" * len(head), indent=2, wide=True)
        else:
            head = ["sure", "promise", "price", "falls short", "avg shortfall",
                    "make-good"]
            tab, _ = table(head, rows, align="r" * len(head), indent=2,
                           optional=[4], wide=wide)
        lines += tab
        med = [r for r in self.rows if abs(r.level - 0.5) < 1e-9]
        if med and details:
            m = med[0]
            lines.append(f"  promising the median ({fmt_at(m.guaranteed, 0, u)}) falls "
                         f"short with probability "
                         f"{value_pm(m.p_short, m.p_short_se)}")
        return "\n".join(lines)


#: Largest CPM and flat rate per unit (USD) a quote accepts: the bounds of
#: ``sponsorship.cpm_usd`` and ``sponsorship.flat_rate_usd`` (no sponsor pays
#: $1 per viewer-minute; see docs/scenario-format.md).
MAX_CPM = SCHEMA["sponsorship"]["cpm_usd"].hi
MAX_FLAT_RATE = SCHEMA["sponsorship"]["flat_rate_usd"].hi
#: Largest delivery a quote prices: squares and sums of n <= 1e9 such values,
#: times a rate <= MAX_FLAT_RATE, stay far from float64 overflow (a simulated
#: delivery stays below 1e17 within the scenario bounds).
MAX_DELIVERY = 1e100


def _rate(cpm, flat_rate):
    if cpm is not None and flat_rate is not None:
        raise SimkitError("give either `cpm` or `flat_rate`, not both")
    if cpm is not None:
        c = _validate.number_in(cpm, "cpm", 0, MAX_CPM, what="a number of USD",
                                note=" (no sponsor pays more)")
        return c / 1000.0, f"CPM ${c:,.2f}"
    if flat_rate is not None:
        f = _validate.number_in(flat_rate, "flat_rate", 0, MAX_FLAT_RATE,
                                what="a number of USD", note=" (no sponsor pays more)")
        return f, f"${f:,.4g} per unit"
    return None, ""


def _quote_table_iv(x, levels, cpm, flat_rate, confidence, deliverable, label):
    """Input validation for :func:`quote_table`:
    ``(sample, levels, confidence, rate, rate_label)``."""
    lv = _validate.levels(levels, "levels", closed=False)
    confidence = _validate.confidence(confidence)
    rate, rate_label = _rate(cpm, flat_rate)
    try:
        x = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        raise SimkitError(f"`x` must be an array of numbers, got "
                          f"{type(x).__name__}") from None
    if x.size == 0:
        raise SimkitError(f"no paths to quote {label or deliverable} from (no path "
                          "where the sponsored stream(s) went live)")
    if not np.all(np.isfinite(x)):
        raise SimkitError("deliverable sample has NaN or infinite values")
    big = float(np.max(np.abs(x)))
    if big > MAX_DELIVERY:
        raise SimkitError(f"deliverable sample has a value of {big:.3g}, beyond "
                          f"{MAX_DELIVERY:g}: too large to price without overflow")
    return x, lv, confidence, rate, rate_label


def quote_table(x, levels=DEFAULT_LEVELS, *, cpm=None, flat_rate=None,
                confidence=0.95, deliverable="viewer_minutes", label="",
                streams=1, n_excluded=0):
    """Quote a delivery from a sample of what was delivered on each path.

    Parameters
    ----------
    x : array_like
        Delivery on each counted path (1-d, finite, at least one value).
    levels : sequence of float
        Confidence levels ``c`` (fractions in (0, 1)).
    cpm : float, optional
        Price in USD per 1,000 units delivered.
    flat_rate : float, optional
        Price in USD per unit delivered (instead of ``cpm``).
    confidence : float
        Level of the order-statistic interval on each guarantee.
    deliverable, label : str
        Names for the table.
    streams : int
        Streams in the deal (for the table only).
    n_excluded : int
        Paths left out before ``x`` was formed (reported only).

    Returns
    -------
    QuoteTable

    Raises
    ------
    SimkitError
        On an empty or non-finite sample, or bad levels or rates.

    See Also
    --------
    quote : simulate a scenario and quote its sponsored stream(s).
    simkit.analysis.order_statistic_ranks

    Notes
    -----
    With ``x_(1) <= ... <= x_(n)`` sorted and ``k = ceil(n (1 - c))`` (at least
    1), the guarantee is ``g_c = x_(k)``, so at least ``n c`` paths deliver
    ``g_c`` or more. ``price = rate g_c``; ``P(short) = mean(x < g_c)`` with
    s.e. ``sqrt(p (1 - p) / n)``; expected shortfall ``E[(g_c - X)+]`` is the
    sample mean of ``max(g_c - x, 0)`` with s.e. ``std / sqrt(n)``; make-good
    ``= rate * shortfall``. See ``docs/analysis.md``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(12345).poisson(1000.0, size=20_000)
    >>> t = quote_table(x, [0.5, 0.95], cpm=10.0)
    >>> r = t.row(0.95)
    >>> bool(abs(r.guaranteed - 948) <= 2)  # Poisson(1000) 5% quantile is 948
    True
    >>> r.price == 10.0 * r.guaranteed / 1000
    True
    """
    x, lv, confidence, rate, rate_label = _quote_table_iv(
        x, levels, cpm, flat_rate, confidence, deliverable, label)
    n = x.size
    s = np.sort(x)
    p = np.round(1.0 - lv, 12)
    k = np.clip(np.ceil(np.round(n * p, 9)).astype(np.int64), 1, n)
    g = s[k - 1]
    lo_r, hi_r, _ = order_statistic_ranks(n, p, confidence)
    g_lo = np.where(lo_r >= 1, s[np.clip(lo_r, 1, n) - 1], -np.inf)
    g_hi = np.where(hi_r <= n, s[np.clip(hi_r, 1, n) - 1], np.inf)
    sq = np.sqrt(n)
    rows = []
    for i, c in enumerate(lv):
        short = np.maximum(g[i] - x, 0.0)
        ps = float(np.mean(x < g[i]))
        sf = float(short.mean())
        sf_se = float(short.std(ddof=1) / sq) if n > 1 else float("nan")
        price = lambda v: None if rate is None else float(rate * v)  # noqa: E731
        rows.append(QuoteRow(
            float(c), float(g[i]), float(g_lo[i]), float(g_hi[i]), price(g[i]),
            price(g_lo[i]), price(g_hi[i]), ps, float(np.sqrt(ps * (1 - ps) / n)),
            sf, sf_se, price(sf), None if rate is None else float(rate * sf_se)))
    mean_se = float(x.std(ddof=1) / sq) if n > 1 else float("nan")
    return QuoteTable(deliverable, label or deliverable, int(streams), n,
                      int(n_excluded), float(x.mean()), mean_se, rate, rate_label,
                      confidence, tuple(rows))


def _deliverable_sample_iv(per_stream, name, first_stream, streams):
    """Input validation for :func:`deliverable_sample`:
    ``(values of name, first_stream, streams)``."""
    _validate.choice(name, "deliverable", DELIVERABLES)
    if not isinstance(per_stream, Mapping) or name not in per_stream \
            or "live" not in per_stream:
        raise SimkitError(f"`per_stream` must be a dict of per-stream arrays with "
                          f"`{name}` and `live` (simulate with per_stream=True)")
    v = np.asarray(per_stream[name], dtype=float)
    total = v.shape[1]
    first_stream = _validate.integer(first_stream, "first_stream", minimum=0)
    streams = _validate.integer(streams, "streams")
    _stream_range(first_stream, streams, total)
    return v, first_stream, streams


def _stream_range(first, streams, total):
    """Refuse sponsored streams ``first .. first + streams - 1`` past ``total``."""
    if first >= total:
        raise SimkitError(f"`first_stream` must be in [0, {total - 1}] (the scenario "
                          f"has {total} streams), got {first!r}")
    if first + streams > total:
        raise SimkitError(f"`streams` must be in [1, {total - first}] (streams "
                          f"{first}.. of {total}), got {streams!r}")


def deliverable_sample(per_stream, name, first_stream=0, streams=1):
    """Per-path delivery of ``streams`` consecutive streams, and which paths count.

    Parameters
    ----------
    per_stream : dict
        Per-stream arrays of shape ``(paths, streams)``; needs ``name`` and
        ``live``.
    name : str
        One of :data:`DELIVERABLES`.
    first_stream : int
        First sponsored stream (0-based).
    streams : int
        Number of sponsored streams.

    Returns
    -------
    x : ndarray
        Delivery on each counted path: the sum over the streams for
        ``viewer_minutes`` and ``unique_viewers``, the mean of the per-stream
        peaks for ``peak_concurrent``.
    live : ndarray of bool
        Shape ``(paths,)``: True where every sponsored stream went live; ``x``
        is taken over these paths only.

    Examples
    --------
    >>> import numpy as np
    >>> ps = {"viewer_minutes": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ...       "live": np.array([[1, 1, 1], [0, 1, 1]])}
    >>> deliverable_sample(ps, "viewer_minutes", first_stream=1, streams=2)
    (array([ 5., 11.]), array([ True,  True]))
    >>> deliverable_sample(ps, "viewer_minutes", first_stream=0, streams=2)
    (array([3.]), array([ True, False]))
    """
    v, first_stream, streams = _deliverable_sample_iv(per_stream, name, first_stream,
                                                      streams)
    sl = slice(first_stream, first_stream + streams)
    live = np.all(np.asarray(per_stream["live"])[:, sl] > 0, axis=1)
    block = v[live, sl]
    x = block.mean(axis=1) if name == "peak_concurrent" else block.sum(axis=1)
    return x, live


@dataclass(frozen=True)
class QuoteResult:
    """A sponsorship quote for a single stream and, optionally, a campaign.

    Attributes
    ----------
    scenario : str
        Scenario name.
    deliverable : str
        What the sponsor buys.
    single : QuoteTable
        Quote for the single stream ``first_stream``.
    campaign : QuoteTable or None
        Quote for ``streams`` consecutive streams from ``first_stream`` (None
        when ``streams == 1``).
    paths, seed : int
        Paths simulated and seed.
    metadata : dict
        Scenario source and parameters, simkit version, options: enough to
        reproduce the quote.
    simulation : SimulationResult or None
        The per-stream simulation behind the quote (all paths, including those
        left out), e.g. for :func:`simkit.bands`; not part of ``to_dict()``.
    """

    scenario: str
    deliverable: str
    single: QuoteTable
    campaign: QuoteTable | None
    paths: int
    seed: int
    metadata: dict = field(default_factory=dict)
    simulation: object = field(default=None, repr=False, compare=False)

    @property
    def tables(self):
        """The quote tables (single, then campaign if any).

        Examples
        --------
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> [t.label for t in q.tables]
        ['stream 3', 'campaign of 6 streams (3..8)']
        """
        return (self.single,) if self.campaign is None else (self.single, self.campaign)

    def to_dict(self):
        """Return a JSON-ready dict: both tables and the metadata to reproduce them.

        Examples
        --------
        >>> import json
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> d = json.loads(json.dumps(q.to_dict()))
        >>> d["paths"], d["seed"], d["single"]["label"], d["metadata"]["levels"]
        (40, 12345, 'stream 3', [0.5, 0.8, 0.9, 0.95])
        """
        return {"scenario": self.scenario, "deliverable": self.deliverable,
                "paths": self.paths, "seed": self.seed, "metadata": self.metadata,
                "single": self.single.to_dict(),
                "campaign": None if self.campaign is None else self.campaign.to_dict()}

    def csv_text(self):
        """Return the quote tables as one CSV text (one row per table and level).

        Examples
        --------
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> lines = q.csv_text().splitlines()
        >>> lines[0].split(",")[:6]
        ['label', 'deliverable', 'streams', 'n', 'level', 'guaranteed']
        >>> len(lines)  # a header, then 4 levels for the stream and the campaign
        9
        """
        tables = [t.csv_rows() for t in self.tables]
        return csv_text(tables[0][0], [r for _, rows in tables for r in rows])

    def __str__(self):
        return self.render()

    def headline(self):
        """The plain sentence that opens the printed quote (of the single stream).

        Examples
        --------
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> q.headline().startswith("Stream 3 typically delivers about ")
        True
        """
        return self.single.headline()

    def render(self, *, details=False, wide=False):
        """The quote as text: plain by default, every statistic with ``details``.

        Parameters
        ----------
        details : bool
            Each guarantee with its order-statistic interval, P(short) and the
            expected shortfall with standard errors, in the exact terms.
        wide : bool
            Keep every column, even past 80 characters.

        Returns
        -------
        str

        Examples
        --------
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> print(q.render().splitlines()[0])
        sponsorship_quote — sponsorship quote for minutes watched: 40 simulated runs,
        >>> "E[shortfall]" in q.render(details=True)
        True
        """
        from .. import _words
        from .._text import wrap

        if details:
            out = [f"{self.scenario}: sponsorship quote for {self.deliverable} — "
                   f"{self.paths:,} paths, seed {self.seed}"]
        else:
            out = [wrap(f"{self.scenario} — sponsorship quote for "
                        f"{_words.metric_name(self.deliverable)}: {self.paths:,} "
                        f"simulated runs, seed {self.seed}"), self.headline()]
        pr = self.metadata.get("precision")
        if pr:
            if details:
                out.append(f"precision: {pr['description']}")
            else:
                from ._compare import _precision_plain

                out.append(_precision_plain(
                    pr, _metrics.UNITS.get(self.deliverable, "")))
        for t in self.tables:
            out += ["", t.render(details=details, wide=wide)]
        unc = self.metadata.get("uncertain_inputs")
        if details:
            out += ["", wrap("guarantee = the (1 - confidence) quantile of delivery, "
                             "± the larger half of its order-statistic interval (CI); "
                             "price = guarantee x rate; P(short) = P(delivery < "
                             "guarantee); E[shortfall] = average of (guarantee - "
                             "delivery) where positive; make-good = E[shortfall] x "
                             "rate")]
            if unc:
                out.append(wrap(f"each path draws its own {', '.join(unc)} (uncertain "
                                "inputs): the guarantees allow for not knowing them"))
        else:
            out += ["", wrap("sure: the share of runs that deliver at least the "
                             "promise; falls short: the chance of delivering less; "
                             "avg shortfall: how much is missing on average (0 when "
                             "met); make-good: that shortfall at the price")]
            if unc:
                out.append(wrap(f"each run draws its own {_words.param_names(unc)} "
                                "(inputs nobody knows exactly): the promises allow "
                                "for not knowing them"))
        return "\n".join(out)

    def __repr__(self):
        return short_repr("QuoteResult", f"{self.scenario}: {self.deliverable} — "
                           f"{self.paths:,} paths, seed {self.seed}", self.headline())

    def _repr_html_(self):
        from .._text import fmt_at, percent

        u = _metrics.UNITS.get(self.deliverable, "")
        rows = []
        for t in self.tables:
            for r in t.rows:
                hw = max(r.guaranteed - r.guaranteed_lo, r.guaranteed_hi - r.guaranteed)
                rows.append([t.label, percent_exact(r.level),
                             fmt_at(r.guaranteed, hw, u),
                             "—" if r.price is None else fmt_at(
                                 r.price, None if t.rate is None else t.rate * hw,
                                 "USD"),
                             percent(r.p_short)])
        return html_table(f"{self.scenario}: sponsorship quote",
                           ["deal", "sure", "promise", "price", "falls short"], rows,
                           self.headline())

    def to_json(self, path=None):
        """Write :meth:`to_dict` as JSON to ``path`` atomically, or return the text.

        Examples
        --------
        >>> import json
        >>> q = quote("scenarios/sponsorship_quote.toml", paths=40, seed=12345,
        ...           progress=False)
        >>> json.loads(q.to_json())["single"]["label"]
        'stream 3'
        """
        return text_out(json_text(self.to_dict()), path)


def _check_stream_range(scen, variant, first, streams):
    """Refuse sponsored streams past the schedule's end before anything is simulated."""
    from .._pack import n_streams
    from ..scenario import Scenario

    if not isinstance(scen, Scenario):
        return  # simulate() names the type error
    _stream_range(first, streams, n_streams(scen.variant(variant) if variant else scen))


def _quote_iv(scenario, deliverable, streams, first_stream, cpm, flat_rate, levels,
              confidence, paths, seed, variant, precision, precision_abs, batch,
              max_paths):
    """Input validation and normalization for :func:`quote`; the scenario's
    ``[sponsorship]`` table gives what the arguments leave out."""
    from ..scenario._load import as_scenario
    from ._precision import _resolve_targets

    scen = as_scenario(scenario)
    sp = dict(getattr(scen, "sponsorship", None) or {})
    deliverable_ = _validate.choice(
        deliverable if deliverable is not None else sp.get("deliverable",
                                                           "viewer_minutes"),
        "deliverable", DELIVERABLES)
    streams = _validate.integer(streams if streams is not None
                                else sp.get("streams", 1), "streams")
    first = _validate.integer(first_stream if first_stream is not None
                              else sp.get("first_stream", 0), "first_stream", minimum=0)
    _check_stream_range(scen, variant, first, streams)
    if cpm is None and flat_rate is None:
        cpm = sp.get("cpm_usd")
        if cpm is None:
            flat_rate = sp.get("flat_rate_usd")
    _rate(cpm, flat_rate)
    levels = (_validate.confidence_levels(sp["levels"], percent=True)
              if levels is None and "levels" in sp
              else _validate.confidence_levels(DEFAULT_LEVELS if levels is None
                                               else levels))
    confidence = _validate.confidence(confidence)
    paths = _validate.integer(paths, "paths")
    seed = _validate.seed(seed)
    rel, absolute, batch, max_paths = _resolve_targets(
        precision, precision_abs, paths, batch, max_paths)
    return (scen, deliverable_, streams, first, cpm, flat_rate, levels, confidence,
            paths, seed, rel, absolute, batch, max_paths)


def quote(scenario, *, deliverable=None, streams=None, first_stream=None, cpm=None,
          flat_rate=None, levels=None, paths=10_000, seed=0, variant=None,
          confidence=0.95, precision=None, precision_abs=None, batch=None,
          max_paths=None, threads=None, backend="cpu", progress=None,
          scheduler=None):
    """Price a sponsored stream and a campaign from a scenario.

    Parameters
    ----------
    scenario : Scenario or str or Path
        A scenario or its file; its ``[sponsorship]`` table gives defaults for
        every option below that is left as ``None``.
    deliverable : {"viewer_minutes", "unique_viewers", "peak_concurrent"}, optional
        What the sponsor buys (default ``sponsorship.deliverable``, else
        ``viewer_minutes``).
    streams : int, optional
        Streams in the campaign (default ``sponsorship.streams``, else 1). With
        ``streams > 1`` the result also quotes the campaign.
    first_stream : int, optional
        First sponsored stream, 0-based (default ``sponsorship.first_stream``,
        else 0).
    cpm : float, optional
        USD per 1,000 units (default ``sponsorship.cpm_usd``).
    flat_rate : float, optional
        USD per unit, instead of ``cpm``.
    levels : sequence of float, optional
        Confidence levels as fractions in (0, 1), or as percentages in
        (0, 100) when every value is above 1 (a mix is an error). Default:
        ``sponsorship.levels`` (percentages), else 0.5, 0.8, 0.9, 0.95.
    paths : int
        Paths to simulate (the batch size of a precision run).
    seed : int
        Seed.
    variant : str, optional
        Scenario variant to quote.
    confidence : float
        Level of the interval on each guarantee.
    precision : float, optional
        Relative target: add path batches until every guarantee's 95%
        order-statistic interval is within ``precision * guarantee``.
    precision_abs : float, optional
        Absolute target for the same half-widths.
    batch : int, optional
        Paths per batch of a precision run (default ``paths``).
    max_paths : int, optional
        Limit of a precision run (default ``100 * batch``).
    threads, backend, progress
        Passed to :func:`simkit.simulate`.
    scheduler : None, str or distributed.Client
        Dask scheduler address or client (``backend="dask"`` only), as in
        :func:`simkit.simulate`. One client serves every batch: with ``None``
        a single local cluster is started for the whole quote. The numbers
        are those of the in-process backend.

    Returns
    -------
    QuoteResult
        ``str()`` prints the quote tables.

    Raises
    ------
    SimkitError
        On unknown deliverables, stream ranges outside the schedule, bad rates
        or levels, or no path where the sponsored streams went live.

    See Also
    --------
    quote_table : the arithmetic.
    simkit.compare, simkit.bands

    Notes
    -----
    Paths on which a sponsored stream did not go live (follower threshold not
    reached) are left out and counted in ``n_excluded``.

    Examples
    --------
    >>> from simkit.analysis import quote
    >>> q = quote("scenarios/sponsorship_quote.toml", paths=100, seed=12345,
    ...           progress=False)
    >>> q.deliverable, q.single.label, q.campaign.label
    ('viewer_minutes', 'stream 3', 'campaign of 6 streams (3..8)')
    >>> r = q.single.row(0.9)
    >>> r.price == q.single.rate * r.guaranteed
    True
    >>> print(q)  # doctest: +SKIP
    """
    from .. import _simulate
    from ..backends import session
    from ._precision import concat_results, run_batches

    (scen, deliverable_, streams, first, cpm, flat_rate, levels, confidence, paths,
     seed, rel, absolute, batch, max_paths) = _quote_iv(
        scenario, deliverable, streams, first_stream, cpm, flat_rate, levels,
        confidence, paths, seed, variant, precision, precision_abs, batch, max_paths)
    simulate = _simulate.simulate
    sims = []

    def draw(offset, n):
        r = simulate(scen, paths=n, seed=seed, variant=variant, per_stream=True,
                     threads=threads, backend=backend, path_offset=offset,
                     progress=progress, scheduler=client)  # bound by `with` below
        sims.append(r)
        return [np.asarray(r.per_stream[k]) for k in ("live", deliverable_)]

    deals = [(1, "stream")] + ([(streams, "campaign")] if streams > 1 else [])

    def tables(samples):
        ps = {"live": samples[0], deliverable_: samples[1]}
        out = []
        for k, kind in deals:
            x, live = deliverable_sample(ps, deliverable_, first, k)
            label = (f"stream {first}" if kind == "stream"
                     else f"campaign of {k} streams ({first}..{first + k - 1})")
            out.append(quote_table(x, levels, cpm=cpm, flat_rate=flat_rate,
                                   confidence=confidence, deliverable=deliverable_,
                                   label=label, streams=k,
                                   n_excluded=int((~live).sum())) if x.size else None)
        return out

    def measure(samples):
        worst = None
        for t in tables(samples):
            if t is None:
                return False, float("nan"), float("inf"), 0.0
            for r in t.rows:
                hw = max(r.guaranteed - r.guaranteed_lo,
                         r.guaranteed_hi - r.guaranteed)
                goal = absolute if absolute is not None else rel * abs(r.guaranteed)
                if worst is None or hw - goal > worst[0]:
                    worst = (hw - goal, r.guaranteed, hw, goal)
        _, est, hw, goal = worst
        return hw <= goal, est, hw, goal

    prec_meta = None
    with session(backend, scheduler) as client:  # read by draw()
        if rel is None and absolute is None:
            samples = draw(0, paths)
        else:
            samples, run = run_batches(draw, measure, batch=batch,
                                       max_paths=max_paths)
            paths = run.paths
            prec_meta = run.to_dict(statistic="every guaranteed delivery (quantile)",
                                    rel=rel, absolute=absolute)
    result = tables(samples)
    if result[0] is None or (len(result) > 1 and result[1] is None):
        raise SimkitError(f"no path where the sponsored stream(s) went live in "
                          f"{paths:,} paths; the creator stays below the LIVE "
                          "follower threshold")
    from .._version import __version__

    sc_used = scen.variant(variant) if variant else scen
    meta = {"scenario_source": str(getattr(scen, "source", "")),
            "scenario": sc_used.to_dict(),
            "uncertain_inputs": list(getattr(sc_used, "uncertain", {}) or {}),
            "seed": seed, "paths": paths, "simkit_version": __version__,
            "variant": variant, "deliverable": deliverable_, "first_stream": first,
            "streams": streams, "cpm_usd": None if cpm is None else float(cpm),
            "flat_rate_usd": None if flat_rate is None else float(flat_rate),
            "levels": list(levels), "confidence": confidence, "backend": backend,
            "precision": prec_meta}
    return QuoteResult(scen.name, deliverable_, result[0],
                       result[1] if len(result) > 1 else None, paths, seed, meta,
                       concat_results(sims))
