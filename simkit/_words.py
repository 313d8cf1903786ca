"""Plain words for printed output: metric and input names, the glossary, periods.

One home for every word a user reads in place of a code name: the display
name and one-line meaning of each metric (:mod:`simkit.metrics`), a short
name for each scenario key (``audience.join_rate`` -> "join rate"), the
phrase for the period a figure covers ("over 4 weeks (12 LIVEs)") and the
one-sentence headline that starts every command's output. JSON and CSV keep
the code names; only printed text uses these.
"""

from __future__ import annotations

__all__ = ["METRIC_NAMES", "METRIC_MEANINGS", "PARAM_NAMES", "TERMS", "metric_name",
           "metric_meaning", "param_name", "period_phrase", "horizon_of",
           "per_month", "DAYS_PER_MONTH", "headline", "glossary_lines"]

#: Days in an average month (365.25 / 12), for per-month figures.
DAYS_PER_MONTH = 30.44

#: Display name of each metric (per-path totals and per-stream metrics).
METRIC_NAMES: dict[str, str] = {
    "income_total": "total income",
    "income_gifts": "LIVE gifts",
    "income_brand": "brand deals",
    "income_merch": "merchandise",
    "income_donations": "donations",
    "income_subscriptions": "subscriptions",
    "income_match": "of which LIVE Match",
    "cash_paid_out": "cash paid out",
    "cash_pending": "still pending",
    "withdrawal_fees": "withdrawal fees",
    "unique_viewers": "viewers",
    "notified_viewers": "viewers notified",
    "discovered_viewers": "viewers from feed",
    "new_followers": "new followers",
    "viewer_minutes": "minutes watched",
    "peak_concurrent": "peak viewers",
    "gifts": "gifts sent",
    "coins": "coins spent",
    "diamonds": "diamonds",
    "followers_end": "followers at end",
    "streams_live": "LIVEs held",
    "new_subscribers": "new subscribers",
    "subscribers_end": "subscribers at end",
    "subscribers": "subscribers",
    "gifters": "gifters (expected)",
    "day": "day",
    "hour": "start hour",
    "duration_min": "length (minutes)",
    "live": "went live",
    "followers_start": "followers at start",
    "habit": "habit factor",
    "creator_share": "creator's share",
}

#: One-line meaning of each metric, in plain words.
METRIC_MEANINGS: dict[str, str] = {
    "income_total": "everything the creator earns: LIVE gifts, brand deals, "
                    "merchandise and donations",
    "income_gifts": "the creator's share of the gifts viewers sent, in dollars, "
                    "after any agency cut (paid out or still pending)",
    "income_brand": "sponsors' pay: per 1,000 minutes watched of a sponsored LIVE "
                    "(CPM), or a flat fee per deal",
    "income_merch": "profit on merchandise viewers bought",
    "income_donations": "tips sent outside TikTok, after platform and card fees",
    "cash_paid_out": "gift money already withdrawn and in the bank by the end, "
                     "after fees",
    "cash_pending": "gift money earned but not in the bank yet at the end "
                    "(balance below the withdrawal minimum, or on its way)",
    "withdrawal_fees": "fees taken when gift money is withdrawn (gifts = paid "
                       "out + pending + fees)",
    "unique_viewers": "people who joined a LIVE (one person at two LIVEs counts "
                      "twice)",
    "notified_viewers": "viewers who came because they were told the creator "
                        "went live",
    "discovered_viewers": "viewers who found a LIVE in the For You feed",
    "new_followers": "viewers who followed the creator during a LIVE",
    "viewer_minutes": "minutes watched, added up over viewers (what a sponsor "
                      "buys)",
    "peak_concurrent": "most viewers watching at the same moment, in the best "
                       "LIVE",
    "gifts": "gifts viewers sent",
    "coins": "coins viewers spent on gifts (about $0.0151 each)",
    "diamonds": "diamonds the gifts earned the creator (turned into dollars)",
    "followers_end": "followers at the end of the period",
    "streams_live": "LIVEs that went ahead (LIVE needs 1,000 followers)",
    "income_subscriptions": "LIVE Subscription sign-ups and renewals, after the "
                            "platform and app-store cut",
    "income_match": "the part of LIVE gift income earned during LIVE Match "
                    "battles (already in LIVE gifts)",
    "new_subscribers": "followers who started a LIVE Subscription",
    "subscribers_end": "paying subscribers at the end of the period",
    "subscribers": "paying subscribers when the LIVE started",
    "gifters": "viewers expected to send at least one gift (an expectation over "
               "the simulated viewers, not a draw)",
    "day": "day the LIVE starts on (0 = first day)",
    "hour": "hour the LIVE starts at",
    "duration_min": "length of the LIVE",
    "live": "1 if the LIVE went ahead, 0 if the creator had too few followers",
    "followers_start": "followers when the LIVE started",
    "habit": "how much a regular time slot lifts the audience (1 = not at all)",
    "creator_share": "share of the diamonds' value the creator keeps",
}

