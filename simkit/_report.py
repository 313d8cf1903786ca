"""A self-contained HTML report of a scenario: tables and every applicable figure.

:func:`build_report` simulates a scenario and writes one HTML file with inline
CSS and the figures embedded as base64 PNG images: no script, no external link,
so it opens offline and can be mailed as it is. Sections:

- ``headline``: the answer in plain words first: what the creator typically
  earns over the period and how widely it varies, per LIVE/week/month, where
  the money comes from, which input moves it most and, with variants, which
  one wins;
- ``summary``: the scenario, its main inputs and the summary of every total;
- ``income-sources``: mean income by source over the horizon, with a table;
- ``distribution``: the distribution of total income with P5/P50/P95;
- ``fan-chart``: cumulative income over the horizon with quantile bands;
- ``concurrency``: concurrent viewers through a stream, peak viewers per stream;
- ``tornado``: which inputs move the mean income most (common random numbers);
- ``sobol``: when the scenario has two or more uncertain inputs and no
  correlations, their Sobol' indices (S1 and ST with intervals);
- ``comparison``: when the scenario defines variants, their ECDFs, paired
  differences and verdicts;
- ``sponsorship``: when the scenario has a ``[sponsorship]`` table, the quote
  tables and the distribution of the deliverable;
- ``calibration``: when a LIVE history is given, the history against the
  scenario's simulation of the same LIVEs (quantile-quantile and through
  time) and a backtest of held-out LIVEs (coverage, PIT histograms).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import metrics as _metrics
from ._io import atomic_write_text
from ._present import html_table
from ._version import __version__
from .errors import SimkitError

__all__ = ["build_report", "ReportSection", "SECTION_IDS"]

#: Section ids in the order they appear (the last ones only when applicable).
SECTION_IDS = ("headline", "summary", "income-sources", "distribution", "fan-chart",
               "concurrency", "tornado", "sobol", "comparison", "sponsorship",
               "calibration")

#: Most simulated paths of the calibration section's runs (per LIVE).
_CALIBRATION_PATHS = 1000

#: Style of the sponsored streams on the deliverable fan chart: a light grey face
#: with a darker hatch and edge, distinct from the band greys in black and white.
_SPONSORED_FACE, _SPONSORED_EDGE, _SPONSORED_HATCH = "#f0f0f0", "#555555", "//"

#: Legend text size in points (legible at the report's figure width).
_LEGEND_PT = 9.5

_INPUTS = (
    ("horizon.weeks", "Horizon (weeks)"),
    ("schedule.kind", "Schedule"),
    ("stream.duration_min", "Stream length (min)"),
    ("creator.followers", "Followers at start"),
    ("audience.join_rate", "Join rate of notified followers"),
    ("audience.discovery_rate_per_min", "Feed arrivals per minute (peak hour)"),
    ("audience.virality", "Virality (branching ratio)"),
    ("money.creator_share", "Creator share of diamond value"),
    ("money.agency_cut", "Agency cut"),
    ("brand.enabled", "Brand deals"),
    ("brand.pricing", "Brand pricing"),
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0;background:#fafafa;color:#1a1a1a;line-height:1.45}
main{max-width:1020px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .1em}h2{font-size:1.25em;margin:1.8em 0 .5em;
 border-bottom:2px solid #222;padding-bottom:.15em}
.meta{color:#555;font-size:.92em}nav{margin:1em 0;font-size:.92em}
nav a{margin-right:1em;color:#0a4f8a}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.88em;display:block;
 max-width:100%;overflow-x:auto}
th,td{border:1px solid #ccc;padding:3px 8px}th{background:#eee;text-align:center}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1em 0}figure img{width:100%;max-width:100%;height:auto;
 border:1px solid #e5e5e5}
section#headline p{font-size:1.08em;margin:.5em 0}
figcaption{font-size:.88em;color:#444;margin-top:.3em}
p.note{font-size:.88em;color:#444}ul.verdict li{margin:.3em 0}
"""


@dataclass(frozen=True)
class ReportSection:
    """One section of the report.

    Attributes
    ----------
    id : str
        HTML id (one of :data:`SECTION_IDS`).
    title : str
        Heading.
    body : str
        HTML of the section body.
    figures : int
        Number of embedded images.

    Examples
    --------
    >>> s = ReportSection("summary", "Summary", "<p>Three streams a week.</p>")
    >>> s.id, s.figures
    ('summary', 0)
    >>> '<section id="summary">' in render_html("demo", [s])
    True
    """

    id: str
    title: str
    body: str
    figures: int = 0


# ----- small HTML helpers ------------------------------------------------------------

def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _fv(v, metric=None) -> str:
    from .plotting._style import format_value

    return format_value(v, metric)


def _table(head, rows, *, numeric_from=1, caption=None) -> str:
    return html_table("", head, rows, caption or "", page=True, numeric_from=numeric_from)


