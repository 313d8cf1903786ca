"""Column layout of the kernels' arrays, written out (numba reads module-level
integers as compile-time constants).

* ``theta[s, X]``: the packed parameters of a scenario (filled by
  :func:`simkit._pack.theta_rows`, scenario keys in its comments);
* ``sched[s, i, SC_*]``: the schedule table;
* ``res[R_*]``: what one stream returns (:func:`simkit._kernels.stream.run_stream`);
* ``tot[O_*]`` and ``per_stream[i, S_*]``: the outputs, in the order of
  :data:`simkit.metrics.TOTALS` and :data:`~simkit.metrics.PER_STREAM`
  (``tests/test_layout.py`` checks that they match);
* :data:`STREAM_FROM_RES` and :data:`TOTAL_FROM_STREAM`: the one index map by
  which results are copied from a stream into its per-stream row and summed
  into the totals.
"""

import numpy as np

# ----- theta: packed parameters (one row per scenario, or per path) -------------
FOLLOWERS = 0           # creator.followers at the start
CAN_LIVE = 1            # 1.0 if creator.adult (may go LIVE at all)
LIVE_MIN = 2            # creator.live_min_followers
ORGANIC = 3             # creator.organic_growth_per_day (Poisson mean)
UNFOLLOW = 4            # creator.unfollow_rate_per_day (binomial probability)
JOIN = 5                # audience.join_rate r of a notified follower
KAPPA = 6               # audience.notify_decay_per_min of notified arrivals
MU = 7                  # audience.discovery_rate_per_min of feed viewers
PROMO = 8               # audience.promotion multiplier P
PHI = 9                 # audience.follow_prob of a newcomer
VIRAL_BETA = 10         # offspring per viewer-minute (virality / mean dwell; 0: off)
GIFT_MULT = 11          # engagement gift multiplier g(e)
DWELL_KIND = 12         # DWELL_LOGNORMAL, DWELL_WEIBULL or DWELL_EXPONENTIAL
DWELL_A = 13            # log-median, Weibull scale or mean of the dwell
DWELL_B = 14            # lognormal sigma or Weibull shape
FOLLOWER_FACTOR = 15    # dwell.follower_factor of notified followers
HABIT_ON = 16           # 1.0 if habit.enabled
HABIT_GMAX = 17         # habit.max_gain
HABIT_LR = 18           # habit.learning_rate
HABIT_R0 = 19           # habit.initial
DAYS = 20               # 7 * horizon.weeks
SCHED_KIND = 21         # SCHED_CONSISTENT, SCHED_AD_HOC or SCHED_EXPLICIT
SPW = 22                # schedule.streams_per_week (ad hoc)
WAKE_LO = 23            # schedule.waking_hours[0] (ad hoc)
WAKE_HI = 24            # schedule.waking_hours[1] (ad hoc)
DURATION = 25           # stream.duration_min (ad hoc)
N_STREAMS = 26          # streams in the horizon
Q = 27                  # money.diamonds_per_coin
DVAL = 28               # money.diamond_value_usd
SHARE = 29              # money.creator_share (fixed share)
SCALED = 30             # 1.0 if money.scaled_rewards
SCALED_EXTRA = 31       # money.scaled_extra
AGENCY = 32             # money.agency_cut
WMIN = 33               # money.withdraw_min_usd
WMAX = 34               # money.withdraw_max_per_day_usd
WFEE_RATE = 35          # money.withdraw_fee_rate
WFEE_USD = 36           # money.withdraw_fee_usd
DELAY = 37              # money.payout_delay_days
BRAND_ON = 38           # 1.0 if brand.enabled
BRAND_RATE = 39         # brand.offers_per_week
BRAND_EL = 40           # brand.reach_elasticity
BRAND_CPM_PRICING = 41  # 1.0 if brand.pricing is "cpm"
BRAND_CPM = 42          # brand.cpm_usd
BRAND_FLAT = 43         # brand.flat_fee_usd
BRAND_FLAT_EXP = 44     # brand.flat_fee_exponent
BRAND_FLAT_SIGMA = 45   # brand.flat_fee_sigma
MERCH_P = 46            # merch.buy_prob
MERCH_LOGMED = 47       # log of merch.order_median_usd
MERCH_SIGMA = 48        # merch.order_sigma
MERCH_MARGIN = 49       # merch.margin
DON_P = 50              # donations.donate_prob
DON_LOGMED = 51         # log of donations.median_usd
DON_SIGMA = 52          # donations.sigma
DON_FEE_RATE = 53       # donations.fee_rate
DON_FEE_USD = 54        # donations.fee_usd
COLLAB_P = 55           # collaboration.probability
PARTNER_F = 56          # collaboration.partner_followers
INTEREST = 57           # collaboration.interest
N_SEG = 58              # segments of this scenario
N_GIFTS = 59            # catalogue items of this scenario (not the batch padding)
N_SCHED = 60            # rows of this scenario's schedule table
SUB_ON = 61             # 1.0 if subscriptions.enabled
SUB_PAY = 62            # subscriptions.price_usd * subscriptions.creator_share
SUB_P = 63              # subscriptions.subscribe_prob
SUB_RENEW = 64          # subscriptions.renew_prob
SUB_S0 = 65             # subscriptions.initial
SUB_WATCH = 66          # subscriptions.watch_uplift
SUB_GIFT = 67           # subscriptions.gift_uplift
MATCH_N = 68            # match.matches_per_stream
MATCH_FIXED = 69        # 1.0 if match.count is "fixed"
MATCH_LEN = 70          # match.length_min
MATCH_BOOST = 71        # match.gift_boost
MATCH_PARTNER_F = 72    # match.partner_followers
MATCH_INTEREST = 73     # match.partner_interest
N_THETA = 74            # columns of theta

