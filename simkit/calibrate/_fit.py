"""Fit a scenario to a creator's LIVE history (docs/calibration.md).

Two stages:

A. **Audience** (closed form, approximate maximum likelihood). Given the
   followers ``F_i``, the habit factor ``H_i`` (from the history's own slot
   repeats) and the activity of each LIVE's hours, the model's mean audience
   is ``m_i = r c_i + mu f_i`` (docs/model.md §2, §3, §5) with

       c_i = (F_i H_i + collab_i F_p iota) A(d_i, h_i) P (1 - exp(-kappa T_i))
       f_i = w(d_i) sum_j a((h_i + j) mod 24) L_ij

   and ``U_i | X_i ~ Poisson(m_i X_i)``, ``ln X_i`` a stationary Gaussian AR(1)
   with sd ``sigma`` and mean ``-sigma^2 / 2`` (§17). On the log scale
   ``ln U_i = ln m_i - sigma^2/2 + sigma z_i + eta_i`` with the Poisson noise
   ``eta_i`` of variance ``1 / m_i`` (delta method); the Gaussian likelihood of
   this gives ``r``, ``mu``, ``sigma`` and ``rho`` jointly, and the inverse of
   its observed information their covariance (weak identification of ``r``
   against ``mu`` shows there as a large standard error and a strong negative
   correlation).

B. **Dwell, gifting, follows** (simulated method of moments, common random
   numbers). The history's LIVEs are simulated at the stage-A estimates
   under one seed for a grid of dwell medians; the pooled moments
   viewer-minutes per viewer, diamonds per viewer-minute and new followers per
   viewer are matched. The first is monotone in the dwell median (solved by
   interpolation on the log scale); the others are exactly proportional to
   ``segments.gift_rate_scale`` and ``audience.follow_prob`` given the
   minutes and newcomers, so one simulation gives them. Standard errors come
   from the delta method with the moments' covariance estimated from the
   history's per-LIVE residuals (Newey-West with Bartlett weights, for the
   shock correlation between consecutive LIVEs).

   With a ``gifters`` column (not all zero) the gift-rate scale is matched to
   gifters per viewer through the per-stream ``gifters`` metric (expected
   viewers who gift at least once) and ``segments.gift_size_tilt`` to
   diamonds per gifter, each on a grid then one Newton step; the tilt is a
   point estimate with a standard error (it cannot vary per path).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .._text import setting
from ..errors import SimkitError

__all__ = ["fit", "FitResult", "FITTED_KEYS"]

#: Keys the fit estimates, in the order of the table.
FITTED_KEYS = ("audience.join_rate", "audience.discovery_rate_per_min",
               "shocks.audience_sigma", "shocks.rho", "dwell.median_min",
               "segments.gift_rate_scale", "audience.follow_prob")

_INFORMED = {
    "audience.join_rate": "log viewers vs followers x activity at the start hour "
                          "(closed-form likelihood)",
    "audience.discovery_rate_per_min": "log viewers vs activity over the LIVE's "
                                       "hours (closed-form likelihood)",
    "shocks.audience_sigma": "spread of log viewers around the model mean",
    "shocks.rho": "lag-1 correlation of log-viewer residuals",
    "dwell.median_min": "viewer-minutes per viewer (simulated moments)",
    "segments.gift_rate_scale": "diamonds per viewer-minute (simulated moments)",
    "audience.follow_prob": "new followers per viewer (simulated moments)",
}
#: What informed each estimate, in a few words (the plain view); keyed by
#: ``(key, informed_by)`` where a key has more than one source.
_INFORMED_SHORT = {
    "audience.join_rate": "viewers vs followers",
    "audience.discovery_rate_per_min": "viewers vs time of day",
    "shocks.audience_sigma": "swings in viewers",
    "shocks.rho": "swings carried over",
    "dwell.median_min": "minutes per viewer",
    "segments.gift_rate_scale": "diamonds per minute",
    "audience.follow_prob": "new followers per viewer",
    "segments.gift_size_tilt": "diamonds per gifter",
}
#: With a ``gifters`` column: the gift-rate scale from gifters per viewer and the
#: gift size from diamonds per gifter.
_INFORMED_GIFTERS = {
    "segments.gift_rate_scale": "gifters per viewer vs the expected-gifters metric "
                                "(simulated moments)",
    "segments.gift_size_tilt": "diamonds per gifter (simulated moments; a point "
                               "estimate, the same on every path)",
}
_INFORMED_SHORT[("segments.gift_rate_scale",
                 _INFORMED_GIFTERS["segments.gift_rate_scale"])] = "gifters per viewer"
#: Keys fitted as point estimates (with a standard error) but written as fixed
#: values: they cannot vary per path (:data:`simkit._pack.PATH_KEYS`).
FIXED_FITTED_KEYS = ("segments.gift_size_tilt",)
_SCALE_GRID = np.linspace(-4.0, 4.0, 9)       # ln(scale / base scale)
_TILT_GRID = np.linspace(-1.5, 1.5, 7)        # tilt - base tilt
_TILT_STEP = 0.15

#: Largest log-scale sd of a written lognormal: a factor e^2.5 = 12 either side
#: of the median at one sd (beyond that the history says next to nothing).
MAX_LOG_SD = 2.5
_DWELL_GRID = np.log([0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
_DWELL_STEP = 0.15


# ------------------------------------------------------------------ design


def _habit(day, hour, sc):
    """Habit factor H_i and the final record R from the history's slot repeats."""
    lam, gmax = sc["habit.learning_rate"], sc["habit.max_gain"]
    r = sc["habit.initial"]
    seen = set()
    h = np.ones(len(day))
    for i, (d, hh) in enumerate(zip(day.tolist(), hour.tolist())):
        x = 1.0 if (d - 7, hh) in seen else 0.0
        r = (1 - lam) * r + lam * x
        if sc["habit.enabled"]:
            h[i] = 1.0 + gmax * r
        seen.add((d, hh))
    return h, r