#: Width of every figure in inches: the page's content width (964 CSS pixels at
#: 100 pixels an inch), so text in a figure shows at its point size; PNGs are
#: drawn at twice that resolution for sharp lines on high-density screens.
_FIG_WIDTH_IN = 9.64
_FIG_DPI = 200


def _figure(ax_or_fig, alt, caption, *, dpi=_FIG_DPI) -> str:
    from .plotting._style import quiet_missing_glyphs

    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    w, h = fig.get_size_inches()
    fig.set_size_inches(_FIG_WIDTH_IN, max(3.6, min(h * _FIG_WIDTH_IN / w, 5.2)))
    buf = io.BytesIO()
    with quiet_missing_glyphs():
        fig.savefig(buf, format="png", dpi=dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


# ----- sections ----------------------------------------------------------------------

def _summary_section(sc, res, *, target, extra_meta) -> ReportSection:
    desc = sc["description"] if "description" in sc.values else ""
    p = [f"<p>{_e(desc)}</p>"] if desc else []
    rows = []
    for key, label in _INPUTS:
        if key in sc.values:
            v = sc[key]
            if isinstance(v, bool):
                v = "yes" if v else "no"
            elif isinstance(v, float):
                v = f"{v:g}"
            elif isinstance(v, int):
                v = f"{v:,}"
            if key in getattr(sc, "uncertain", {}):
                v = f"{v} (median of {sc.uncertain[key].describe()})"
            rows.append((label, key, v))
    streams = (res.metadata or {}).get("streams")
    if streams is not None:
        rows.insert(2, ("Streams in the horizon", "(schedule)", f"{int(streams):,}"))
    p.append(_table(["input", "key", "value"], rows, numeric_from=2,
                    caption="Main inputs (every key: docs/scenario-format.md)"))
    if getattr(sc, "uncertain", None):
        p.append(_uncertain_table(sc))
    summ = res.summary(target=target)
    head = ["metric", "unit", "mean", "± s.e.", "P5", "P25", "P50", "P75", "P95"]
    srows = []
    for r in summ.rows:
        u = _metrics.UNITS.get(r.metric, "")
        srows.append([r.metric, u, _fv(r.mean, r.metric), _fv(r.stderr, r.metric),
                      *(_fv(r.quantiles[q], r.metric) for q in sorted(r.quantiles))])
    p.append(_table(head, srows, numeric_from=2,
                    caption=f"Totals over the horizon, {res.paths:,} paths "
                            "(s.e. = Monte Carlo standard error of the mean)"))
    if target is not None:
        r = summ["income_total"]
        p.append(f"<p>P(total income &gt; {_e(_fv(target, 'income_total'))}) = "
                 f"{r.p_exceed:.3f} ± {r.p_exceed_stderr:.3f}</p>")
    p.append(f'<p class="note">{_e(extra_meta)}</p>')
    return ReportSection("summary", "Summary", "\n".join(p))


def _uncertain_table(sc) -> str:
    """The uncertain inputs: distribution, P10, median, P90 (and correlations)."""
    rows = []
    for key, d in sc.uncertain.items():
        p10, p50, p90 = d.ppf(np.array([0.1, 0.5, 0.9]))
        rows.append((key, d.describe(), f"{p10:.4g}", f"{p50:.4g}", f"{p90:.4g}"))
    cap = ("Uncertain inputs: each path draws its own value, so every band, quote "
           "and comparison below includes not knowing them")
    if sc.correlations is not None:
        keys, m = sc.correlations
        pairs = [f"{keys[i]} ~ {keys[j]}: {m[i, j]:+.2f}" for i in range(len(keys))
                 for j in range(i + 1, len(keys)) if m[i, j] != 0]
        cap += " (rank correlations " + "; ".join(pairs) + ")"
    return _table(["key", "distribution", "P10", "median", "P90"], rows,
                  numeric_from=2, caption=cap)


def _sources_section(res) -> ReportSection:
    from .plotting import income_sources

    rows = []
    for s, r in res.income_sources().items():
        share = f"{r['share']:.1%}" if r["share"] is not None else "—"
        label = "of which LIVE Match minutes" if s == "income_match" else s
        rows.append([label, _fv(r["mean"], s), _fv(r["stderr"], s), share,
                     _fv(r["p05"], s), _fv(r["p50"], s), _fv(r["p95"], s)])
    body = [_figure(income_sources(res), "Stacked mean cumulative income by source",
                    "Mean cumulative income by source over the horizon; the top of "
                    "the stack is the mean total income (means add up, quantiles "
                    "do not)."),
            _table(["source", "mean", "± s.e.", "share of mean", "P5", "P50", "P95"],
                   rows)]
    return ReportSection("income-sources", "Income sources", "\n".join(body), 1)


def _distribution_section(res, target) -> ReportSection:
    from .plotting import income_distribution

    x = np.asarray(res["income_total"], dtype=float)
    q50, q99 = np.quantile(x, [0.5, 0.99])
    log = bool(np.mean(x > 0) >= 0.9 and q50 > 0 and q99 / q50 > 10)
    ax = income_distribution(res, log=log, target=target)
    cap = ("Distribution of total income over the horizon across paths, with P5, "
           "the median, P95 and the mean marked"
           + (" (log scale: the right tail is heavy)." if log else "."))
    return ReportSection("distribution", "Distribution of total income",
                         _figure(ax, "Histogram of total income", cap), 1)


def _fan_section(res) -> ReportSection:
    from .plotting import fan_chart

    body = [_figure(fan_chart(res, levels=(0.5, 0.9)), "Fan chart of cumulative income",
                    "Cumulative total income by day: median, mean, and the P25–P75 "
                    "and P5–P95 bands (pointwise quantiles over paths).")]
    body.append(_figure(fan_chart(res, "viewer_minutes", by="stream"),
                        "Fan chart of viewer-minutes per stream",
                        "Viewer-minutes of each stream (the sponsor's impression "
                        "proxy), stream by stream."))
    return ReportSection("fan-chart", "Over the horizon", "\n".join(body), 2)


def _concurrency_section(res_curves, res) -> ReportSection:
    from .plotting import concurrency_curve, fan_chart

    body = []
    n = 0
    try:
        ax = concurrency_curve(res_curves)
        body.append(_figure(ax, "Concurrent viewers through a stream",
                            f"Concurrent viewers at each minute, all live streams of "
                            f"the first {res_curves.paths:,} paths pooled: median, "
                            "mean, P25–P75 and P5–P95."))
        n += 1
    except SimkitError as exc:  # e.g. no stream went live
        body.append(f'<p class="note">No concurrency curve: {_e(exc)}</p>')
    body.append(_figure(fan_chart(res, "peak_concurrent", by="stream"),
                        "Peak concurrent viewers per stream",
                        "Peak concurrent viewers of each stream, with quantile bands."))
    return ReportSection("concurrency", "Concurrent viewers", "\n".join(body), n + 1)


def _rebase(tr, res):
    """The tornado on the main run's mean (:meth:`TornadoResult.centred_on` the
    summary's mean and s.e.): the tornado ran on the first paths of the same
    simulation, so the page shows one base number."""
    row = res.summary(metrics=[tr.metric])[tr.metric]
    return tr.centred_on(row.mean, row.stderr)


def _tornado_section(sc, res, *, params, paths, seed, run_kw, facts):
    from .analysis import tornado
    from .analysis._sensitivity import DEFAULT_STEP
    from .plotting import tornado as tornado_plot

    try:
        tr = tornado(sc, params, paths=min(paths, res.paths), seed=seed, **run_kw)
    except SimkitError as exc:
        return ReportSection("tornado", "Sensitivity (tornado)",
                             f'<p class="note">No sensitivity analysis: {_e(exc)}</p>')
    facts["tornado_first_paths_mean"] = tr.base_mean
    tr = _rebase(tr, res)
    facts["tornado"] = tr
    rows = [[e.key, f"{e.base_value:g}", f"{e.low_value:g}", f"{e.high_value:g}",
             _fv(e.low_mean, tr.metric), _fv(e.low_stderr, tr.metric),
             _fv(e.high_mean, tr.metric), _fv(e.high_stderr, tr.metric),
             _fv(e.swing, tr.metric)] for e in tr.entries]
    how = ("each input set to its scenario value −/+ "
           f"{DEFAULT_STEP:.0%} (clipped to its valid range)" if params is None
           else "each input set to the given low and high values")
    body = [_figure(tornado_plot(tr), "Tornado chart of mean total income",
                    f"Mean total income with {how}, all other inputs fixed. The "
                    f"centre line is the summary's mean ({res.paths:,} paths); each "
                    f"bar adds the change an input causes, measured on the first "
                    f"{tr.paths:,} of those paths with the same random numbers; "
                    "whiskers are ±1.96 paired standard errors."),
            _table(["input", "value", "low", "high", "mean at low", "± s.e.",
                    "mean at high", "± s.e.", "swing"], rows),
            f'<p class="note">Base mean {_e(_fv(tr.base_mean, tr.metric))} ± '
            f"{_e(_fv(tr.base_stderr, tr.metric))}: the summary's, from the same "
            f"{res.paths:,} paths. The s.e. of a shift is that of the per-path "
            "difference from the base run (common random numbers), so small shifts "
            "are resolved with few paths.</p>"]
    return ReportSection("tornado", "Sensitivity (tornado)", "\n".join(body), 1)


def _headline_section(sc, res, *, target, facts) -> ReportSection:
    """The answer first, in plain words (P1's sentence, then where from and why)."""
    from . import _words

    summ = res.summary(target=target)
    p = [f"<p><strong>{_e(_words.headline(summ))}</strong></p>"]
    rates = _words.rates_line(summ)
    if rates:
        p.append(f"<p>{_e(rates)}</p>")
    tot = float(np.mean(res["income_total"]))
    if tot > 0:
        shares = sorted(((float(np.mean(res[m])) / tot, m)
                         for m in _metrics.INCOME_SOURCES), reverse=True)
        parts = [f"{_words.metric_name(m)} {sh:.0%}" for sh, m in shares if sh >= 0.005]
        if parts:
            where = "Where the money comes from, on average: " + ", ".join(parts)
            p.append(f"<p>{_e(where)}.</p>")
    tr = facts.get("tornado")
    if tr is not None and tr.entries:
        e = tr.entries[0]
        lo, hi = sorted((e.low_mean, e.high_mean))
        what = (f"What moves it most: {_words.param_name(e.key)}. From "
                f"{_num(e.low_value)} to {_num(e.high_value)} it takes the average "
                f"from {_words.about(lo)} to {_words.about(hi)}.")
        p.append(f"<p>{_e(what)}</p>")
    for line in facts.get("verdicts", ()):
        p.append(f"<p>{_e(line)}</p>")
    p.append(f'<p class="note">Every number on this page comes from one simulation '
             f"of {res.paths:,} runs (seed {_e(facts.get('seed'))}); the sections "
             "below give the details.</p>")
    return ReportSection("headline", "In short", "\n".join(p))


#: Base samples and paths per point of the report's Sobol' section.
_SOBOL_N, _SOBOL_PATHS = 64, 16


def _sobol_section(sc, *, seed, run_kw) -> ReportSection:
    """Sobol' indices of the uncertain inputs (small design; docs/analysis.md §8)."""
    import warnings

    from .analysis import sensitivity
    from .errors import LowPrecisionWarning
    from .plotting import sensitivity_indices

    title = "Which uncertain inputs drive the spread (Sobol' indices)"
    kw = {k: v for k, v in run_kw.items() if k in ("threads", "progress", "backend",
                                                    "scheduler")}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LowPrecisionWarning)
            r = sensitivity(sc, n=_SOBOL_N, paths=_SOBOL_PATHS, seed=seed, **kw)
    except SimkitError as exc:
        return ReportSection("sobol", title,
                             f'<p class="note">No Sobol\' indices: {_e(exc)}</p>')
    pct = round(100 * r.conf_level)
    desc = dict(zip(r.keys, r.inputs, strict=True))
    rows = [[x["input"], desc[x["input"]], f"{x['S1']:.3f}", f"±{x['S1_conf']:.3f}",
             f"{x['ST']:.3f}", f"±{x['ST_conf']:.3f}"] for x in r.rows()]
    notes = "".join(f'<p class="note">{_e(w.message)}</p>' for w in caught
                    if issubclass(w.category, LowPrecisionWarning))
    body = [_figure(sensitivity_indices(r), "Sobol' indices S1 and ST",
                    f"Share of the variance of mean total income explained by each "
                    f"uncertain input alone (S1) and with its interactions (ST); "
                    f"{r.n_points:,} design points x {r.paths} paths, same random "
                    f"numbers; whiskers are {pct}% bootstrap intervals."),
            _table(["input", "distribution", "S1", f"± {pct}%", "ST", f"± {pct}%"],
                   rows, numeric_from=2),
            f'<p class="note">Sum of S1 {r.s1_sum:.3f} (1 − sum: interactions); '
            f"Monte Carlo noise {r.noise_share:.1%} of the variance. A small design "
            f"(N = {r.n}): run <code>simkit sensitivity</code> with a larger "
            "<code>--n</code> for narrower intervals.</p>" + notes]
    return ReportSection("sobol", title, "\n".join(body), 1)


