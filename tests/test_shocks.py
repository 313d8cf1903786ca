"""Stream shocks (docs/model.md §17) against closed forms.

A stream's audience shock X multiplies its arrival rates, so given X its
unique viewers are Poisson(m X), m the mean without shocks. With E[X] = 1:

* the mean is unchanged, E[U] = m;
* the variance is the mixed-Poisson one, Var U = m + m^2 Var X, with
  Var X = exp(sigma^2) - 1 for both families;
* consecutive streams covary through their shocks only,
  Cov(U_i, U_{i+k}) = m^2 Cov(X_i, X_{i+k}) = m^2 (exp(rho^k sigma^2) - 1) for
  the lognormal (log X is a Gaussian AR(1)), and the gamma's by quadrature;
  so the lag-1 correlation of the per-stream audience is
  m^2 (exp(rho sigma^2) - 1) / (m + m^2 (exp(sigma^2) - 1)), and that of log X
  is rho.

Each check is a z-test of a sample mean of i.i.d. per-path quantities against
its expected value, ``|z| < 4``: two-sided false-alarm rate about 6e-5 per
check (normal approximation).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.testing as npt
import pytest
from scipy import special, stats

import simkit
from naive import one_stream_scenario, shocks_exact
from simkit._kernels.shocks import innovations, transform
from simkit._simulate import root_key

Z = 4.0
N = 20_000
#: Three one-hour streams at 20:00 on Mondays of three weeks: nobody follows,
#: no organic growth, no habit, so every stream has the same mean m.
STREAMS = [{"day": 7 * w, "hour": 20} for w in range(3)]
BASE = {"horizon.weeks": 3, "schedule.streams": STREAMS, "audience.follow_prob": 0.0,
        "habit.enabled": False}
SHOCKS = {
    "lognormal": {"shocks.audience_sigma": 0.5, "shocks.rho": 0.6},
    "gamma": {"shocks.family": "gamma", "shocks.audience_sigma": 0.6,
              "shocks.rho": 0.4},
}


def _z(x, mean):
    return (np.mean(x) - mean) / (np.std(x, ddof=1) / math.sqrt(x.size))


def _mean_unique(sc):
    """m: notified plus feed means of a one-hour stream at 20:00 on a Monday."""
    a = sc["audience.activity"][20] * sc["audience.weekday_factors"][0]
    trunc = -math.expm1(-sc["audience.notify_decay_per_min"] * 60.0)
    return (sc["creator.followers"] * sc["audience.join_rate"] * a
            * sc["audience.promotion"] * trunc
            + sc["audience.discovery_rate_per_min"] * a * 60.0)


def _gamma_cov(sigma, rho):
    """E[X_0 X_1] - 1 for gamma shocks whose normal scores have correlation rho
    (Gauss-Hermite quadrature, 120 x 120 nodes)."""
    cv2 = math.expm1(sigma * sigma)
    g = stats.gamma(1.0 / cv2, scale=cv2)
    x, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    z0 = x[:, None]
    z1 = rho * z0 + math.sqrt(1 - rho * rho) * x[None, :]

    def q(z):
        return np.where(z <= 0, g.ppf(special.ndtr(z)), g.isf(special.ndtr(-z)))

    return float(np.sum(w[:, None] * w[None, :] * q(z0) * q(z1))) - 1.0


def _moments(family, sigma, rho, lag):
    """(Var X, Cov(X_i, X_{i+lag}))."""
    var = math.expm1(sigma * sigma)
    if family == "lognormal":
        return var, math.expm1(rho ** lag * sigma * sigma)
    return var, _gamma_cov(sigma, rho ** lag)


@pytest.mark.parametrize("family", list(SHOCKS))
def test_unique_viewers_mixed_poisson(family):
    sc = one_stream_scenario(**BASE, **SHOCKS[family])
    off = sc.with_overrides({"shocks.audience_sigma": 0.0})
    res = simkit.simulate(sc, paths=N, seed=31, per_stream=True)
    u = res.per_stream["unique_viewers"]
    u0 = simkit.simulate(off, paths=N, seed=31, per_stream=True) \
        .per_stream["unique_viewers"]
    m = _mean_unique(sc)
    sigma, rho = sc["shocks.audience_sigma"], sc["shocks.rho"]
    assert (u != u0).mean() > 0.9   # the shocks are on
    for i in range(3):
        # Mean unchanged: paired with the run without shocks, and against m.
        assert abs(_z(u[:, i] - u0[:, i], 0.0)) < Z, f"stream {i} paired mean"
        assert abs(_z(u[:, i], m)) < Z, f"stream {i} mean"
        var, _ = _moments(family, sigma, rho, 1)
        assert abs(_z((u[:, i] - m) ** 2, m + m * m * var)) < Z, f"stream {i} var"
    for lag in (1, 2):
        var, cov = _moments(family, sigma, rho, lag)
        d = (u[:, 0] - m) * (u[:, lag] - m)
        assert abs(_z(d, m * m * cov)) < Z, f"lag {lag} covariance"
    # The lag-1 correlation of the per-stream audience, as the formula says
    # (the covariance test above is the sharp one; this guards the formula).
    var, cov = _moments(family, sigma, rho, 1)
    want = m * m * cov / (m + m * m * var)
    got = np.corrcoef(u[:, 0], u[:, 1])[0, 1]
    assert abs(got - want) < 4 * 2 / math.sqrt(N)   # generous: sd(r) < 2 / sqrt(N)
    # Without shocks the streams are independent Poisson(m) counts.
    assert abs(_z(u0[:, 0], m)) < Z
    assert abs(_z((u0[:, 0] - m) * (u0[:, 1] - m), 0.0)) < Z


def test_gift_shock_keeps_the_mean_of_coins():
    """Given the minutes, gifts are Poisson with the rate times X_gift, so
    E[coins] is unchanged; the paired difference has mean 0."""
    sc = one_stream_scenario(**BASE, **{"shocks.gift_sigma": 0.8,
                                        "shocks.gift_rho": 0.5})
    off = sc.with_overrides({"shocks.gift_sigma": 0.0})
    a = simkit.simulate(sc, paths=N, seed=32, per_stream=True).per_stream
    b = simkit.simulate(off, paths=N, seed=32, per_stream=True).per_stream
    # The audience is untouched.
    npt.assert_array_equal(a["unique_viewers"], b["unique_viewers"])
    assert (a["coins"] != b["coins"]).any()
    for i in range(3):
        assert abs(_z(a["coins"][:, i] - b["coins"][:, i], 0.0)) < Z
        assert abs(_z(a["gifts"][:, i] - b["gifts"][:, i], 0.0)) < Z
    # More spread: the shocked gift counts have the larger variance.
    assert a["gifts"].var() > b["gifts"].var()


@pytest.mark.parametrize("family", ["lognormal", "gamma"])
def test_shock_process_moments(family):
    """The multipliers themselves: mean 1, variance exp(sigma^2) - 1, and the
    correlation rho of consecutive normal scores (log X / sigma for the
    lognormal, Phi^-1(G(X)) for the gamma)."""
    n, sigma, rho = 200_000, 0.5, 0.6
    x = transform(innovations(root_key(5), 0, n, 3), family, sigma, rho, sigma, 0.0)
    var = math.expm1(sigma * sigma)
    for c, r in ((0, rho), (1, 0.0)):
        xc = x[:, :, c]
        assert abs(_z(xc[:, 2], 1.0)) < Z
        assert abs(_z((xc[:, 2] - 1.0) ** 2, var)) < Z
        if family == "lognormal":
            s = (np.log(xc) + sigma * sigma / 2) / sigma
        else:
            s = special.ndtri(stats.gamma(1 / var, scale=var).cdf(xc))
        # Normal scores: E[s_0 s_1] = r, sd of the product <= sqrt(1 + r^2).
        assert abs(_z(s[:, 0] * s[:, 1], r)) < Z
        assert abs(_z(s[:, 0] * s[:, 2], r * r)) < Z


def test_shocks_are_keyed_and_match_the_reference():
    """The shocks of path p depend only on (seed, p, stream): any block split
    gives the same values, and they equal the naive stream-by-stream ones."""
    sc = one_stream_scenario(**BASE, **{"shocks.family": "gamma",
                                        "shocks.audience_sigma": 0.7, "shocks.rho": 0.5,
                                        "shocks.gift_sigma": 0.3,
                                        "shocks.gift_rho": 0.2})
    key = root_key(9)
    law = ("gamma", 0.7, 0.5, 0.3, 0.2)
    whole = transform(innovations(key, 100, 12, 3), *law)
    parts = np.concatenate([transform(innovations(key, 100 + a, b - a, 3), *law)
                            for a, b in ((0, 5), (5, 6), (6, 12))])
    npt.assert_array_equal(whole, parts)
    for p in range(12):
        ref = np.array(shocks_exact(sc, key, 100 + p, 3))
        npt.assert_allclose(whole[p], ref, rtol=1e-12)
    # Fewer streams give the same first shocks (a shock depends on the past only).
    npt.assert_array_equal(transform(innovations(key, 100, 12, 2), *law),
                           whole[:, :2])


def test_far_tails_stay_finite_and_ordered():
    """Normal scores of +-8.5 (beyond any double-precision uniform) give finite,
    positive multipliers, increasing in the score, for both families."""
    e = np.array([-8.5, -3.0, 0.0, 3.0, 8.5]).reshape(-1, 1, 1) * np.ones((1, 1, 2))
    for family in ("lognormal", "gamma"):
        x = transform(e, family, 1.5, 0.0, 0.3, 0.0)[:, 0, :]
        assert np.isfinite(x).all() and (x > 0).all()
        assert (np.diff(x, axis=0) > 0).all()
    # Off (sigma 0): exactly one, whatever the score.
    npt.assert_array_equal(transform(e, "gamma", 0.0, 0.5, 0.0, 0.5), 1.0)