def _followers(hist, sc):
    """Followers at each LIVE's start: the column, or the base's count at the
    first LIVE plus the new followers and organic growth since."""
    if hist.followers is not None:
        return hist.followers.astype(float)
    d = hist.day.astype(float)
    grown = np.concatenate([[0.0], np.cumsum(hist.new_followers)[:-1]])
    return sc["creator.followers"] + grown + sc["creator.organic_growth_per_day"] * (
        d - d[0])


def _design(hist, sc, followers=None, habit=None):
    """Coefficients c (of r) and f (of mu) of each LIVE's mean audience."""
    a = np.asarray(sc["audience.activity"], float)
    w = np.asarray(sc["audience.weekday_factors"], float)[hist.weekday]
    hour, T = hist.hour, hist.duration_min
    F = _followers(hist, sc) if followers is None else followers
    H = _habit(hist.day, hour, sc)[0] if habit is None else habit
    collab = np.zeros(len(hist)) if hist.collab is None else hist.collab.astype(float)
    part = collab * sc["collaboration.partner_followers"] * sc["collaboration.interest"]
    kappa = sc["audience.notify_decay_per_min"]
    c = (F * H + part) * a[hour] * w * sc["audience.promotion"] * (
        1 - np.exp(-kappa * T))
    f = np.zeros(len(hist))
    for j in range(int(math.ceil(T.max() / 60))):
        L = np.clip(T - 60 * j, 0, 60)
        f += a[(hour + j) % 24] * L
    return c, f * w


# ------------------------------------------------------------------ stage A


def _nll(theta, y, c, f, lag, X=None, prior=None):
    r, mu, s = np.exp(theta[:3])
    rho = math.tanh(theta[3])
    m = r * c + mu * f
    if not np.all(m > 0):
        return 1e300
    e = y - (np.log(m) - s * s / 2)
    cov = s * s * rho ** lag + np.diag(1.0 / m)
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return 1e300
    z = np.linalg.solve(L, e)
    nll = float(np.log(np.diag(L)).sum() + 0.5 * z @ z)
    if prior is not None:
        # weak lognormal prior on the two rates around the base's values: keeps
        # a split the history cannot make off the bounds (the posterior mode)
        centre, sd = prior
        nll += 0.5 * float((((theta[:2] - centre) / sd) ** 2).sum())
    if X is None:
        return nll
    # restricted likelihood (Patterson and Thompson 1971): the two rates take
    # out the level, which biases sigma and rho down by plain maximum
    # likelihood; X = d ln m / d ln(r, mu), held at the first-pass estimate
    sign, logdet = np.linalg.slogdet(X.T @ np.linalg.solve(cov, X))
    return nll + (0.5 * logdet if sign > 0 else 0.0)


def _hessian(fun, x, h=1e-3):
    k = len(x)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            def at(di, dj):
                z = np.array(x, float)
                z[i] += di
                z[j] += dj
                return fun(z)
            v = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)
            H[i, j] = H[j, i] = v
    return H