def _comparison_section(sc, *, paths, seed, run_kw, facts) -> ReportSection:
    """The comparison of :func:`simkit.analysis.compare` (every variant, as it
    chooses them), rendered, with figures drawn from the same runs."""
    from .analysis import compare
    from .plotting import compare_distributions, income_sources

    cmp = compare(sc, paths=paths, seed=seed, keep=True, **run_kw)
    u = cmp.metric
    head, qrows = cmp.csv_tables()["quantiles"]
    cols = [head.index(c) for c in ("mean", "se", "p05", "p50", "p95")]
    vrows = [[r[0], *(_fv(r[c], u) for c in cols)] for r in qrows]
    prows = []
    for p in cmp.pairs:
        r = p.crn_se_ratio
        prows.append([f"{p.a} − {p.b}", _fv(p.diff, u), _fv(p.diff_se, u),
                      f"[{_fv(p.ci_lo, u)}, {_fv(p.ci_hi, u)}]",
                      f"{p.p_a_better:.3f} ± {p.p_a_better_se:.3f}",
                      f"{r:.1f}×" if np.isfinite(r) else "—",
                      {"a": p.a, "b": p.b, "equal": "equal",
                       "none": "neither"}[p.dominance]])
    # the plain sentence of the comparison (each pair's verdict without one)
    line = " ".join(cmp.headline().split())
    facts["verdicts"] = [line] if line else [p.plain_verdict() for p in cmp.pairs]
    ecdf_ax, _ = compare_distributions(cmp.results)
    body = [_table(["variant", "mean", "± s.e.", "P5", "P50", "P95"], vrows,
                   caption=f"Total income by variant, {paths:,} paths each, seed "
                           f"{seed}, common random numbers"),
            _table(["a − b", "mean difference", "± s.e.", "95% CI", "P(a > b)",
                    "CRN ratio", "dominates"], prows),
            "<ul class=\"verdict\">" + "".join(f"<li>{_e(p.verdict())}</li>"
                                               for p in cmp.pairs)
            + "".join(f"<li>{_e(p.input_line())}</li>" for p in cmp.pairs
                      if p.input_line()) + "</ul>",
            _figure(ecdf_ax, "ECDFs of total income by variant and paired differences",
                    "Left: share of paths at or below each income, by variant. "
                    "Right: per-path difference from the first variant on the same "
                    "random numbers."),
            _figure(income_sources(cmp.results, kind="bar"),
                    "Mean income by source for each variant",
                    "Mean horizon income by source, per variant."),
            '<p class="note">CRN ratio = standard error with independent seeds / '
            "paired standard error at the same path count.</p>"]
    return ReportSection("comparison", "Comparison of variants", "\n".join(body), 2)


