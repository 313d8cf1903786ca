"""Yardsticks every simkit speed figure is divided by (docs/benchmarks.md).

* :func:`numpy_streams`: a plain vectorized NumPy version of the one-stream
  model (docs/model.md section 1: notified and feed arrivals, segments, dwell,
  the self-exciting feed generation by generation, the whole-minute presence
  grid with its peak, and gifts), run one stream per call
  (:func:`numpy_rate`, ``batch=1``). No Numba; numpy's ``Generator`` draws. It is
  the "what you would write in an afternoon" reference: simkit/numpy is the
  speed-up the compiled core buys.
* :func:`rng_draws_per_s`: the machine's raw random-number throughput, numpy's
  ``Generator.random`` filling large blocks, on ``threads`` threads at once.
  Divided by the draws one viewer needs (:func:`draws_per_viewer`), it gives
  :func:`draw_bound`, the viewers/s a simulator would reach if only the
  unavoidable random draws cost time. simkit/bound says how close the core runs
  to that limit.

This module is benchmark support, not part of the package.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

__all__ = ["numpy_streams", "numpy_rate", "rng_draws_per_s", "draws_per_viewer",
           "draw_bound"]


def _stream_params(scenario):
    """Per-stream model quantities of ``scenario``'s first weekly slot."""
    from simkit._kernels import layout as L
    from simkit._pack import pack

    p = pack([scenario])
    th = p.theta[0]
    row = p.sched[0, 0]
    hour, weekday = int(row[L.SC_HOUR]), int(row[L.SC_DAY]) % 7
    return {
        "th": th, "L": L, "activity": p.activity[0], "wdf": p.wdf[0],
        "cum_f": p.cum_f[0], "cum_n": p.cum_n[0], "seg_rate": p.seg_rate[0],
        "seg_w": p.seg_w[0], "coins": p.coins[0], "hour": hour,
        "weekday": weekday, "duration": float(row[L.SC_DURATION] or th[L.DURATION]),
        # A slot without its own promotion (-1) takes audience.promotion.
        "promo": float(row[L.SC_PROMO] if row[L.SC_PROMO] > 0 else th[L.PROMO]),
    }


def _dwell(rng, q, n):
    th, L = q["th"], q["L"]
    kind = th[L.DWELL_KIND]
    if kind == L.DWELL_LOGNORMAL:
        return np.exp(th[L.DWELL_A] + th[L.DWELL_B] * rng.standard_normal(n))
    if kind == L.DWELL_WEIBULL:
        return th[L.DWELL_A] * rng.weibull(th[L.DWELL_B], n)
    return rng.exponential(th[L.DWELL_A], n)