#: Dwell families (``theta[:, DWELL_KIND]``).
DWELL_LOGNORMAL, DWELL_WEIBULL, DWELL_EXPONENTIAL = 0, 1, 2
#: Schedule kinds (``theta[:, SCHED_KIND]``).
SCHED_CONSISTENT, SCHED_AD_HOC, SCHED_EXPLICIT = 0, 1, 2

# ----- sched: one row per weekly slot or listed stream ---------------------------
SC_DAY = 0              # day of the horizon (weekday for weekly slots)
SC_HOUR = 1             # start hour
SC_DURATION = 2         # minutes
SC_COLLAB = 3           # 1.0 joint stream, 0.0 solo, -1.0 drawn with COLLAB_P
SC_PROMO = 4            # promotion multiplier, -1.0 the scenario's PROMO
N_SC = 5

# ----- res: what one stream returns ----------------------------------------------
R_UNIQUE = 0            # unique viewers
R_NOTIFIED = 1          # notified, subscriber, partner and match-partner viewers
R_DISCOVERED = 2        # feed viewers and viral offspring
R_NEWF = 3              # new followers
R_VM = 4                # viewer-minutes
R_PEAK = 5              # peak concurrency at a whole minute
R_GIFTS = 6             # gifts sent
R_COINS = 7             # their coins (LIVE Match minutes included)
R_MERCH = 8             # merchandise margin, USD
R_DONATIONS = 9         # donations after fees, USD
R_NEWSUBS = 10          # sign-ups to LIVE Subscriptions
R_MATCH_COINS = 11      # coins of the gifts sent in LIVE Match minutes
R_GIFTERS = 12          # expected viewers who send at least one gift
N_RES = 13

# ----- tot: per-path totals, the order of metrics.TOTALS --------------------------
O_INCOME_TOTAL = 0
O_INCOME_GIFTS = 1
O_INCOME_BRAND = 2
O_INCOME_MERCH = 3
O_INCOME_DONATIONS = 4
O_CASH_PAID_OUT = 5
O_CASH_PENDING = 6
O_WITHDRAWAL_FEES = 7
O_UNIQUE_VIEWERS = 8
O_NOTIFIED_VIEWERS = 9
O_DISCOVERED_VIEWERS = 10
O_NEW_FOLLOWERS = 11
O_VIEWER_MINUTES = 12
O_PEAK_CONCURRENT = 13
O_GIFTS = 14
O_COINS = 15
O_DIAMONDS = 16
O_FOLLOWERS_END = 17
O_STREAMS_LIVE = 18
O_INCOME_SUBSCRIPTIONS = 19
O_INCOME_MATCH = 20
O_NEW_SUBSCRIBERS = 21
O_SUBSCRIBERS_END = 22
O_GIFTERS = 23
N_TOTALS = 24