def _num(v) -> str:
    """An input value for a sentence: ``75,000``, ``0.006``, ``0.375``."""
    v = float(v)
    if v == int(v) and abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.2g}" if abs(v) < 0.01 else f"{v:.3g}"


def _sponsorship_section(sc, *, paths, seed, run_kw) -> ReportSection:
    from ._text import percent_exact
    from .analysis import deliverable_sample, quote
    from .plotting import fan_chart, income_distribution
    from ._result import SimulationResult

    q = quote(sc, paths=paths, seed=seed, **run_kw)
    d = q.deliverable
    unit = _metrics.UNITS.get(d, "")
    body = []
    nfig = 0
    for t in q.tables:
        excl = (f"; {t.n_excluded:,} paths left out (a sponsored stream did not go "
                "live)" if t.n_excluded else "")
        worth = (f", worth ${t.fair_value:,.2f} at {t.rate_label}"
                 if t.rate is not None else "")
        body.append(f"<h3>{_e(t.label)}</h3><p>Expected delivery "
                    f"{_e(_fv(t.mean, d))} ± {_e(_fv(t.mean_se, d))} {_e(unit)}"
                    f"{_e(worth)} ({t.n:,} paths{_e(excl)}).</p>")
        rows = [[percent_exact(r.level), _fv(r.guaranteed, d),
                 f"[{_fv(r.guaranteed_lo, d)}, {_fv(r.guaranteed_hi, d)}]",
                 "—" if r.price is None else f"${r.price:,.2f}",
                 f"{r.p_short:.3f} ± {r.p_short_se:.3f}",
                 f"{_fv(r.shortfall, d)} ± {_fv(r.shortfall_se, d)}",
                 "—" if r.make_good is None
                 else f"${r.make_good:,.2f} ± {r.make_good_se:,.2f}"]
                for r in t.rows]
        body.append(_table(["confidence", "guarantee",
                            f"{percent_exact(t.confidence)} CI",
                            "price", "P(short)", "E[shortfall]", "make-good"], rows))
    sim = q.simulation
    if sim is not None and sim.per_stream is not None:
        first = int(q.metadata.get("first_stream", 0) or 0)
        for t in q.tables:
            x, _ = deliverable_sample(sim.per_stream, d, first, t.streams)
            if x.size < 2:
                continue
            one = SimulationResult(sim.name, {d: x})
            what = d.replace("_", " ")
            deal = t.label if t.label.startswith("stream") else f"the {t.label}"
            body.append(_figure(
                income_distribution(one, d, title=f"{t.label}: {what} delivered"),
                f"Distribution of {what} delivered by {deal}",
                f"What {deal} delivers across paths; the guarantee at "
                "confidence c is the (1 − c) quantile."))
            nfig += 1
        ax = fan_chart(sim, d, by="stream")
        k = max(t.streams for t in q.tables)
        # Light grey face, dark diagonal hatch and edge: the legend entry and the
        # span read in black and white (a dotted, faceless patch was a blank).
        ax.axvspan(first - 0.5, first + k - 0.5, facecolor=_SPONSORED_FACE,
                   edgecolor=_SPONSORED_EDGE, hatch=_SPONSORED_HATCH, linewidth=0.8,
                   zorder=0, label="sponsored streams")
        ax.legend(fontsize=_LEGEND_PT, loc="best", framealpha=0.9,
                  edgecolor="#bbbbbb")
        body.append(_figure(ax, f"Fan chart of {d} per stream",
                            f"{d.replace('_', ' ').capitalize()} of each stream over "
                            "the horizon, with quantile bands; the sponsored streams "
                            "are hatched."))
        nfig += 1
    body.append('<p class="note">guarantee = the (1 − confidence) quantile of '
                "delivery; P(short) = P(delivery &lt; guarantee); make-good = "
                "E[shortfall] × rate.</p>")
    return ReportSection("sponsorship", "Sponsorship quote", "\n".join(body), nfig)