def numpy_streams(scenario, n_streams, rng):
    """Simulate ``n_streams`` independent copies of one stream, vectorized.

    Parameters
    ----------
    scenario : simkit.Scenario
        The stream is the scenario's first weekly slot, at the initial follower
        count, habit factor 1, no collaboration.
    n_streams : int
        Streams simulated together (one set of array operations for all).
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    dict
        ``viewers`` (total unique viewers simulated), and per-stream arrays
        ``unique``, ``viewer_minutes``, ``peak``, ``coins``.

    Examples
    --------
    >>> import numpy as np, simkit
    >>> sc = simkit.load_scenario("scenarios/micro.toml")
    >>> out = numpy_streams(sc, 4, np.random.default_rng(12345))
    >>> out["peak"].shape
    (4,)
    """
    q = _stream_params(scenario)
    th, L = q["th"], q["L"]
    T = q["duration"]
    t_int = int(math.ceil(T))
    width = t_int + 2
    a = q["activity"][q["hour"]] * q["wdf"][q["weekday"]]
    kappa = th[L.KAPPA]
    trunc = -math.expm1(-kappa * T)
    beta, phi = th[L.VIRAL_BETA], th[L.PHI]

    # Notified followers: Poisson count, truncated exponential arrivals.
    lam_not = th[L.FOLLOWERS] * th[L.JOIN] * a * q["promo"] * trunc
    n_not = rng.poisson(lam_not, n_streams)
    sid_n = np.repeat(np.arange(n_streams), n_not)
    ar_n = -np.log1p(-rng.random(sid_n.size) * trunc) / kappa
    k_n = np.searchsorted(q["cum_f"], rng.random(sid_n.size))
    lv_n = np.minimum(ar_n + th[L.FOLLOWER_FACTOR] * _dwell(rng, q, sid_n.size), T)

    # Feed discovery: Poisson per hour chunk, uniform arrivals in the chunk.
    sids, ars, lens = [], [], []
    for j in range((t_int + 59) // 60):
        t0 = 60.0 * j
        length = min(60.0, T - t0)
        rate = th[L.MU] * q["activity"][(q["hour"] + j) % 24] * q["wdf"][q["weekday"]]
        n_j = rng.poisson(rate * length, n_streams)
        s = np.repeat(np.arange(n_streams), n_j)
        sids.append(s)
        ars.append(t0 + length * rng.random(s.size))
    sid_d = np.concatenate(sids)
    ar_d = np.concatenate(ars)
    k_d = np.searchsorted(q["cum_n"], rng.random(sid_d.size))
    lv_d = np.minimum(ar_d + _dwell(rng, q, sid_d.size), T)
    follows = (rng.random(sid_d.size) < phi).sum()

    sid = [sid_n, sid_d]
    ar = [ar_n, ar_d]
    lv = [lv_n, lv_d]
    seg = [k_n, k_d]
    # Self-exciting feed, one generation at a time.
    if beta > 0.0:
        p_sid, p_a, p_l = np.concatenate(sid), np.concatenate(ar), np.concatenate(lv)
        while p_sid.size:
            n_off = rng.poisson(beta * (p_l - p_a))
            c_sid = np.repeat(p_sid, n_off)
            pa, pl = np.repeat(p_a, n_off), np.repeat(p_l, n_off)
            c_a = pa + (pl - pa) * rng.random(c_sid.size)
            c_l = np.minimum(c_a + _dwell(rng, q, c_sid.size), T)
            seg.append(np.searchsorted(q["cum_n"], rng.random(c_sid.size)))
            follows += (rng.random(c_sid.size) < phi).sum()
            sid.append(c_sid)
            ar.append(c_a)
            lv.append(c_l)
            p_sid, p_a, p_l = c_sid, c_a, c_l
    sid, ar, lv, seg = (np.concatenate(x) for x in (sid, ar, lv, seg))

    # Whole-minute presence grid (present at m iff ar <= m < lv) and its peak.
    stay = lv - ar
    grid = np.bincount(sid * width + np.ceil(ar).astype(np.int64),
                       minlength=n_streams * width)
    grid -= np.bincount(sid * width + np.ceil(lv).astype(np.int64),
                        minlength=n_streams * width)
    level = np.cumsum(grid.reshape(n_streams, width)[:, :t_int], axis=1)
    peak = level.max(axis=1)
    vm = np.bincount(sid, weights=stay, minlength=n_streams)
    unique = np.bincount(sid, minlength=n_streams)

    # Gifts: Poisson(rate_k minutes_k w_kj) per (stream, segment, item).
    n_k = q["cum_f"].size
    minutes = np.bincount(sid * n_k + seg, weights=stay,
                          minlength=n_streams * n_k).reshape(n_streams, n_k)
    lam = (q["seg_rate"] * minutes)[:, :, None] * q["seg_w"][None, :, :]
    gifts = rng.poisson(lam)
    coins = (gifts * q["coins"][None, None, :]).sum(axis=(1, 2))
    return {"viewers": int(unique.sum()), "unique": unique, "viewer_minutes": vm,
            "peak": peak, "coins": coins, "follows": int(follows)}


def numpy_rate(scenario, *, streams=256, batch=1, repeats=3, seed=12345):
    """Best-of-``repeats`` viewers/s of :func:`numpy_streams` (one thread).

    ``batch=1`` (the yardstick) simulates one stream per call, vectorized over
    its viewers, as a NumPy stream model is written; ``batch=streams`` puts all
    streams through each array operation at once (NumPy at its best, reported
    beside it).

    Examples
    --------
    >>> import simkit
    >>> r = numpy_rate(simkit.load_scenario("scenarios/micro.toml"), streams=8,
    ...                repeats=1)
    >>> r > 0
    True
    """
    rng = np.random.default_rng(seed)
    numpy_streams(scenario, 4, rng)   # warm caches and imports
    best = 0.0
    for _ in range(repeats):
        viewers = 0
        t0 = time.perf_counter()
        for _ in range(0, streams, batch):
            viewers += numpy_streams(scenario, batch, rng)["viewers"]
        best = max(best, viewers / (time.perf_counter() - t0))
    return best


def rng_draws_per_s(threads=1, *, block=1 << 20, seconds=0.3, seed=12345):
    """Uniform doubles per second from numpy's ``Generator`` on ``threads`` threads.

    Each thread owns a PCG64 generator and fills a preallocated block of
    ``block`` doubles repeatedly (``Generator.random(out=...)`` releases the
    GIL), for about ``seconds``.

    Examples
    --------
    >>> rng_draws_per_s(1, seconds=0.01) > 1e6
    True
    """
    gens = [np.random.default_rng([i, seed]) for i in range(threads)]
    bufs = [np.empty(block) for _ in range(threads)]
    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)
    stop = threading.Event()

    def work(i):
        g, b = gens[i], bufs[i]
        g.random(out=b)
        barrier.wait()
        while not stop.is_set():
            g.random(out=b)
            counts[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    return sum(counts) * block / elapsed


def draws_per_viewer(result, virality):
    """Uniform draws one viewer needs in the model, averaged over ``result``.

    Notified followers take 3 (arrival, segment, dwell), partner and feed
    viewers 4 (plus follow), and with virality every viewer one more (its
    offspring count): the layout of ``simkit/_kernels/stream.py``. Per-stream
    counts, gifts and money draws are per stream, not per viewer, and left out.

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> r = SimulationResult("x", {"unique_viewers": np.array([10.0]),
    ...     "notified_viewers": np.array([5.0]),
    ...     "discovered_viewers": np.array([5.0])})
    >>> draws_per_viewer(r, 0.0)
    3.5
    """
    unique = float(np.sum(result["unique_viewers"]))
    notified = float(np.sum(result["notified_viewers"]))
    discovered = float(np.sum(result["discovered_viewers"]))
    d = (3.0 * notified + 4.0 * discovered) / unique
    return d + (1.0 if virality > 0.0 else 0.0)


def draw_bound(draws_per_s, per_viewer):
    """Viewers/s if only the random draws cost time.

    Examples
    --------
    >>> draw_bound(4e8, 4.0)
    100000000.0
    """
    return draws_per_s / per_viewer