#: Short plain name of every scenario key (dotted TOML path).
PARAM_NAMES: dict[str, str] = {
    "name": "name", "description": "description",
    "horizon.weeks": "weeks simulated",
    "schedule.kind": "schedule", "schedule.slots": "time slots",
    "schedule.streams_per_week": "LIVEs per week",
    "schedule.waking_hours": "waking hours", "schedule.streams": "LIVE list",
    "stream.duration_min": "LIVE length",
    "creator.followers": "followers", "creator.adult": "adult account",
    "creator.live_min_followers": "followers needed for LIVE",
    "creator.organic_growth_per_day": "daily follower growth",
    "creator.unfollow_rate_per_day": "daily unfollow rate",
    "audience.join_rate": "join rate",
    "audience.notify_decay_per_min": "how fast notified viewers arrive",
    "audience.discovery_rate_per_min": "feed viewers per minute",
    "audience.activity": "audience activity by hour",
    "audience.weekday_factors": "activity by weekday",
    "audience.promotion": "promotion boost",
    "audience.follow_prob": "follow chance",
    "audience.virality": "virality",
    "audience.engagement": "engagement",
    "audience.gifting_elasticity": "gifting response to engagement",
    "audience.dwell_elasticity": "watch-time response to engagement",
    "habit.enabled": "habit on", "habit.max_gain": "habit gain",
    "habit.learning_rate": "habit learning speed",
    "habit.initial": "starting habit",
    "dwell.distribution": "watch-time shape",
    "dwell.median_min": "typical watch time",
    "dwell.sigma": "watch-time spread", "dwell.shape": "watch-time shape factor",
    "dwell.follower_factor": "followers' longer watch",
    "segments.names": "viewer groups",
    "segments.follower_shares": "group shares (followers)",
    "segments.newcomer_shares": "group shares (newcomers)",
    "segments.gift_rate_per_min": "gifts per minute",
    "segments.catalogue_tilt": "taste for big gifts",
    "segments.gift_rate_scale": "gift scale",
    "segments.gift_size_tilt": "gift size shift",
    "subscriptions.enabled": "LIVE Subscriptions on",
    "subscriptions.price_usd": "subscription price",
    "subscriptions.creator_share": "creator's share of subscriptions",
    "subscriptions.initial": "subscribers at start",
    "subscriptions.subscribe_prob": "sign-up chance",
    "subscriptions.renew_prob": "monthly renewal chance",
    "subscriptions.watch_uplift": "subscribers' extra watching",
    "subscriptions.gift_uplift": "subscribers' extra gifting",
    "match.matches_per_stream": "LIVE Matches per LIVE",
    "match.count": "how matches are counted",
    "match.length_min": "match length",
    "match.gift_boost": "match gift boost",
    "match.partner_followers": "match opponent's followers",
    "match.partner_interest": "opponent's viewers who join",
    "shocks.family": "swing shape",
    "shocks.audience_sigma": "audience swings",
    "shocks.rho": "audience swing carry-over",
    "shocks.gift_sigma": "gifting swings",
    "shocks.gift_rho": "gifting swing carry-over",
    "catalogue.file": "gift catalogue",
    "money.diamonds_per_coin": "diamonds per coin",
    "money.diamond_value_usd": "diamond value",
    "money.creator_share": "creator's share",
    "money.scaled_rewards": "scaled LIVE rewards",
    "money.scaled_extra": "scaled rewards bonus",
    "money.agency_cut": "agency cut",
    "money.withdraw_min_usd": "withdrawal minimum",
    "money.withdraw_max_per_day_usd": "daily withdrawal cap",
    "money.withdraw_fee_rate": "withdrawal fee rate",
    "money.withdraw_fee_usd": "withdrawal fee",
    "money.payout_delay_days": "payout delay",
    "brand.enabled": "brand deals on",
    "brand.offers_per_week": "brand offers per week",
    "brand.reach_elasticity": "offers' growth with reach",
    "brand.pricing": "brand pricing", "brand.cpm_usd": "brand CPM",
    "brand.flat_fee_usd": "brand flat fee",
    "brand.flat_fee_exponent": "flat fee growth with reach",
    "brand.flat_fee_sigma": "flat fee spread",
    "merch.buy_prob": "merch buy chance",
    "merch.order_median_usd": "typical merch order",
    "merch.order_sigma": "merch order spread", "merch.margin": "merch margin",
    "donations.donate_prob": "donation chance",
    "donations.median_usd": "typical donation",
    "donations.sigma": "donation spread",
    "donations.fee_rate": "donation fee rate",
    "donations.fee_usd": "donation fee",
    "collaboration.probability": "collab chance",
    "collaboration.partner_followers": "partner's followers",
    "collaboration.interest": "partner audience interest",
    "sponsorship.deliverable": "what the sponsor buys",
    "sponsorship.streams": "sponsored LIVEs",
    "sponsorship.first_stream": "first sponsored LIVE",
    "sponsorship.cpm_usd": "sponsor CPM",
    "sponsorship.flat_rate_usd": "sponsor rate per unit",
    "sponsorship.levels": "confidence levels",
    "sweep.design": "sweep design", "sweep.n": "sweep size",
    "sweep.paths": "runs per scenario", "sweep.params": "swept inputs",
    "sweep.log": "log-scale inputs",
}

