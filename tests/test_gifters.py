"""The per-stream ``gifters`` metric: expected viewers who gift, no draw.

* Closed form: with one gifting segment and every viewer present the whole
  stream, ``gifters = N (1 - exp(-rate T))`` for the N unique viewers.
* It consumes no random number: the numbers a seed gave before the metric was
  added are pinned here (values of the parent commit's code path).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.testing as npt

import simkit
from naive import one_stream_scenario


def test_gifters_closed_form_whole_stream():
    """Arrivals almost at once (kappa = 100/min: mean delay 0.01 min), dwell far
    beyond T, no feed: each of the N viewers stays about T minutes, so gifters =
    N (1 - exp(-rho s g(e) T)) (engagement 0.5: g = 1)."""
    T, rho, scale = 60.0, 0.02, 1.5
    sc = one_stream_scenario(**{
        "audience.notify_decay_per_min": 100.0, "audience.discovery_rate_per_min": 0.0,
        "dwell.median_min": 1e4, "dwell.sigma": 0.1, "dwell.follower_factor": 1.0,
        "segments.names": ["all"], "segments.follower_shares": [1.0],
        "segments.newcomer_shares": [1.0], "segments.gift_rate_per_min": [rho],
        "segments.catalogue_tilt": [0.0], "segments.gift_rate_scale": scale,
        "audience.engagement": 0.5, "stream.duration_min": T})
    res = simkit.simulate(sc, paths=20, seed=5, per_stream=True)
    n = res.per_stream["unique_viewers"][:, 0]
    assert n.min() > 20
    expected = n * -math.expm1(-rho * scale * T)
    # Stays of T - A with A ~ 0.01 min: the relative shortfall is about
    # rate * E[A] * exp(-rate T) / (1 - exp(-rate T)) ~ 6e-5; never above.
    g = res.per_stream["gifters"][:, 0]
    npt.assert_allclose(g, expected, rtol=3e-4)
    assert (g <= expected * (1 + 1e-12)).all()
    npt.assert_allclose(res.totals["gifters"], res.per_stream["gifters"].sum(axis=1),
                        rtol=1e-12)


def test_gifters_below_viewers_and_zero_without_gift_rates():
    sc = one_stream_scenario(**{"audience.virality": 0.3})
    ps = simkit.simulate(sc, paths=30, seed=1, per_stream=True).per_stream
    g = ps["gifters"][:, 0]
    assert (g > 0).all() and (g <= ps["unique_viewers"][:, 0]).all()
    # A viewer who gifts sends at least one gift, so in expectation gifters <= gifts.
    assert g.mean() < ps["gifts"][:, 0].mean()
    sc0 = one_stream_scenario(**{"segments.gift_rate_scale": 0.0})
    assert not simkit.simulate(sc0, paths=5, seed=1, per_stream=True) \
        .per_stream["gifters"].any()


def test_numbers_unchanged_by_the_metric():
    """Values of scenarios/mid_tier.toml and starter.toml, seed 11, 6 paths, pinned
    from the code before ``gifters`` existed (commit 1f75ec9; bit for bit: the
    metric draws nothing; 80 total and per-stream arrays were compared)."""
    sc = simkit.load_scenario("scenarios/mid_tier.toml")
    res = simkit.simulate(sc, paths=6, seed=11, per_stream=True, threads=1)
    assert res.totals["income_total"].tolist() == [
        2674.8375029179456, 2464.7001347301293, 2213.7071001846944, 1621.1155383376981,
        2371.0235125096824, 2943.9973933639817]
    assert res.per_stream["diamonds"][:, :3].tolist() == [
        [7111.0, 7047.0, 6495.0], [19542.0, 6419.0, 62271.0], [4147.0, 40845.0, 3219.0],
        [11085.0, 468.0, 1440.0], [1889.0, 12855.0, 3252.0], [22655.0, 1033.0, 5460.0]]
    assert res.per_stream["viewer_minutes"][0, :3].tolist() == [
        20052.80417085232, 35270.77819322586, 19062.965891253425]
    st = simkit.simulate(simkit.load_scenario("scenarios/starter.toml"), paths=6,
                         seed=11, per_stream=True, threads=1)
    assert st.totals["unique_viewers"].tolist() == [
        2604.0, 3591.0, 2605.0, 3325.0, 2814.0, 3301.0]
    assert np.isfinite(res.per_stream["gifters"]).all()
