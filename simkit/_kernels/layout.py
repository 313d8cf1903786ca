"""Column layout of the packed parameter and output arrays.

Kernels index ``theta[s, X]`` with these module-level integers (numba treats
them as compile-time constants). :mod:`simkit._pack` fills ``theta``; the
output columns follow :data:`simkit.metrics.TOTALS` and ``PER_STREAM``.
"""

from ..metrics import PER_STREAM, TOTALS

_THETA_NAMES = (
    "FOLLOWERS", "CAN_LIVE", "LIVE_MIN", "ORGANIC", "UNFOLLOW",
    "JOIN", "KAPPA", "MU", "PROMO", "PHI", "VIRAL_BETA", "GIFT_MULT",
    "DWELL_KIND", "DWELL_A", "DWELL_B", "FOLLOWER_FACTOR",
    "HABIT_ON", "HABIT_GMAX", "HABIT_LR", "HABIT_R0",
    "DAYS", "SCHED_KIND", "SPW", "WAKE_LO", "WAKE_HI", "DURATION", "N_STREAMS",
    "Q", "DVAL", "SHARE", "SCALED", "SCALED_EXTRA", "AGENCY",
    "WMIN", "WMAX", "WFEE_RATE", "WFEE_USD", "DELAY",
    "BRAND_ON", "BRAND_RATE", "BRAND_EL", "BRAND_CPM_PRICING", "BRAND_CPM",
    "BRAND_FLAT", "BRAND_FLAT_EXP", "BRAND_FLAT_SIGMA",
    "MERCH_P", "MERCH_LOGMED", "MERCH_SIGMA", "MERCH_MARGIN",
    "DON_P", "DON_LOGMED", "DON_SIGMA", "DON_FEE_RATE", "DON_FEE_USD",
    "COLLAB_P", "PARTNER_F", "INTEREST", "N_SEG", "N_GIFTS", "N_SCHED",
    "SUB_ON", "SUB_PAY", "SUB_P", "SUB_RENEW", "SUB_S0", "SUB_WATCH", "SUB_GIFT",
    "MATCH_N", "MATCH_FIXED", "MATCH_LEN", "MATCH_BOOST", "MATCH_PARTNER_F",
    "MATCH_INTEREST",
)
for _i, _n in enumerate(_THETA_NAMES):
    globals()[_n] = _i
N_THETA = len(_THETA_NAMES)

#: Dwell families (``theta[:, DWELL_KIND]``).
DWELL_LOGNORMAL, DWELL_WEIBULL, DWELL_EXPONENTIAL = 0, 1, 2
#: Schedule kinds (``theta[:, SCHED_KIND]``).
SCHED_CONSISTENT, SCHED_AD_HOC, SCHED_EXPLICIT = 0, 1, 2
#: Columns of the schedule table ``sched[s, i, :]``.
SC_DAY, SC_HOUR, SC_DURATION, SC_COLLAB, SC_PROMO = 0, 1, 2, 3, 4
N_SC = 5

for _i, _n in enumerate(TOTALS):
    globals()["O_" + _n.upper()] = _i
N_TOTALS = len(TOTALS)
for _i, _n in enumerate(PER_STREAM):
    globals()["S_" + _n.upper()] = _i
N_PER_STREAM = len(PER_STREAM)