#: Statistical terms and their one-line plain meaning (the glossary's second part).
TERMS: dict[str, str] = {
    "run (path)": "one simulated version of the whole period; simkit simulates "
                  "thousands and reports how they spread",
    "typical (P50, median)": "half the runs end below it, half above",
    "low / high (P5 / P95)": "1 run in 20 ends below the low figure, 1 in 20 "
                             "above the high one: 9 in 10 fall between",
    "± (after an average)": "the simulation's own error (standard error): more "
                            "runs make it smaller",
    "± (after a quantile)": "the larger half of its 95% order-statistic "
                            "interval, a range that holds the exact quantile "
                            "with 95% confidence",
    "same luck (common random numbers)": "each variant sees the same viewers "
                                         "on the same run, so differences come "
                                         "from the strategy alone",
    "CRN ratio": "how many times smaller that makes the error of a difference",
    "guarantee": "a delivery promised with a confidence: at confidence 90%, 9 "
                 "runs in 10 deliver at least that much",
    "make-good": "what missing the promise costs on average (the average "
                 "shortfall, E[shortfall], times the price per unit)",
}


def metric_name(metric):
    """Display name of a metric: ``cash_pending`` -> ``still pending``.

    Unknown names come back with underscores as spaces.

    Examples
    --------
    >>> metric_name("cash_pending"), metric_name("my_metric")
    ('still pending', 'my metric')
    """
    return METRIC_NAMES.get(metric, str(metric).replace("_", " "))


def metric_meaning(metric):
    """One-line plain meaning of a metric (empty when unknown).

    Examples
    --------
    >>> metric_meaning("cash_paid_out")
    'gift money already withdrawn and in the bank by the end, after fees'
    """
    return METRIC_MEANINGS.get(metric, "")


def param_name(key):
    """Short plain name of a scenario key: ``audience.join_rate`` -> ``join rate``.

    A key with a suffix after a space (``"habit.max_gain (b)"``) keeps it;
    unknown keys give their last part with underscores as spaces.

    Examples
    --------
    >>> param_name("audience.join_rate"), param_name("money.creator_share")
    ('join rate', "creator's share")
    >>> param_name("habit.max_gain (b)"), param_name("x.some_key")
    ('habit gain (b)', 'some key')
    """
    key = str(key)
    base, sep, rest = key.partition(" ")
    name = PARAM_NAMES.get(base)
    if name is None:
        name = base.rpartition(".")[2].replace("_", " ")
    return name + (sep + rest if sep else "")