# ----- per_stream: one row per stream, the order of metrics.PER_STREAM -----------
S_DAY = 0
S_HOUR = 1
S_DURATION_MIN = 2
S_LIVE = 3
S_FOLLOWERS_START = 4
S_HABIT = 5
S_UNIQUE_VIEWERS = 6
S_NOTIFIED_VIEWERS = 7
S_DISCOVERED_VIEWERS = 8
S_NEW_FOLLOWERS = 9
S_VIEWER_MINUTES = 10
S_PEAK_CONCURRENT = 11
S_GIFTS = 12
S_COINS = 13
S_DIAMONDS = 14
S_CREATOR_SHARE = 15
S_INCOME_GIFTS = 16
S_INCOME_BRAND = 17
S_INCOME_MERCH = 18
S_INCOME_DONATIONS = 19
S_INCOME_TOTAL = 20
S_SUBSCRIBERS = 21
S_NEW_SUBSCRIBERS = 22
S_INCOME_SUBSCRIPTIONS = 23
S_INCOME_MATCH = 24
S_GIFTERS = 25
N_PER_STREAM = 26

# ----- the index map: res -> per-stream row -> totals ----------------------------
#: ``row[STREAM_FROM_RES[i, 0]] = res[STREAM_FROM_RES[i, 1]]``: the per-stream
#: columns that are a stream's result as it is (R_MATCH_COINS has none: it
#: becomes income_match in USD).
STREAM_FROM_RES = np.array([
    (S_UNIQUE_VIEWERS, R_UNIQUE),
    (S_NOTIFIED_VIEWERS, R_NOTIFIED),
    (S_DISCOVERED_VIEWERS, R_DISCOVERED),
    (S_NEW_FOLLOWERS, R_NEWF),
    (S_VIEWER_MINUTES, R_VM),
    (S_PEAK_CONCURRENT, R_PEAK),
    (S_GIFTS, R_GIFTS),
    (S_COINS, R_COINS),
    (S_INCOME_MERCH, R_MERCH),
    (S_INCOME_DONATIONS, R_DONATIONS),
    (S_NEW_SUBSCRIBERS, R_NEWSUBS),
    (S_GIFTERS, R_GIFTERS),
], dtype=np.int64)

#: ``tot[TOTAL_FROM_STREAM[i, 0]] += row[TOTAL_FROM_STREAM[i, 1]]`` for every
#: stream: the totals that sum a per-stream column over the horizon (``live``
#: counts the streams gone live). ``peak_concurrent`` is the maximum of its
#: column; the other totals (cash, followers and subscribers at the end,
#: subscription income with its renewals) are kept by the path.
TOTAL_FROM_STREAM = np.array([
    (O_INCOME_TOTAL, S_INCOME_TOTAL),
    (O_INCOME_GIFTS, S_INCOME_GIFTS),
    (O_INCOME_BRAND, S_INCOME_BRAND),
    (O_INCOME_MERCH, S_INCOME_MERCH),
    (O_INCOME_DONATIONS, S_INCOME_DONATIONS),
    (O_UNIQUE_VIEWERS, S_UNIQUE_VIEWERS),
    (O_NOTIFIED_VIEWERS, S_NOTIFIED_VIEWERS),
    (O_DISCOVERED_VIEWERS, S_DISCOVERED_VIEWERS),
    (O_NEW_FOLLOWERS, S_NEW_FOLLOWERS),
    (O_VIEWER_MINUTES, S_VIEWER_MINUTES),
    (O_GIFTS, S_GIFTS),
    (O_COINS, S_COINS),
    (O_DIAMONDS, S_DIAMONDS),
    (O_STREAMS_LIVE, S_LIVE),
    (O_INCOME_MATCH, S_INCOME_MATCH),
    (O_NEW_SUBSCRIBERS, S_NEW_SUBSCRIBERS),
    (O_GIFTERS, S_GIFTERS),
], dtype=np.int64)