def _calibration_section(sc, history, *, holdout, paths, seed, run_kw) -> ReportSection:
    """The history against the scenario's simulation of its LIVEs, and a backtest."""
    from .calibrate import backtest, predict
    from .calibrate._backtest import MIN_TRAIN, evaluate
    from .plotting import backtest_calibration, fit_over_time, fit_quantiles

    n = len(history)
    paths = min(paths, _CALIBRATION_PATHS)
    first, last = (str(history.start[i]).replace("T", " ") for i in (0, -1))
    body = [f"<p>History {_e(history.source)}: {n} LIVEs from {_e(first)} to "
            f"{_e(last)}. Its LIVEs are simulated at their real start times and "
            f"lengths under this scenario ({paths:,} paths, starting from the "
            "followers the history records when it has them).</p>"]
    run = {k: v for k, v in run_kw.items() if k != "scheduler"}
    sim = predict(sc, history, np.arange(n), paths=paths, seed=seed, warmup_days=0,
                  **run)
    ins = evaluate(sim, {m: getattr(history, m) for m in sim}, seed=seed,
                   keep_samples=False)
    rows = []
    for m in ins.metrics:
        rows.append([m, _fv(float(np.mean(ins.observed[m]))),
                     _fv(float(np.mean(sim[m]))),
                     *(f"{ins.coverage(m, lv):.0%}" for lv in ins.levels)])
    body.append(_table(["per LIVE", "observed mean", "simulated mean",
                        *(f"in {lv:.0%} band" for lv in ins.levels)], rows,
                       caption="In-sample check: the history's own LIVEs (a fitted "
                               "scenario has seen them, so this is optimistic; the "
                               "backtest below is not)"))
    body.append(_figure(fit_quantiles(history, sim)[0],
                        "Quantile-quantile plots of observed against simulated LIVEs",
                        "Sorted observed values against the mean sorted values of "
                        "simulated histories of the same LIVEs, with the 90% "
                        "envelope; points above it at the right mean heavier tails "
                        "than the model's."))
    body.append(_figure(fit_over_time(history, sim)[0],
                        "Observed LIVEs over time inside simulated bands",
                        "Each LIVE's observed value against its simulated P25–P75 "
                        "and P5–P95 bands; runs on one side show a trend the "
                        "scenario misses."))
    nfig = 2
    if holdout is None:
        holdout = max(1, min(n // 5, n - MIN_TRAIN))
    if n - holdout < MIN_TRAIN:
        body.append(f'<p class="note">No backtest: {n} LIVEs leave fewer than '
                    f"{MIN_TRAIN} to fit on after holding out {holdout}.</p>")
        return ReportSection("calibration", "Calibration", "\n".join(body), nfig)
    bt = backtest(history, holdout=holdout, scenario=sc, paths=paths, seed=seed, **run)
    rows = [[m, f"{lv:.0%}", f"{bt.coverage(m, lv):.3f} ± {bt.coverage_se(m, lv):.3f}",
             f"{lv:.2f} ± {bt.tolerance(lv):.3f}", bt.verdict(m, lv),
             _fv(bt.width(m, lv))] for m in bt.metrics for lv in bt.levels]
    a, k = bt.splits[0]
    body.append(f"<h3>Backtest</h3><p>Fitted on the first {a} LIVEs (this scenario "
                f"as the base of the fit), then the last {k} simulated at their real "
                f"starts: how many fell inside each per-LIVE prediction interval.</p>")
    body.append(_table(["metric", "interval", "coverage ± s.e.", "nominal ± tol.",
                        "verdict", "mean width"], rows, numeric_from=2))
    body.append(_figure(backtest_calibration(bt)[0],
                        "Coverage of held-out LIVEs and PIT histograms",
                        "Left: coverage of the held-out LIVEs against the nominal "
                        "level (±1.96 s.e.; grey: the binomial band of a correct "
                        "model). Right: PIT histograms, flat when calibrated, "
                        "U-shaped when the intervals are too narrow."))
    body.append('<p class="note">coverage = share of held-out LIVEs inside the '
                "interval (randomized PIT on ties); tol. = 1.96 sqrt(L(1−L)/n), the "
                "band of a correct model with independent LIVEs (correlated stream "
                "shocks widen it); under = intervals too narrow.</p>")
    return ReportSection("calibration", "Calibration", "\n".join(body), nfig + 1)


# ----- assembly ----------------------------------------------------------------------

def render_html(title, sections, *, subtitle="") -> str:
    """Assemble sections into one self-contained HTML document.

    Parameters
    ----------
    title : str
        Page title and top heading.
    sections : sequence of ReportSection
        In the order shown; the navigation links to each one.
    subtitle : str
        A line under the heading.

    Returns
    -------
    str
        The HTML page: inline CSS, no script, no external link. Titles are
        escaped; section bodies are inserted as they are (already HTML).

    Examples
    --------
    >>> page = render_html("Q3 plan <draft>", [
    ...     ReportSection("summary", "Summary", "<p>Three streams a week.</p>")],
    ...     subtitle="2,000 paths, seed 0")
    >>> page.startswith("<!DOCTYPE html>")
    True
    >>> "<title>Q3 plan &lt;draft&gt;</title>" in page
    True
    >>> '<a href="#summary">Summary</a>' in page, "<script" in page
    (True, False)
    """
    nav = "".join(f'<a href="#{_e(s.id)}">{_e(s.title)}</a>' for s in sections)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
             f"<h1>{_e(title)}</h1>", f'<p class="meta">{_e(subtitle)}</p>',
             f"<nav>{nav}</nav>"]
    for s in sections:
        parts.append(f'<section id="{_e(s.id)}"><h2>{_e(s.title)}</h2>\n{s.body}'
                     "</section>")
    parts.append(f'<p class="meta">simkit {_e(__version__)}</p></main></body></html>')
    return "\n".join(parts) + "\n"


def _build_report_iv(scenario, paths, seed, out_path, tornado_paths, variant):
    """Input validation and normalization for :func:`build_report`."""
    from . import _validate
    from .scenario._load import as_scenario

    scenario = as_scenario(scenario)
    if variant is not None:
        scenario = scenario.variant(variant)
    paths = _validate.integer(paths, "paths", minimum=2)
    seed = _validate.seed(seed)
    if tornado_paths is None:
        tornado_paths = max(100, min(paths, paths // 10))
    tornado_paths = _validate.integer(tornado_paths, "tornado_paths", minimum=2)
    if out_path is None:
        raise SimkitError("`out_path` is required")
    out_path = Path(out_path)
    if out_path.exists() and out_path.is_dir():
        raise SimkitError(f"`out_path` {out_path} is a directory")
    return scenario, int(paths), int(seed), out_path, int(tornado_paths)


def _history_iv(history, holdout):
    from .calibrate import History, read_history
    from .calibrate._backtest import MIN_TRAIN

    if history is None:
        if holdout is not None:
            raise SimkitError("`holdout` needs a `history`")
        return None, None
    if isinstance(history, str | Path):
        history = read_history(history)
    if not isinstance(history, History):
        raise SimkitError(f"`history` must be a History or a CSV path, got "
                          f"{type(history).__name__}")
    if holdout is not None:
        from . import _validate

        holdout = _validate.integer(holdout, "holdout")
        if len(history) - holdout < MIN_TRAIN:
            raise SimkitError(f"{history.source}: {len(history)} LIVEs cannot hold out "
                              f"{holdout} and still fit on {MIN_TRAIN} or more")
    return history, holdout


def build_report(scenario, *, paths=2000, seed=0, out_path, variant=None, target=None,
                 tornado_paths=None, tornado_params=None, sections=None, threads=None,
                 progress=None, backend="cpu", scheduler=None, history=None,
                 holdout=None):
    """Simulate a scenario and write a self-contained HTML report.

    Parameters
    ----------
    scenario : Scenario or str or Path
        A scenario or its TOML file.
    paths : int
        Paths of the main run (and of each variant and of the quote).
    seed : int
        Seed shared by every run (common random numbers).
    out_path : str or Path
        The HTML file to write (atomically: a reader never sees half a file).
    variant : str, optional
        Report on this variant instead of the base scenario (the comparison
        section still covers every variant).
    target : float, optional
        Also report ``P(income_total > target)`` and mark it on the histogram.
    tornado_paths : int, optional
        Paths per run of the sensitivity analysis (default ``paths // 10``,
        at least 100, at most ``paths``): it simulates two runs per input, on
        the first paths of the main run. Its chart and table are centred on
        the summary's mean, so the page shows one base number: each bar is
        that mean plus the input's paired shift.
    tornado_params : dict, optional
        ``{dotted key: (low, high)}`` for the tornado (default: the main inputs
        at ±25%, :data:`simkit.analysis._sensitivity.DEFAULT_PARAMS`).
    sections : sequence of str, optional
        Only these section ids (default: every applicable one of
        :data:`SECTION_IDS`).
    threads : int, optional
        Numba threads.
    progress : bool, optional
        Progress bars (default: when stderr is a terminal).
    backend : {"cpu", "dask", "cuda"}
        Where the kernels run, as in :func:`simkit.simulate`; every backend
        gives the same numbers.
    scheduler : None, str or distributed.Client
        Dask scheduler address or client (``backend="dask"`` only), as in
        :func:`simkit.simulate`. One client serves every simulation of the
        report: with ``None`` a single local cluster is started for it.
    history : History or str or Path, optional
        A LIVE history (:func:`simkit.read_history`): adds the ``calibration``
        section, the history against this scenario's simulation of its LIVEs
        and a backtest (:func:`simkit.backtest`, this scenario as the base of
        each fit; at most 1,000 paths per LIVE).
    holdout : int, optional
        LIVEs the backtest holds out (default a fifth of the history).

    Returns
    -------
    pathlib.Path
        ``out_path``.

    Raises
    ------
    SimkitError
        Bad arguments or scenario (:class:`~simkit.errors.ScenarioError`).

    See Also
    --------
    simkit.plotting : the figures.
    simkit.compare, simkit.quote, simkit.tornado

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from simkit import build_report
    >>> out = build_report("scenarios/micro.toml", paths=40, seed=12345,
    ...                    out_path=Path(tempfile.mkdtemp()) / "micro.html",
    ...                    sections=["summary"], progress=False)
    >>> out.name, out.read_text().count("<section")
    ('micro.html', 1)
    """
    import time

    from .backends import session

    sc, paths, seed, out_path, tornado_paths = _build_report_iv(
        scenario, paths, seed, out_path, tornado_paths, variant)
    history, holdout = _history_iv(history, holdout)
    wanted = set(SECTION_IDS if sections is None else sections)
    unknown = wanted - set(SECTION_IDS)
    if unknown:
        raise SimkitError(f"`sections` must be among {', '.join(SECTION_IDS)}, got "
                          f"{', '.join(sorted(unknown))}")
    started = time.perf_counter()
    with session(backend, scheduler) as client:
        run_kw = {"threads": threads, "progress": progress, "backend": backend,
                  "scheduler": client}
        facts = {"seed": seed}
        res, out = _build_sections(sc, wanted, paths=paths, seed=seed, target=target,
                                   tornado_paths=tornado_paths,
                                   tornado_params=tornado_params, run_kw=run_kw,
                                   facts=facts)
        if history is not None and "calibration" in wanted:
            out.append(_calibration_section(sc, history, holdout=holdout, paths=paths,
                                            seed=seed, run_kw=run_kw))
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    elapsed = time.perf_counter() - started
    meta = (f"Source {sc.source}; {paths:,} paths, seed {seed}; generated {when} "
            f"in {elapsed:.1f} s by simkit {__version__}. Same file, paths and seed "
            "give the same numbers.")
    if "summary" in wanted:
        out.insert(0, _summary_section(sc, res, target=target, extra_meta=meta))
    if "headline" in wanted:
        out.insert(0, _headline_section(sc, res, target=target, facts=facts))
    title = f"simkit report: {sc.name}"
    subtitle = f"{paths:,} paths, seed {seed}, generated {when}"
    atomic_write_text(out_path, render_html(title, out, subtitle=subtitle))
    return out_path


def _build_sections(sc, wanted, *, paths, seed, target, tornado_paths,
                    tornado_params, run_kw, facts):
    """Simulate and build every wanted section but the headline and the summary.

    Returns the main result (for the summary) and the sections in order;
    ``facts`` collects what the headline needs (tornado, verdicts).
    """
    from ._memory import curve_paths_of
    from ._simulate import simulate

    res = simulate(sc, paths=paths, seed=seed, per_stream=True, **run_kw)
    out = []
    if "concurrency" in wanted:
        cpaths = curve_paths_of(res, paths)
        # path i is the same in any run: these are the first cpaths paths of `res`
        res_curves = simulate(sc, paths=cpaths, seed=seed, per_stream=True, curves=True,
                              **run_kw)
    builders = {
        "income-sources": lambda: _sources_section(res),
        "distribution": lambda: _distribution_section(res, target),
        "fan-chart": lambda: _fan_section(res),
        "concurrency": lambda: _concurrency_section(res_curves, res),
        "tornado": lambda: _tornado_section(sc, res, params=tornado_params,
                                            paths=tornado_paths, seed=seed,
                                            run_kw=run_kw, facts=facts),
    }
    if len(sc.uncertain) >= 2 and sc.correlations is None:
        builders["sobol"] = lambda: _sobol_section(sc, seed=seed, run_kw=run_kw)
    if sc.variants and sc.variant_name is None:
        builders["comparison"] = lambda: _comparison_section(
            sc, paths=paths, seed=seed, run_kw=run_kw, facts=facts)
    elif sc.variants and sc.variant_name is not None:
        base = _base_of(sc)
        if base is not None:
            builders["comparison"] = lambda: _comparison_section(
                base, paths=paths, seed=seed, run_kw=run_kw, facts=facts)
    if sc.sponsorship is not None:
        builders["sponsorship"] = lambda: _sponsorship_section(
            sc, paths=paths, seed=seed, run_kw=run_kw)
    for sid in SECTION_IDS[2:]:
        if sid in wanted and sid in builders:
            out.append(builders[sid]())
    return res, out


def _base_of(sc):
    """Return the scenario without its variant (to compare every variant)."""
    from .scenario import load_scenario

    if sc.source and sc.source != "<dict>" and Path(sc.source).is_file():
        return load_scenario(sc.source)
    return None