def param_names(keys):
    """Plain names of several keys, joined by commas.

    Examples
    --------
    >>> param_names(["audience.join_rate", "habit.max_gain"])
    'join rate, habit gain'
    """
    return ", ".join(param_name(k) for k in keys)


def _n(k, word):
    return f"{k:,} {word}" + ("" if k == 1 else "s")


def _weeks_text(weeks):
    w = float(weeks)
    if w == int(w):
        return _n(int(w), "week")
    return f"{w:,.1f} weeks"


def period_phrase(weeks, streams=None):
    """The period a figure covers: ``over 4 weeks (12 LIVEs)``.

    Parameters
    ----------
    weeks : float or None
        Length of the horizon in weeks.
    streams : int, optional
        LIVEs scheduled in it.

    Returns
    -------
    str
        Empty when ``weeks`` is None.

    Examples
    --------
    >>> period_phrase(4, 12), period_phrase(1, 1), period_phrase(3.5)
    ('over 4 weeks (12 LIVEs)', 'over 1 week (1 LIVE)', 'over 3.5 weeks')
    """
    if weeks is None:
        return ""
    out = f"over {_weeks_text(weeks)}"
    if streams is not None:
        out += f" ({_n(int(streams), 'LIVE')})"
    return out


def horizon_of(result):
    """``(weeks, streams)`` of a result, from its metadata (None when unknown).

    Works with a :class:`~simkit._result.SimulationResult` or its metadata dict.

    Examples
    --------
    >>> horizon_of({"horizon_days": 28, "streams": 12})
    (4.0, 12)
    >>> horizon_of({})
    (None, None)
    """
    meta = result if isinstance(result, dict) else (
        getattr(result, "metadata", None) or {})
    days = meta.get("horizon_days")
    if days is None:
        h = (meta.get("params") or meta.get("scenario") or {})
        h = h.get("horizon") if isinstance(h, dict) else None
        if isinstance(h, dict) and "weeks" in h:
            days = 7 * h["weeks"]
    streams = meta.get("streams")
    weeks = None if days is None else float(days) / 7.0
    return weeks, (None if streams is None else int(streams))


def per_month(value, weeks):
    """A total over ``weeks`` scaled to an average month (30.44 days).

    None when the horizon is shorter than 4 weeks (too short to speak of a
    month) or unknown.

    Examples
    --------
    >>> round(per_month(2440.0, 4), 2), per_month(100.0, 2)
    (2652.63, None)
    """
    if weeks is None or value is None or float(weeks) < 4:
        return None
    return float(value) * DAYS_PER_MONTH / (7.0 * float(weeks))


def round_sig(v, sig=3):
    """``v`` rounded to ``sig`` significant digits (for figures in sentences).

    Examples
    --------
    >>> round_sig(2437.56), round_sig(1311.39), round_sig(0.0)
    (2440.0, 1310.0, 0.0)
    """
    import math

    v = float(v)
    if v == 0 or not math.isfinite(v):
        return v
    return float(round(v, sig - 1 - math.floor(math.log10(abs(v)))))


def about(v, unit="USD"):
    """A figure for a sentence: three significant digits, thousands separators.

    Examples
    --------
    >>> about(2437.56), about(28102.0, "viewers"), about(12.345), about(2.345)
    ('$2,440', '28,100', '$12', '$2.35')
    """
    from ._text import fmt

    r = round_sig(v)
    if unit == "USD":
        return fmt(r, unit, 0 if abs(r) >= 10 else 2)
    return fmt(r, unit)


