"""``simkit.fit`` and ``simkit fit`` (docs/calibration.md): estimates on a history
simulated from known parameters, the fitted scenario, the CLI output."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import simkit
from simkit._words import param_name
from simkit.calibrate import History, fit
from simkit.calibrate._fit import FITTED_KEYS, to_toml
from simkit.cli import main

TRUTH = {"audience.join_rate": 0.03, "audience.discovery_rate_per_min": 4.0,
         "shocks.audience_sigma": 0.35, "shocks.rho": 0.4, "dwell.median_min": 8.0,
         "segments.gift_rate_scale": 1.5, "audience.follow_prob": 0.03}
#: Fitted as a point estimate with a standard error (not a distribution).
TRUTH_FIXED = {"segments.gift_size_tilt": 0.4}


def _streams(weeks=20, seed=1):
    """Three LIVEs a week at varied evening/daytime hours and lengths (60 LIVEs)."""
    rng = np.random.default_rng(seed)
    out = []
    for w in range(weeks):
        for d in sorted(rng.choice(7, 3, replace=False)):
            out.append({"day": int(7 * w + d),
                        "hour": int(rng.choice([12, 15, 18, 20, 21, 23])),
                        "duration_min": float(rng.choice([60, 90, 120]))})
    return out


def _truth_scenario(**over):
    sc = simkit.scenario_from_dict({
        "horizon": {"weeks": 20}, "creator": {"followers": 20_000},
        "schedule": {"kind": "explicit", "streams": _streams()}})
    return sc.with_overrides({**TRUTH, **TRUTH_FIXED, **over})


def _history(sc, seed, path=0):
    """One simulated path as a History (local helper; F2's history_from_result
    does the same for the examples). Gifters: the model's expected gifters of
    each LIVE, rounded (the kernel does not draw who gifts)."""
    res = simkit.simulate(sc, paths=path + 1, seed=seed, per_stream=True,
                          progress=False)
    ps = {k: v[path] for k, v in res.per_stream.items()}
    start = (np.datetime64("2026-01-05T00:00")  # a Monday: day 0
             + ps["day"].astype("timedelta64[D]") + ps["hour"].astype("timedelta64[h]"))
    return History.from_arrays(
        start=start, duration_min=ps["duration_min"], viewers=ps["unique_viewers"],
        peak_viewers=ps["peak_concurrent"], viewer_minutes=ps["viewer_minutes"],
        diamonds=ps["diamonds"], gifters=np.round(ps["gifters"]),
        new_followers=ps["new_followers"], followers=ps["followers_start"])


@pytest.fixture(scope="module")
def fitted():
    return fit(_history(_truth_scenario(), seed=5), seed=0, paths=200)


def test_estimates_within_standard_errors_of_truth(fitted):
    # z on the working scale (log; atanh for rho; the gift-size tilt as is),
    # where the errors are normal. With correct standard errors |z| > 4 for any
    # of the 8 keys has probability about 8 * 6.3e-5 = 5e-4; this seed is
    # fixed, so the test is deterministic.
    assert fitted.keys == FITTED_KEYS
    for i, k in enumerate(fitted.keys):
        est, se = fitted.estimates[k]
        assert se > 0, k
        f = math.atanh if k == "shocks.rho" else math.log
        z = (f(est) - f(TRUTH[k])) / math.sqrt(fitted.cov[i, i])
        assert abs(z) < 4, (k, est, se, z)
    # gift size from diamonds per gifter, gift-rate scale from gifters per viewer
    assert fitted.fixed == ("segments.gift_size_tilt",)
    est, se = fitted.estimates["segments.gift_size_tilt"]
    assert 0 < se < 0.2 and abs(est - TRUTH_FIXED["segments.gift_size_tilt"]) < 4 * se
    assert "gifters per viewer" in fitted.informed_by["segments.gift_rate_scale"]
    assert "diamonds per gifter" in fitted.informed_by["segments.gift_size_tilt"]
    # the 90% interval of most keys covers the truth (a loose check of the widths)
    covered = sum(lo <= TRUTH[k] <= hi for k in fitted.keys
                  for lo, hi in [fitted.interval(k)])
    assert covered >= 5


def test_fitted_scenarios_load_and_run(fitted, tmp_path):
    for sc in (fitted.scenario, fitted.forecast):
        assert set(sc.uncertain) == set(FITTED_KEYS)
        for k in FITTED_KEYS:
            assert sc[k] == pytest.approx(fitted.estimates[k][0], rel=0.05)
        assert sc["segments.gift_size_tilt"] == pytest.approx(
            fitted.estimates["segments.gift_size_tilt"][0], abs=1e-12)
    assert fitted.scenario["schedule.kind"] == "explicit"
    assert len(fitted.scenario["schedule.streams"]) == 60
    assert fitted.forecast["schedule.kind"] == "consistent"
    # join and discovery rates trade off: a negative rank correlation is written
    keys, m = fitted.forecast.correlations
    i = keys.index("audience.join_rate")
    j = keys.index("audience.discovery_rate_per_min")
    assert m[i, j] < -0.1
    for replay in (False, True):
        p = tmp_path / f"f{replay}.toml"
        fitted.to_toml(p, replay=replay)
        sc = simkit.load_scenario(p)
        res = simkit.simulate(sc, paths=40, seed=1, progress=False)
        assert set(res.inputs) == set(FITTED_KEYS)
        assert res.inputs["audience.join_rate"].std() > 0
        assert sc.to_dict() == simkit.scenario_from_dict(sc.to_dict()).to_dict()


def test_not_fitted_keeps_base(fitted):
    base = simkit.load_scenario("scenarios/mid_tier.toml")
    h = _history(_truth_scenario(), seed=5)
    res = fit(h.take(slice(0, 30)), scenario=base, paths=50)
    assert "dwell.sigma" in res.not_fitted
    assert "audience.join_rate" not in res.not_fitted
    assert res.forecast["dwell.sigma"] == base["dwell.sigma"]
    assert res.forecast["schedule.slots"] == base["schedule.slots"]
    last = int(h.followers[29] + h.new_followers[29])
    assert res.forecast["creator.followers"] == last


def test_weak_identification_shows(fitted):
    # every LIVE at 20:00 for two hours: only the slow growth of the followers
    # separates notified from feed viewers, so the two rates trade off almost
    # one for one; the fit says so, and the join rate's relative error is far
    # larger than on the history with varied hours and lengths (the weak prior
    # of config.FIT_PRIOR_LOG_SD keeps it finite).
    streams = [dict(s, hour=20, duration_min=120.0) for s in _streams()]
    sc = _truth_scenario().with_overrides({"schedule.streams": streams})
    res = fit(_history(sc, seed=5).take(slice(0, 30)), paths=50)
    assert res.corr[0, 1] < -0.9
    assert any("weakly separated" in n for n in res.notes)

    def rel(r):
        est, se = r.estimates["audience.join_rate"]
        return se / est

    assert rel(res) > 0.5 and rel(fitted) < 0.25 and rel(res) > 3 * rel(fitted)


def test_fit_arguments():
    from simkit.calibrate._history import _example

    for kw, part in [({"paths": 5}, "`paths`"), ({"seed": -1}, "`seed`"),
                     ({"scenario": "x.toml"}, "`scenario`")]:
        with pytest.raises(simkit.SimkitError, match=part):
            fit(_example(), **kw)
    with pytest.raises(simkit.SimkitError, match="`history`"):
        fit([1, 2, 3])


def test_to_toml_round_trip():
    d = simkit.scenario_from_dict({"habit": {"max_gain": {
        "dist": "pert", "min": 0.0, "mode": 0.3, "max": 0.6}}}).to_dict()
    import tomllib

    assert tomllib.loads(to_toml(d)) == d


def test_cli_fit_writes_scenario_and_json(tmp_path, capsys, fitted):
    h = _history(_truth_scenario(), seed=5).take(slice(0, 24))
    p = tmp_path / "h.csv"
    cols = ["duration_min", "viewers", "peak_viewers", "viewer_minutes", "diamonds",
            "gifters", "new_followers"]
    lines = ["start," + ",".join(cols)]
    lines += [f"{h.start[i]}," + ",".join(f"{getattr(h, c)[i]:.6g}" for c in cols)
              for i in range(len(h))]
    p.write_text("\n".join(lines) + "\n")
    out, js = tmp_path / "fitted.toml", tmp_path / "fit.json"
    assert main(["fit", str(p), "-o", str(out), "--json", str(js), "--paths", "40",
                 "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("From 24 LIVEs, this creator's audience and gifting were "
                           "estimated;")
    assert all(len(line) <= 80 for line in text.splitlines()[:-1]), text
    for k in FITTED_KEYS:  # plain names in the table, the keys in --details
        assert param_name(k) in text and k not in text
    assert "--details lists them" in text
    head = out.read_text().split("\n\n")[0]  # the full view, as comments
    assert "# Fit of h.csv (24 LIVEs; seed 3, 40 simulated paths)" in head
    assert all(f"# {k} " in head for k in FITTED_KEYS)
    assert "# Not fitted (base values kept):" in head
    sc = simkit.load_scenario(out)
    assert set(sc.uncertain) == set(FITTED_KEYS)
    assert out.read_text().startswith("# Fitted by simkit fit from h.csv")
    d = json.loads(js.read_text())
    assert d["n_lives"] == 24
    assert set(d["estimates"]) == set(FITTED_KEYS) | {"segments.gift_size_tilt"}
    assert sc["segments.gift_size_tilt"] == pytest.approx(
        d["estimates"]["segments.gift_size_tilt"]["estimate"], abs=1e-9)


def test_without_gifters_gift_size_is_not_fitted():
    """A history whose gifters column is all zero (no data): the gift-rate scale
    comes from diamonds per viewer-minute as before and the tilt keeps the base's
    value."""
    h = _history(_truth_scenario(), seed=5).take(slice(0, 30))
    h0 = History.from_arrays(
        start=h.start, duration_min=h.duration_min, viewers=h.viewers,
        peak_viewers=h.peak_viewers, viewer_minutes=h.viewer_minutes,
        diamonds=h.diamonds, gifters=np.zeros(len(h)), new_followers=h.new_followers,
        followers=h.followers)
    res = fit(h0, paths=50)
    assert res.fixed == () and "segments.gift_size_tilt" not in res.estimates
    assert res.informed_by["segments.gift_rate_scale"].startswith("diamonds per "
                                                                  "viewer-minute")
    assert res.forecast["segments.gift_size_tilt"] == 0.0
