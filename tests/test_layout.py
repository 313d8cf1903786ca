"""The kernels' column layout (simkit/_kernels/layout.py) is written out by
hand: these checks keep it equal to the metric tuples of simkit/metrics.py and
the index map consistent with both."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from simkit._kernels import layout as L
from simkit.metrics import PER_STREAM, TOTALS

#: Totals the path keeps itself rather than summing a per-stream column.
PATH_TOTALS = {"cash_paid_out", "cash_pending", "withdrawal_fees", "followers_end",
               "income_subscriptions", "subscribers_end", "peak_concurrent"}


@pytest.mark.parametrize("prefix,names,count", [
    ("O_", TOTALS, "N_TOTALS"), ("S_", PER_STREAM, "N_PER_STREAM")])
def test_output_columns_follow_the_metric_tuples(prefix, names, count):
    assert getattr(L, count) == len(names)
    for i, name in enumerate(names):
        assert getattr(L, prefix + name.upper()) == i, name
    # and no stale constant names a metric that is gone
    stale = {k for k in vars(L) if k.startswith(prefix)} \
        - {prefix + n.upper() for n in names}
    assert not stale


def _assignments(prefix_stop):
    """``(name, value)`` of the integer constants of layout.py, in file order,
    up to the assignment of ``prefix_stop``."""
    tree = ast.parse(Path(L.__file__).read_text())
    out = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant):
            name = node.targets[0].id
            if name == prefix_stop:
                return out
            out.append((name, node.value.value))
    raise AssertionError(f"{prefix_stop} not assigned")


def test_theta_columns_are_consecutive_and_distinct():
    cols = _assignments("N_THETA")
    assert [v for _, v in cols] == list(range(len(cols)))
    assert L.N_THETA == len(cols)


def test_theta_rows_fill_every_column():
    from simkit._pack import pack
    from simkit.scenario import scenario_from_dict

    p = pack([scenario_from_dict({})])
    assert p.theta.shape[1] == L.N_THETA


def test_result_slots_are_consecutive():
    slots = sorted((v, k) for k, v in vars(L).items()
                   if k.startswith("R_") and isinstance(v, int))
    assert [v for v, _ in slots] == list(range(L.N_RES))


def test_index_map_pairs_like_with_like():
    """Each per-stream column is filled from at most one result slot, each
    summed total from the per-stream column of the same name (streams_live
    counts ``live``), and only the path's own totals are left out."""
    s_cols, r_slots = L.STREAM_FROM_RES[:, 0], L.STREAM_FROM_RES[:, 1]
    assert len(set(s_cols)) == len(s_cols) and len(set(r_slots)) == len(r_slots)
    assert set(range(L.N_RES)) - set(r_slots) == {L.R_MATCH_COINS}
    summed = set()
    for o, s in L.TOTAL_FROM_STREAM:
        total, column = TOTALS[o], PER_STREAM[s]
        assert total == column or (total, column) == ("streams_live", "live")
        summed.add(total)
    assert len(summed) == len(L.TOTAL_FROM_STREAM)
    assert set(TOTALS) - summed == PATH_TOTALS


def test_totals_are_the_sums_of_the_per_stream_rows():
    """What the map promises, on simulated paths: a summed total equals the sum
    of its per-stream column (no subscriptions: no renewals in income_total),
    peak_concurrent their maximum."""
    import simkit

    sc = simkit.load_scenario("scenarios/micro.toml")
    res = simkit.simulate(sc, paths=6, seed=4, per_stream=True, progress=False)
    checked = 0
    for o, s in L.TOTAL_FROM_STREAM:
        column = res.per_stream[PER_STREAM[s]]
        np.testing.assert_allclose(res[TOTALS[o]], column.sum(axis=1), rtol=1e-12,
                                   atol=1e-9, err_msg=TOTALS[o])
        checked += float(np.abs(column).sum()) > 0
    assert checked >= 10   # most columns are not all zero
    np.testing.assert_array_equal(res["peak_concurrent"],
                                  res.per_stream["peak_concurrent"].max(axis=1))