def headline(summary, metric="income_total", who="this creator"):
    """The plain sentence that opens a run's output.

    Parameters
    ----------
    summary : Summary
        With ``weeks``/``streams`` set when known
        (:meth:`simkit.SimulationResult.summary` sets them).
    metric : str
        The metric spoken of (income by default).
    who : str
        The subject of the sentence.

    Returns
    -------
    str
        ``"Over 4 weeks (12 LIVEs) this creator typically earns about $2,440;
        9 times in 10 between $1,310 and $4,010; 72% chance of more than
        $2,000."`` (the median, the P5 and P95, and P(> target) when a
        target was given, each to three significant digits); empty when
        ``metric`` is not summarized.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> res = SimulationResult("demo", {"income_total": np.arange(101.0) * 10},
    ...                        metadata={"horizon_days": 28, "streams": 12})
    >>> print(headline(res.summary(["income_total"], target=900)))
    Over 4 weeks (12 LIVEs) this creator typically earns about $500; 9 times in 10
    between $50 and $950; 10% chance of more than $900.
    """
    from ._text import percent, wrap
    from .metrics import UNITS

    try:
        r = summary[metric]
    except KeyError:
        return ""
    u = UNITS.get(metric, "")
    period = period_phrase(getattr(summary, "weeks", None),
                           getattr(summary, "streams", None))
    start = (period[0].upper() + period[1:] + " " + who) if period else \
        who[0].upper() + who[1:]
    if u == "USD":
        verb = f"typically earns about {about(r.quantiles[0.5], u)}"
    else:
        verb = (f"typically gets about {about(r.quantiles[0.5], u)} "
                f"{metric_name(metric)}")
    s = (f"{start} {verb}; 9 times in 10 between {about(r.quantiles[0.05], u)} "
         f"and {about(r.quantiles[0.95], u)}")
    if r.target is not None and r.p_exceed is not None:
        s += f"; {percent(r.p_exceed)} chance of more than {about(r.target, u)}"
    return wrap(s + ".")


def rates_line(summary, metric="income_total"):
    """Typical income per LIVE, per week and (4 weeks or more) per month.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> res = SimulationResult("demo", {"income_total": np.full(10, 2440.0)},
    ...                        metadata={"horizon_days": 28, "streams": 12})
    >>> print(rates_line(res.summary(["income_total"])))
    That is about $203 per LIVE, $610 per week, $2,650 per month (30.44 days).
    """
    weeks = getattr(summary, "weeks", None)
    streams = getattr(summary, "streams", None)
    try:
        med = summary[metric].quantiles[0.5]
    except KeyError:
        return ""
    if weeks is None:
        return ""
    parts = []
    if streams:
        parts.append(f"{about(med / streams)} per LIVE")
    parts.append(f"{about(med / weeks)} per week")
    m = per_month(med, weeks)
    if m is not None:
        parts.append(f"{about(m)} per month ({DAYS_PER_MONTH:g} days)")
    return "That is about " + ", ".join(parts) + "."


def statistic_phrase(statistic, metric):
    """Plain name of a statistic of a metric: ``the average total income``.

    Examples
    --------
    >>> statistic_phrase("mean", "income_total"), statistic_phrase(0.05, "gifts")
    ('the average total income', 'the P5 of gifts sent (1 run in 20 is below)')
    >>> statistic_phrase(0.95, "gifts")
    'the P95 of gifts sent (95% of runs are below)'
    >>> statistic_phrase(0.5, "income_total")
    'the typical (median) total income'
    """
    name = metric_name(metric)
    if statistic == "mean":
        return f"the average {name}"
    q = float(statistic)
    if abs(q - 0.5) < 1e-12:
        return f"the typical (median) {name}"
    inv = 1.0 / q
    whole = q < 0.5 and abs(inv - round(inv)) < 1e-9
    below = (f"1 run in {round(inv)} is below" if whole
             else f"{q * 100:g}% of runs are below")
    return f"the P{q * 100:g} of {name} ({below})"


def glossary_lines(metrics=None):
    """``name (code): meaning`` for each metric, one line each.

    Examples
    --------
    >>> print(glossary_lines(["cash_paid_out"])[0])  # doctest: +NORMALIZE_WHITESPACE
    cash paid out (cash_paid_out): gift money already withdrawn and in the bank by
    the end, after fees
    """
    from .metrics import TOTALS

    return [f"{metric_name(m)} ({m}): {metric_meaning(m)}"
            for m in (TOTALS if metrics is None else metrics)]
