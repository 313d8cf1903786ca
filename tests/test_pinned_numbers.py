"""Totals a seed gives, pinned before the modules were made private
(docs/architecture.md).

Refactors must leave these numbers exactly as they were (integers) or equal to
the last few bits (floats: relative 1e-12, since a compiler may reorder a sum).
A change that alters them on purpose is marked **(numbers)** in CHANGELOG.md
and regenerates the file with ``python tests/test_pinned_numbers.py``.
"""

import json
import pathlib

import numpy as np
import pytest

import simkit

PINNED = pathlib.Path(__file__).parent / "data" / "pinned_numbers.json"

#: (bundled scenario, variant or None, paths, seed)
CASES = [
    ("mid_tier", None, 64, 2026),
    ("micro_uncertain", None, 64, 7),
    ("consistent_vs_adhoc", "consistent", 48, 11),
    ("consistent_vs_adhoc", "ad_hoc", 48, 11),
    ("sponsorship_quote", "ad_hoc", 48, 3),
    ("live_features", None, 48, 5),
    ("star", None, 16, 9),
]


def _case_id(case):
    name, variant, paths, seed = case
    return f"{name}[{variant or 'base'}]/{paths}/{seed}"


def _numbers(case):
    name, variant, paths, seed = case
    res = simkit.simulate(simkit.load_scenario(name), paths=paths, seed=seed,
                          variant=variant, per_stream=True)
    out = {}
    for metric in simkit.metrics.TOTALS:
        out[f"total.{metric}"] = float(np.sum(res[metric], dtype=np.float64))
    for metric in ("income_total", "unique_viewers", "gifts", "peak_concurrent"):
        out[f"stream.{metric}"] = float(np.sum(res.per_stream[metric], dtype=np.float64))
    return out


def _analysis_numbers():
    sc = simkit.load_scenario("consistent_vs_adhoc")
    cmp = simkit.compare(sc, paths=200, seed=4)
    d = cmp.pairs[0]
    b = simkit.bands(simkit.simulate(sc, paths=200, seed=4, per_stream=True),
                     "income_total", by="day")
    q = simkit.quote(simkit.load_scenario("sponsorship_quote"), paths=200, seed=4)
    return {
        "compare.diff": [float(d.diff), float(d.diff_se), float(d.p_a_better)],
        "bands.first_row": [float(v) for v in np.ravel(b.values)[:6]],
        "quote.single": [float(r.guaranteed) for r in q.single.rows]
        + [float(q.single.mean), float(q.single.mean_se)],
    }


def _all():
    out = {_case_id(c): _numbers(c) for c in CASES}
    out["analysis"] = _analysis_numbers()
    return out


@pytest.fixture(scope="module")
def pinned():
    return json.loads(PINNED.read_text())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_simulated_totals_are_unchanged(case, pinned):
    want = pinned[_case_id(case)]
    got = _numbers(case)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-12, abs=1e-9), k


def test_analysis_numbers_are_unchanged(pinned):
    want = pinned["analysis"]
    got = _analysis_numbers()
    for k in want:
        assert np.allclose(got[k], want[k], rtol=1e-12, atol=1e-9), k


if __name__ == "__main__":
    PINNED.write_text(json.dumps(_all(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PINNED}")
