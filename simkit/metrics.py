"""Names, units and meaning of every metric a simulation returns.

The order of :data:`TOTALS` and :data:`PER_STREAM` is the column order of the
kernel's output arrays; code elsewhere refers to metrics by name only.
"""

from __future__ import annotations

__all__ = ["TOTALS", "PER_STREAM", "UNITS", "DESCRIPTIONS", "INCOME_SOURCES"]

#: Per-path horizon totals (one value per path).
TOTALS: tuple[str, ...] = (
    "income_total",
    "income_gifts",
    "income_brand",
    "income_merch",
    "income_donations",
    "cash_paid_out",
    "cash_pending",
    "withdrawal_fees",
    "unique_viewers",
    "notified_viewers",
    "discovered_viewers",
    "new_followers",
    "viewer_minutes",
    "peak_concurrent",
    "gifts",
    "coins",
    "diamonds",
    "followers_end",
    "streams_live",
    "gifters",
)

#: Per-stream metrics (one value per path and stream).
PER_STREAM: tuple[str, ...] = (
    "day",
    "hour",
    "duration_min",
    "live",
    "followers_start",
    "habit",
    "unique_viewers",
    "notified_viewers",
    "discovered_viewers",
    "new_followers",
    "viewer_minutes",
    "peak_concurrent",
    "gifts",
    "coins",
    "diamonds",
    "creator_share",
    "income_gifts",
    "income_brand",
    "income_merch",
    "income_donations",
    "income_total",
    "gifters",
)

#: Income sources that add up to ``income_total``.
INCOME_SOURCES: tuple[str, ...] = (
    "income_gifts",
    "income_brand",
    "income_merch",
    "income_donations",
)

UNITS: dict[str, str] = {
    "income_total": "USD",
    "income_gifts": "USD",
    "income_brand": "USD",
    "income_merch": "USD",
    "income_donations": "USD",
    "cash_paid_out": "USD",
    "cash_pending": "USD",
    "withdrawal_fees": "USD",
    "unique_viewers": "viewers",
    "notified_viewers": "viewers",
    "discovered_viewers": "viewers",
    "new_followers": "followers",
    "viewer_minutes": "viewer-minutes",
    "peak_concurrent": "viewers",
    "gifts": "gifts",
    "coins": "coins",
    "diamonds": "diamonds",
    "followers_end": "followers",
    "streams_live": "streams",
    "day": "day",
    "hour": "hour",
    "duration_min": "minutes",
    "live": "0/1",
    "followers_start": "followers",
    "habit": "factor",
    "creator_share": "fraction",
    "gifters": "viewers",
}

DESCRIPTIONS: dict[str, str] = {
    "income_total": "creator income from all sources (gifts after agency cut, brand, merch, donations)",
    "income_gifts": "USD value of LIVE gifts credited to the creator, after the agency cut",
    "income_brand": "brand-deal income (CPM on sponsored viewer-minutes, or flat fees)",
    "income_merch": "merchandise margin",
    "income_donations": "off-platform donations after platform and card fees",
    "cash_paid_out": "gift income withdrawn and arrived by the horizon's end, net of fees",
    "cash_pending": "gift income earned but not yet paid out at the horizon's end (balance plus withdrawals in transit, net of fees)",
    "withdrawal_fees": "fees charged on withdrawals (income_gifts = cash_paid_out + cash_pending + withdrawal_fees)",
    "unique_viewers": "viewers who joined (each counted once per stream)",
    "notified_viewers": "viewers who joined from the go-live notification (own and partner followers)",
    "discovered_viewers": "viewers who came from the feed (including virality offspring)",
    "new_followers": "newcomers who followed, before unfollows",
    "viewer_minutes": "minutes watched, summed over viewers (the sponsor's impression proxy)",
    "peak_concurrent": "highest number of viewers present at a whole minute",
    "gifts": "number of gifts sent",
    "coins": "coin value of gifts sent",
    "diamonds": "diamonds credited (coins x diamonds per coin)",
    "followers_end": "followers at the horizon's end",
    "streams_live": "streams that went live (follower threshold met)",
    "day": "day of the horizon the stream starts on (0-based)",
    "hour": "hour of day the stream starts at",
    "duration_min": "stream length",
    "live": "1 if the stream went live, 0 if the follower threshold blocked it",
    "followers_start": "followers when the stream started",
    "habit": "habit factor H applied to notified joins",
    "creator_share": "creator's share of diamond value applied to the stream",
    "gifters": "expected number of viewers who send at least one gift (not drawn)",
}