def _stage_a(hist, sc):
    from scipy.optimize import minimize

    c, f = _design(hist, sc)
    y = np.log(np.maximum(hist.viewers, 0.5))
    n = len(y)
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).astype(float)
    r0 = max(sc["audience.join_rate"], 1e-4)
    mu0 = max(sc["audience.discovery_rate_per_min"], 1e-2)
    from .. import config

    prior = (np.log([r0, mu0]), config.FIT_PRIOR_LOG_SD)
    bounds = [(math.log(1e-6), 0.0), (math.log(1e-4), math.log(1e4)),
              (math.log(0.01), math.log(3.0)), (math.atanh(-0.95), math.atanh(0.95))]
    best = None
    # three starts: the base's split, mostly followers, mostly feed
    for wr, wm in ((1.0, 1.0), (1.0, 0.05), (0.05, 1.0)):
        m0 = wr * r0 * c + wm * mu0 * f
        k = math.exp(np.mean(y - np.log(m0)))
        x0 = [math.log(min(wr * r0 * k, 0.99)), math.log(max(wm * mu0 * k, 1.1e-4)),
              math.log(0.4), math.atanh(0.3)]
        x0 = [min(max(v, lo + 1e-6), hi - 1e-6) for v, (lo, hi) in zip(x0, bounds)]
        res = minimize(_nll, x0, args=(y, c, f, lag, None, prior), method="L-BFGS-B",
                       bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    r, mu = np.exp(best.x[:2])
    m = r * c + mu * f
    X = np.column_stack([r * c / m, mu * f / m])
    x0 = [min(max(v, lo + 1e-6), hi - 1e-6) for v, (lo, hi) in zip(best.x, bounds)]
    best = minimize(_nll, x0, args=(y, c, f, lag, X, prior), method="L-BFGS-B",
                    bounds=bounds)
    theta = best.x
    H = _hessian(lambda t: _nll(t, y, c, f, lag, X, prior), theta)
    w, v = np.linalg.eigh((H + H.T) / 2)
    cov = (v / np.maximum(w, 1e-8)) @ v.T   # pseudo-inverse on a flat direction
    at_bound = [abs(t - lo) < 1e-4 or abs(t - hi) < 1e-4
                for t, (lo, hi) in zip(theta, bounds)]
    return theta, cov, at_bound


# ------------------------------------------------------------------ stage B


def _ratio_cov(ys, xs):
    """Covariance of the log ratios ln(sum y_a / sum x_a) (delta method, Newey-West
    Bartlett weights over consecutive LIVEs)."""
    R = [y.sum() / x.sum() for y, x in zip(ys, xs)]
    E = np.array([(y - r * x) / (r * x.sum()) if r * x.sum() > 0 else 0 * x
                  for y, x, r in zip(ys, xs, R)])  # a zero moment is not fitted
    V = E @ E.T
    n = E.shape[1]
    lags = int(4 * (n / 100) ** (2 / 9))  # Newey and West (1994) rule of thumb
    for lag in range(1, min(lags, n - 1) + 1):
        G = E[:, lag:] @ E[:, :-lag].T
        V = V + (1 - lag / (lags + 1)) * (G + G.T)  # Bartlett weights
    w, v = np.linalg.eigh((V + V.T) / 2)
    return (v * np.maximum(w, 0)) @ v.T


def _sim_moments(scs, paths, seed):
    from .._simulate import simulate_batch

    out = []
    for res in simulate_batch(scs, paths=paths, seed=seed, per_stream=True,
                              progress=False):
        ps = res.per_stream
        U, VM = ps["unique_viewers"].sum(), ps["viewer_minutes"].sum()
        u, vm = ps["unique_viewers"].sum(1), ps["viewer_minutes"].sum(1)
        d, nf = ps["diamonds"].sum(1), ps["new_followers"].sum(1)
        g = ps["gifters"].sum(1)
        ok = (u > 0) & (vm > 0) & (d > 0) & (nf > 0) & (g > 0)
        # moments in the order q, dpm, nf, gpv (gifters per viewer), dpg
        # (diamonds per gifter)
        per_path = np.log(np.array([vm[ok] / u[ok], d[ok] / vm[ok], nf[ok] / u[ok],
                                    g[ok] / u[ok], d[ok] / g[ok]]))
        G = ps["gifters"].sum()
        out.append({"q": VM / max(U, 1), "dpm": ps["diamonds"].sum() / max(VM, 1e-300),
                    "nf": ps["new_followers"].sum() / max(U, 1),
                    "gpv": G / max(U, 1), "dpg": ps["diamonds"].sum() / max(G, 1e-300),
                    "cov": np.cov(per_path) if ok.sum() > 3 else None, "ps": ps})
    return out


def _replay(hist, base, values):
    """The base scenario with an explicit schedule of the history's LIVEs."""
    from ..scenario import scenario_from_dict

    d = base.to_dict()
    sched = hist.to_schedule()
    weeks = sched[-1]["day"] // 7 + 1
    if weeks > 104:
        raise SimkitError(f"{hist.source}: the history spans {weeks} weeks; at most "
                          "104 can be replayed (fit the last two years)")
    d["schedule"] = {**d.get("schedule", {}), "kind": "explicit", "streams": sched}
    d["horizon"] = {"weeks": int(weeks)}
    f0 = hist.followers[0] if hist.followers is not None else base["creator.followers"]
    d["creator"] = {**d["creator"], "followers": int(f0), "live_min_followers": 0,
                    "adult": True}
    for key, v in values.items():
        sec, name = key.split(".")
        d[sec][name] = v
    d.pop("sweep", None)
    return scenario_from_dict(d, source=base.source)


# ------------------------------------------------------------------ result


@dataclass(frozen=True, eq=False)
class FitResult:
    """What :func:`fit` estimated from a LIVE history.

    Attributes
    ----------
    scenario : Scenario
        The replay scenario: the history's LIVEs as an ``explicit`` schedule
        (day 0 = the Monday on or before the first LIVE), followers at the
        first LIVE; fitted keys are distributions, with ``[correlations]``
        where the estimates correlate. For backtests.
    forecast : Scenario
        The same fitted keys on a forward-looking schedule: the base
        scenario's schedule when one was given, else a ``consistent``
        schedule of the creator's usual slots; followers after the last LIVE.
    estimates : dict
        Key -> ``(estimate, standard error)``.
    not_fitted : tuple of str
        Keys the history cannot identify (they keep the base's values).
    informed_by : dict
        Key -> what in the history informed it.
    keys : tuple of str
        The fitted keys, in the order of :attr:`cov`.
    cov : ndarray
        Covariance of the estimates on their working scale (log for positive
        keys, ``atanh`` for ``shocks.rho``).
    n_lives : int
        LIVEs in the history.
    source : str
        The history's file name.
    seed, paths : int
        Of the simulations.
    notes : tuple of str
        Warnings about the fit (estimates at a bound, weak identification).
    fixed : tuple of str
        Keys estimated as a point (with a standard error in :attr:`estimates`)
        and written as a fixed value, not a distribution: they cannot vary per
        path (``segments.gift_size_tilt``, fitted when the history has gifters).

    Examples
    --------
    >>> from simkit.calibrate._history import _example
    >>> res = fit(_example(), paths=20)
    >>> est, se = res.estimates["dwell.median_min"]
    >>> est > 0 and se >= 0, res.forecast["schedule.kind"]
    (True, 'consistent')
    """

    scenario: object
    forecast: object
    estimates: dict
    not_fitted: tuple
    informed_by: dict
    keys: tuple
    cov: np.ndarray
    n_lives: int
    source: str = "<memory>"
    seed: int = 0
    paths: int = 0
    notes: tuple = field(default=())
    fixed: tuple = field(default=())

    @property
    def corr(self) -> np.ndarray:
        """Correlation matrix of the estimates (working scale)."""
        d = np.sqrt(np.diag(self.cov))
        d = np.where(d > 0, d, 1.0)
        return self.cov / np.outer(d, d)

    def interval(self, key, level=0.9) -> tuple:
        """Central ``level`` interval of a fitted key (from its distribution).

        Parameters
        ----------
        key : str
            One of :attr:`keys`.
        level : float
            Probability inside the interval.

        Returns
        -------
        (float, float)

        Examples
        --------
        >>> from simkit.calibrate._history import _example
        >>> lo, hi = fit(_example(), paths=20).interval("dwell.median_min")
        >>> bool(lo <= hi)
        True
        """
        if key in self.fixed:   # a point estimate: normal approximation
            from scipy.stats import norm

            est, se = self.estimates[key]
            z = float(norm.ppf((1 + level) / 2))
            return float(est - z * se), float(est + z * se)
        dist = self.scenario.uncertain[key]
        lo, hi = dist.ppf([(1 - level) / 2, (1 + level) / 2])
        return float(lo), float(hi)

    def table(self, *, details=False, wide=False) -> str:
        """The fit as text: a plain sentence and table, or the full view.

        Parameters
        ----------
        details : bool
            The full view: scenario keys, estimate, ± s.e., 90% interval and
            what informed each estimate, correlations, every key not fitted.
        wide : bool
            Keep every column of the plain table past 80 columns.

        Examples
        --------
        >>> from simkit.calibrate._history import _example
        >>> res = fit(_example(), paths=20)
        >>> print(res.table().splitlines()[0])
        From 8 LIVEs, this creator's audience and gifting were estimated; 8 settings
        >>> print(res.table(details=True).splitlines()[0])
        Fit of <memory> (8 LIVEs; seed 0, 20 simulated paths)
        """
        if details:
            return self._details()
        from .._present import table
        from .._text import WIDTH, fmt_at, value_pm, wrap
        from .. import config
        from .._words import PARAM_NAMES, param_name

        keys = self.keys + self.fixed
        n_rest = len(self.not_fitted)
        lines = [wrap(f"From {self.n_lives:,} LIVEs, this creator's audience and "
                      f"gifting were estimated; {len(keys)} setting"
                      f"{'' if len(keys) == 1 else 's'} fitted, the rest kept.")]
        rows = []
        for k in keys:
            est, se = self.estimates[k]
            lo, hi = self.interval(k)
            rows.append([param_name(k), value_pm(est, se),
                         f"{fmt_at(lo, se)} – {fmt_at(hi, se)}",
                         _INFORMED_SHORT.get((k, self.informed_by[k]),
                                             _INFORMED_SHORT.get(k, ""))])
        tab, _ = table(["setting", "estimate", "90% range", "from"], rows,
                       align="lrrl", optional=[3], wide=wide)
        lines += ["", *tab, ""]
        cor = self.corr
        pairs = sorted(((abs(cor[i, j]), cor[i, j], i, j)
                        for i in range(len(self.keys))
                        for j in range(i + 1, len(self.keys))
                        if abs(cor[i, j]) > config.FIT_MIN_CORRELATION), reverse=True)
        if pairs:
            _, c, i, j = pairs[0]
            more = len(pairs) - 1
            lines.append(wrap(
                f"{param_name(self.keys[i])} and {param_name(self.keys[j])} are hard "
                f"to tell apart (correlation {c:+.2f})".replace(
                    "(correlation -", "(correlation \u2212")
                + (f"; {more} other pair{'' if more == 1 else 's'} of estimates "
                   "move together (--details lists them)." if more else ".")))
        for k in self.fixed:
            lines.append(wrap(f"{param_name(k)} is a single best guess, written as a "
                              "fixed value (it cannot vary from one simulated month "
                              "to the next)."))
        if n_rest:
            lines.append(wrap(f"{n_rest} other setting{'' if n_rest == 1 else 's'} "
                              "could not be told from this history and keep the "
                              "base scenario's values (--details lists them)."))
        names = sorted({*keys, *self.not_fitted, *PARAM_NAMES}, key=len, reverse=True)
        for n in self.notes:
            for k in names:
                n = re.sub(rf"(?<![\w.]){re.escape(k)}(?![\w])", param_name(k), n)
            lines.append(wrap("Note: " + n, WIDTH))
        return "\n".join(lines)

    def _details(self) -> str:
        from .. import config


        from .._present import table

        rows = []
        for k in self.keys + self.fixed:
            est, se = self.estimates[k]
            lo, hi = self.interval(k)
            rows.append([k, setting(est), f"± {setting(se)}",
                         f"{setting(lo)} – {setting(hi)}", self.informed_by[k]])
        lines = [f"Fit of {self.source} ({self.n_lives} LIVEs; seed {self.seed}, "
                 f"{self.paths} simulated paths)"]
        lines += table(["key", "estimate", "± s.e.", "90% interval", "informed by"],
                       rows, align="lllll", rule=False, wide=True)[0]
        cor = self.corr
        pairs = [f"{self.keys[i]} ~ {self.keys[j]}: {cor[i, j]:+.2f}"
                 for i in range(len(self.keys)) for j in range(i + 1, len(self.keys))
                 if abs(cor[i, j]) > config.FIT_MIN_CORRELATION]
        if pairs:
            lines.append("Correlated estimates: " + "; ".join(pairs))
        if self.fixed:
            lines.append("Point estimates (written as fixed values, not "
                         "distributions): " + ", ".join(self.fixed))
        lines.append("Not fitted (base values kept): " + ", ".join(self.not_fitted))
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary (estimates, s.e., intervals, correlations).

        Examples
        --------
        >>> from simkit.calibrate._history import _example
        >>> sorted(fit(_example(), paths=20).to_dict())[:3]
        ['correlation', 'estimates', 'keys']
        """
        from .._present import json_value

        return json_value({
            "source": self.source, "n_lives": self.n_lives, "seed": self.seed,
            "paths": self.paths, "keys": list(self.keys),
            "estimates": {k: {"estimate": float(e), "stderr": float(s),
                              "interval_90": list(self.interval(k)),
                              "informed_by": self.informed_by[k]}
                          for k, (e, s) in self.estimates.items()},
            "correlation": self.corr.round(6),
            "not_fitted": list(self.not_fitted), "notes": list(self.notes),
        })

    def to_toml(self, path, *, replay=False) -> None:
        """Write the fitted scenario (``forecast``, or ``scenario`` with
        ``replay=True``) to ``path`` atomically, with the fit as comments.

        Examples
        --------
        >>> import tempfile, pathlib, simkit
        >>> from simkit.calibrate._history import _example
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "fitted.toml"
        >>> fit(_example(), paths=20).to_toml(p)
        >>> sorted(simkit.load_scenario(p).uncertain)[0]
        'audience.discovery_rate_per_min'
        """
        from .._io import atomic_write_text

        sc = self.scenario if replay else self.forecast
        head = [f"# Fitted by simkit fit from {self.source} ({self.n_lives} LIVEs), "
                f"seed {self.seed}, {self.paths} paths,",
                f"# {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}. "
                + ("Replay: the history's own LIVEs (explicit schedule)." if replay
                   else "Forecast schedule; fitted keys are distributions."),
                "#"]
        head += ["# " + line for line in self.table(details=True).splitlines()]
        atomic_write_text(path, "\n".join(head) + "\n\n" + to_toml(sc.to_dict()))


# ------------------------------------------------------------------ TOML


def _tv(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, str):
        import json

        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_tv(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_tk(k)} = {_tv(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _tk(k):
    import re

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _tv(k)


def to_toml(d: dict) -> str:
    """A scenario mapping (as :meth:`Scenario.to_dict` gives) as TOML text.

    Examples
    --------
    >>> print(to_toml({"name": "x", "creator": {"followers": 5}}))
    name = "x"
    <BLANKLINE>
    [creator]
    followers = 5
    <BLANKLINE>
    """
    out = [f"{_tk(k)} = {_tv(v)}" for k, v in d.items() if not isinstance(v, dict)]
    for sec, tab in d.items():
        if not isinstance(tab, dict):
            continue
        out += ["", f"[{_tk(sec)}]"]
        sub = []
        for k, v in tab.items():
            if isinstance(v, dict) and "dist" not in v:
                sub.append((k, v))
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                out.append(f"{_tk(k)} = [")
                out += [f"  {_tv(x)}," for x in v]
                out.append("]")
            else:
                out.append(f"{_tk(k)} = {_tv(v)}")
        for k, v in sub:  # nested tables (variants)
            out += ["", f"[{_tk(sec)}.{_tk(k)}]"]
            out += [f"{_tk(a)} = {_tv(b)}" for a, b in v.items()]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ fit


def _fit_iv(history, scenario, seed, paths):
    """Input validation for :func:`fit`: ``(history, scenario, seed, paths)``."""
    from .. import _validate
    from ..scenario import scenario_from_dict
    from ..scenario._load import as_scenario
    from ._history import History, read_history

    if isinstance(history, (str, Path)):
        history = read_history(history)
    if not isinstance(history, History):
        raise SimkitError("`history` must be a History (simkit.read_history) or a "
                          "CSV path")
    if scenario is None:
        scenario = scenario_from_dict({}, source="<defaults>")
    scenario = as_scenario(scenario, load=False)
    return (history, scenario, _validate.seed(seed),
            _validate.integer(paths, "paths", minimum=10, maximum=100_000))


def fit(history, *, scenario=None, seed=0, paths=200) -> FitResult:
    """Fit a scenario to a LIVE history, with the estimates' uncertainty.

    Estimates ``audience.join_rate``, ``audience.discovery_rate_per_min``,
    ``shocks.audience_sigma`` and ``shocks.rho`` by an approximate maximum
    likelihood on log viewers (closed-form means), then
    ``dwell.median_min``, ``segments.gift_rate_scale`` and
    ``audience.follow_prob`` by simulated moments under common random numbers,
    and, when the history has gifters, ``segments.gift_size_tilt`` (diamonds
    per gifter; a point estimate written as a fixed value, listed in
    ``FitResult.fixed``) with the scale from gifters per viewer
    (docs/calibration.md). Other keys keep the base scenario's values.

    Parameters
    ----------
    history : History or path
        From :func:`simkit.read_history` (a path is read with default columns).
    scenario : Scenario, optional
        Base scenario (default: the schema defaults). Its values of keys the
        history cannot identify are kept, and its schedule is the forecast's.
    seed : int
        Seed of the simulations (common random numbers across the dwell grid).
    paths : int
        Simulated paths per trial (10 to 100,000).

    Returns
    -------
    FitResult

    Raises
    ------
    SimkitError
        On a bad argument, or a history too long to replay (over 104 weeks).

    Examples
    --------
    >>> import simkit
    >>> from simkit.calibrate._history import _example
    >>> res = simkit.fit(_example(), paths=20)
    >>> res.keys[:2]
    ('audience.join_rate', 'audience.discovery_rate_per_min')
    >>> "shocks.rho" in res.scenario.uncertain
    True
    """
    from .._pack import PATH_KEYS
    from ..scenario import scenario_from_dict
    from ..scenario._uncertain import _normal_to_spearman, spearman_to_normal

    hist, base, seed, paths = _fit_iv(history, scenario, seed, paths)
    notes = []
    if hist.followers is None:
        notes.append(f"no `followers` column: {base['creator.followers']:,} followers "
                     "at the first LIVE (the base's creator.followers) plus the new "
                     "followers since; the join rate is relative to that")
    nominal = base.with_overrides({k: base[k] for k in FITTED_KEYS})  # fixed copy
    # ---- stage A
    theta, cov_a, at_bound = _stage_a(hist, nominal)
    r, mu, sig = np.exp(theta[:3])
    rho = math.tanh(theta[3])
    vals = {"audience.join_rate": float(r),
            "audience.discovery_rate_per_min": float(mu),
            "shocks.audience_sigma": float(sig), "shocks.rho": float(rho)}
    for k, b in zip(FITTED_KEYS[:4], at_bound):
        if b:
            notes.append(f"{k} is at the edge of its search range; its standard "
                         "error is not reliable")
    if nominal["audience.virality"] > 0:
        # the closed form has no offspring: rescale both rates to the simulated mean
        sc0 = _replay(hist, nominal, vals)
        ps = _sim_moments([sc0], paths, seed)[0]["ps"]
        c, f = _design(hist, sc0, followers=ps["followers_start"].mean(0),
                       habit=ps["habit"].mean(0))
        k = ps["unique_viewers"].mean(0).sum() / (r * c + mu * f).sum()
        vals["audience.join_rate"] = float(min(r / k, 1.0))
        vals["audience.discovery_rate_per_min"] = float(mu / k)
        notes.append(f"virality {nominal['audience.virality']:g}: join and discovery "
                     f"rates divided by the simulated offspring factor {k:.3f}")
    # ---- stage B: dwell grid under common random numbers
    m0 = nominal["dwell.median_min"]
    s0 = nominal["segments.gift_rate_scale"] or 1.0
    phi0 = nominal["audience.follow_prob"] or 0.02
    fixed = {**vals, "segments.gift_rate_scale": s0, "audience.follow_prob": phi0}
    grid = np.clip(m0 * np.exp(_DWELL_GRID), 0.02, 5e3)
    # the coarse grid only brackets the root: a quarter of the paths
    sims = _sim_moments([_replay(hist, nominal, {**fixed, "dwell.median_min": float(m)})
                         for m in grid], max(10, paths // 4), seed)
    q_obs = hist.viewer_minutes.sum() / max(hist.viewers.sum(), 1)
    lq = np.log([s["q"] for s in sims])
    lq = np.maximum.accumulate(lq)  # monotone (CRN makes it so but for ties)
    lm = float(np.interp(math.log(q_obs), lq, np.log(grid)))
    if not lq[0] <= math.log(q_obs) <= lq[-1]:
        notes.append("dwell.median_min is at the edge of its search grid "
                     f"({setting(grid[0])}-{setting(grid[-1])} min)")
    m_hat = float(np.clip(math.exp(lm), 0.01, 1e4))
    # ---- gifting from gifters: scale from gifters per viewer (the expected-gifters
    # metric), gift size from diamonds per gifter; each on a coarse grid first
    G = hist.gifters
    use_g = G is not None and G.sum() > 0 and hist.diamonds.sum() > 0
    t0 = nominal["segments.gift_size_tilt"]
    s_hat, t_hat = s0, t0
    if use_g:
        gpv_obs = G.sum() / max(hist.viewers.sum(), 1)
        dpg_obs = hist.diamonds.sum() / G.sum()
        at_m = {**fixed, "dwell.median_min": m_hat}
        sgrid = np.clip(s0 * np.exp(_SCALE_GRID), 1e-4, 100.0)
        sims = _sim_moments([_replay(hist, nominal, {**at_m, "segments.gift_rate_scale":
                                                     float(x)}) for x in sgrid],
                            max(10, paths // 4), seed)
        lg = np.maximum.accumulate(np.log([max(x["gpv"], 1e-300) for x in sims]))
        if not lg[0] <= math.log(gpv_obs) <= lg[-1]:
            notes.append("segments.gift_rate_scale is at the edge of its search grid "
                         f"({setting(sgrid[0])}-{setting(sgrid[-1])})")
        s_hat = float(math.exp(np.interp(math.log(gpv_obs), lg, np.log(sgrid))))
        tgrid = np.unique(np.clip(t0 + _TILT_GRID, -2.0, 2.0))
        sims = _sim_moments([_replay(hist, nominal, {**at_m, "segments.gift_rate_scale":
                                                     s_hat, "segments.gift_size_tilt":
                                                     float(x)}) for x in tgrid],
                            max(10, paths // 4), seed)
        ld = np.maximum.accumulate(np.log([max(x["dpg"], 1e-300) for x in sims]))
        if not ld[0] <= math.log(dpg_obs) <= ld[-1]:
            notes.append("segments.gift_size_tilt is at the edge of its search grid "
                         f"({tgrid[0]:g} to {tgrid[-1]:g})")
        t_hat = float(np.interp(math.log(dpg_obs), ld, tgrid))
        fixed = {**fixed, "segments.gift_rate_scale": s_hat,
                 "segments.gift_size_tilt": t_hat}
    loc = np.clip(m_hat * np.exp(np.array([-_DWELL_STEP, 0.0, _DWELL_STEP])), 0.01, 1e4)
    trials = [{**fixed, "dwell.median_min": float(m)} for m in loc]
    # the mix of followers and newcomers comes from stage A: its Jacobian too
    step = _DWELL_STEP
    trials += [{**fixed, "dwell.median_min": m_hat,
                "audience.join_rate": min(vals["audience.join_rate"] * math.exp(step),
                                          1.0)},
               {**fixed, "dwell.median_min": m_hat, "audience.discovery_rate_per_min":
                vals["audience.discovery_rate_per_min"] * math.exp(step)}]
    dt = _TILT_STEP if t_hat + _TILT_STEP <= 2.0 else -_TILT_STEP
    if use_g:
        trials += [{**fixed, "dwell.median_min": m_hat, "segments.gift_rate_scale":
                    min(s_hat * math.exp(step), 100.0)},
                   {**fixed, "dwell.median_min": m_hat,
                    "segments.gift_size_tilt": t_hat + dt}]
    s3 = _sim_moments([_replay(hist, nominal, t) for t in trials], paths, seed)
    dl = math.log(loc[2] / loc[0])
    # moments: viewer-minutes per viewer, the gifting moment (gifters per viewer
    # with a gifters column, else diamonds per viewer-minute), new followers per
    # viewer, and diamonds per gifter (with a gifters column)
    names = ("q", "gpv", "nf", "dpg") if use_g else ("q", "dpm", "nf")

    def lmom(s):
        return np.log([max(s[m], 1e-300) for m in names])

    mid = s3[1]
    dm = (lmom(s3[2]) - lmom(s3[0])) / dl           # d ln moments / d ln median
    d_r = (lmom(s3[3]) - lmom(mid)) / math.log(
        trials[3]["audience.join_rate"] / vals["audience.join_rate"])
    d_mu = (lmom(s3[4]) - lmom(mid)) / step
    slope_q = max(dm[0], 1e-3)
    V, U, D, NF = (hist.viewer_minutes, hist.viewers, hist.diamonds, hist.new_followers)
    a_s, b_s, b_t = 1.0, 0.0, 1.0   # d ln gift moment / d ln s; d ln dpg / d(ln s, t)
    if use_g:
        lm_mid = lmom(mid)
        a_s = max((lmom(s3[5])[1] - lm_mid[1]) / math.log(
            trials[5]["segments.gift_rate_scale"] / s_hat), 1e-3)
        b_s = (lmom(s3[5])[3] - lm_mid[3]) / math.log(
            trials[5]["segments.gift_rate_scale"] / s_hat)
        b_t = (lmom(s3[6])[3] - lm_mid[3]) / dt
        if b_t < 1e-3:
            notes.append("diamonds per gifter hardly move with the gift size (the "
                         "catalogue has one price?): segments.gift_size_tilt is "
                         "poorly determined")
            b_t = 1e-3
        # one Newton step from the grid's interpolation to the full-path moments
        dls = (math.log(gpv_obs) - lm_mid[1]) / a_s
        s_hat = float(min(s_hat * math.exp(dls), 100.0))
        t_hat = float(np.clip(t_hat + (math.log(dpg_obs) - lm_mid[3] - b_s * dls)
                              / b_t, -2.0, 2.0))
    # covariance of the log moments: by simulation (the model's sampling
    # distribution of a history like this one), each variance raised to the
    # history's own residual estimate where that is larger (robust to a wrong
    # base value of what is not fitted, e.g. the gifting shock); the simulated
    # gifters are expected, not drawn, so the history's own estimate matters
    # most for the gifters moments
    if use_g:
        cov_obs = _ratio_cov([V, G, NF, D], [U, U, U, G])
        pick = [0, 3, 2, 4]
    else:
        cov_obs = _ratio_cov([V, D, NF], [U, V, U])
        pick = [0, 1, 2]
    cov_m = cov_obs if mid["cov"] is None else mid["cov"][np.ix_(pick, pick)]
    ds = np.sqrt(np.maximum(np.diag(cov_m), 1e-300))
    scale = np.sqrt(np.maximum(np.diag(cov_obs), ds ** 2)) / ds
    cov_m = cov_m * np.outer(scale, scale)
    # ln m = inverse of ln q_sim(ln m, A) at ln q_obs; ln s = ln dpm_obs - ln dpm_sim(.)
    # + const; ln phi = ln nf_obs - ln nf_sim(.) + const: rows on (ln q, ln dpm, ln nf)
    # and on (theta_r, theta_mu)
    JB, JA, keys_b, est_b = [], [], [], {}
    n_mom = len(names)
    e = np.eye(n_mom)
    dA = np.array([d_r, d_mu]).T                    # (moments, 2)
    gm_A = -dA[0] / slope_q                         # d ln m / d theta_A
    jb_m = e[0] / slope_q                           # d ln m / d moments
    keys_b.append("dwell.median_min")
    est_b["dwell.median_min"] = m_hat
    JB.append(jb_m)
    JA.append(gm_A)
    # implicit function rows: a key solving ln mom_sim(ln m, key, A) = ln mom_obs
    jb_s = ja_s = None
    if (mid["gpv"] > 0 and mid["dpg"] > 0) if use_g else (mid["dpm"] > 0
                                                           and D.sum() > 0):
        keys_b.append("segments.gift_rate_scale")
        est_b["segments.gift_rate_scale"] = s_hat if use_g else float(
            min(s0 * (D.sum() / V.sum()) / mid["dpm"], 100.0))
        jb_s = (e[1] - dm[1] * jb_m) / a_s
        ja_s = (-dA[1] - dm[1] * gm_A) / a_s
        JB.append(jb_s)
        JA.append(ja_s)
    else:
        use_g = False
        notes.append("no diamonds (in the history or the base's gifting): "
                     "segments.gift_rate_scale not fitted")
    if mid["nf"] > 0 and NF.sum() > 0:
        keys_b.append("audience.follow_prob")
        est_b["audience.follow_prob"] = float(min(phi0 * (NF.sum() / U.sum())
                                                  / mid["nf"], 1.0))
        JB.append(e[2] - dm[2] * jb_m)
        JA.append(-dA[2] - dm[2] * gm_A)
    else:
        notes.append("no new followers: audience.follow_prob not fitted")
    JB, JA = np.array(JB, float), np.array(JA, float)
    fixed_est = {}
    if use_g:
        # gift size: a point estimate with its standard error (not a distribution:
        # the catalogue weights are one per scenario, not one per path)
        jb_t = (e[3] - dm[3] * jb_m - b_s * jb_s) / b_t
        ja_t = (-dA[3] - dm[3] * gm_A - b_s * ja_s) / b_t
        var_t = float(jb_t @ cov_m @ jb_t + ja_t @ cov_a[:2, :2] @ ja_t)
        fixed_est["segments.gift_size_tilt"] = (t_hat, math.sqrt(max(var_t, 0.0)))
    cov_ra = cov_a[:2, :]                            # theta_r, theta_mu vs all of A
    cov_b = JB @ cov_m @ JB.T + JA @ cov_a[:2, :2] @ JA.T
    cov_ab = (JA @ cov_ra).T                         # (4, len B)
    # ---- assemble: working scale log (atanh for rho)
    keys = tuple(FITTED_KEYS[:4]) + tuple(keys_b)
    k_a = len(FITTED_KEYS[:4])
    cov = np.zeros((len(keys), len(keys)))
    cov[:k_a, :k_a] = cov_a
    cov[k_a:, k_a:] = cov_b
    cov[:k_a, k_a:] = cov_ab
    cov[k_a:, :k_a] = cov_ab.T
    est_work = list(np.log([vals[k] for k in FITTED_KEYS[:3]])) + [theta[3]] + [
        math.log(est_b[k]) for k in keys_b]
    se_work = np.sqrt(np.maximum(np.diag(cov), 0))
    estimates, specs = {}, {}
    from ..scenario._schema import SCHEMA

    for i, k in enumerate(keys):
        sec, name = k.split(".")
        fld = SCHEMA[sec][name]
        if k == "shocks.rho":
            e = rho
            se = (1 - rho * rho) * se_work[i]
            specs[k] = {"dist": "normal", "mean": float(e),
                        "sd": float(min(max(se, 1e-6), 1.0)),
                        "lo": -0.97, "hi": 0.97}
        else:
            e = math.exp(est_work[i]) if k not in vals else vals[k]
            se = e * se_work[i]
            if se_work[i] > MAX_LOG_SD:
                notes.append(f"{k}: the standard error of its logarithm "
                             f"({se_work[i]:.3g}) is capped at {MAX_LOG_SD} in the "
                             "written distribution (the history hardly informs it)")
            spec = {"dist": "lognormal", "median": float(e),
                    "sigma": float(min(max(se_work[i], 1e-6), MAX_LOG_SD))}
            if math.isfinite(fld.hi):
                spec["hi"] = fld.hi
            if fld.lo > 0:
                spec["lo"] = fld.lo
            specs[k] = spec
        estimates[k] = (float(e), float(se))
    cor = cov / np.outer(np.where(se_work > 0, se_work, 1), np.where(se_work > 0,
                                                                   se_work, 1))
    np.fill_diagonal(cor, 1.0)
    sp = _normal_to_spearman(np.clip(cor, -0.999, 0.999))
    from .. import config

    keep = np.abs(sp) > config.FIT_MIN_CORRELATION
    trial = np.where(keep, sp, 0.0)
    np.fill_diagonal(trial, 1.0)
    # dropping small entries (and rounding) can leave a matrix that is not a
    # correlation matrix: shrink towards the identity until it is, with margin
    for lam in np.linspace(0.0, 1.0, 21):
        sp_l = np.round((1 - lam) * trial, 4)
        np.fill_diagonal(sp_l, 1.0)
        if np.linalg.eigvalsh(spearman_to_normal(sp_l)).min() > 1e-3:
            break
    if lam > 0:
        notes.append(f"the estimates' correlations were shrunk by {lam:.2f} towards "
                     "zero to make a valid correlation matrix")
    corr = {f"{keys[i]}, {keys[j]}": float(sp_l[i, j])
            for i in range(len(keys)) for j in range(i + 1, len(keys))
            if sp_l[i, j] != 0}
    if abs(cor[0, 1]) > 0.8:
        notes.append(f"join rate and discovery rate are weakly separated (correlation "
                     f"{cor[0, 1]:+.2f}): the history's hours and follower counts vary "
                     "too little to tell followers from the feed")
    fitted = set(keys)
    # followers and the habit record are read off the history, not estimated
    not_fitted = tuple(sorted(k for k in PATH_KEYS if k not in fitted
                              and k not in ("creator.followers", "habit.initial")))
    informed = {k: _INFORMED[k] for k in keys}
    if fixed_est:
        informed["segments.gift_rate_scale"] = _INFORMED_GIFTERS[
            "segments.gift_rate_scale"]
        for k, v in fixed_est.items():
            estimates[k] = (float(v[0]), float(v[1]))
            informed[k] = _INFORMED_GIFTERS[k]

    def build(d):
        d = dict(d)
        for k, spec in specs.items():
            sec, name = k.split(".")
            d.setdefault(sec, {})[name] = spec
        for k, (v, _) in fixed_est.items():
            sec, name = k.split(".")
            d.setdefault(sec, {})[name] = float(v)
        old = d.pop("correlations", {})
        keep_old = {p: v for p, v in old.items()
                    if not {s.strip() for s in p.split(",")} & fitted}
        if keep_old or corr:
            d["correlations"] = {**keep_old, **corr}
        return scenario_from_dict(d, source=base.source)

    replay = build(_replay(hist, base, {}).to_dict())
    fdict = base.to_dict()
    if hist.followers is not None:
        fdict["creator"]["followers"] = int(hist.followers[-1] + hist.new_followers[-1])
    else:
        fdict["creator"]["followers"] = int(_followers(hist, nominal)[-1]
                                            + hist.new_followers[-1])
    fdict["habit"]["initial"] = float(_habit(hist.day, hist.hour, nominal)[1])
    if scenario is None:
        fdict["schedule"] = {**fdict["schedule"], "kind": "consistent",
                             "slots": _usual_slots(hist)}
        fdict["stream"]["duration_min"] = float(np.median(hist.duration_min))
    fdict.pop("sweep", None)
    forecast = build(fdict)
    return FitResult(replay, forecast, estimates, not_fitted, informed, keys, cov,
                     len(hist), hist.source, seed, paths, tuple(notes),
                     tuple(fixed_est))


def _usual_slots(hist) -> list:
    """The creator's most used ``[weekday, hour]`` slots, as many as LIVEs per week."""
    from collections import Counter

    weeks = (int(hist.day[-1]) - int(hist.day[0])) / 7 + 1
    per_week = int(min(7, max(1, round(len(hist) / weeks))))
    count = Counter(zip(hist.weekday.tolist(), hist.hour.tolist()))
    top = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:per_week]
    return sorted([int(w), int(h)] for (w, h), _ in top)
