"""The vectorizable exp/log of ``simkit._kernels.vmath`` and the normal quantile
built on them: accuracy against numpy, and the same bits in a SIMD loop as in
a scalar call (so a value's place in a block cannot change a result)."""

from __future__ import annotations

import numba
import numpy as np
import numpy.testing as npt
import pytest
from scipy.special import ndtri as scipy_ndtri

from simkit._kernels.rng import ndtri
from simkit._kernels.vmath import vexp, vlog


@numba.njit(error_model="numpy")
def _loop(kind, x, out):
    # One loop per function, as the kernels write them (these vectorize).
    if kind == 0:
        for i in range(x.size):
            out[i] = vexp(x[i])
    elif kind == 1:
        for i in range(x.size):
            out[i] = vlog(x[i])
    else:
        for i in range(x.size):
            out[i] = ndtri(x[i])


def _apply(kind, x):
    out = np.empty_like(x)
    _loop(kind, x, out)
    return out


def _ulps(got, want):
    return np.abs(got - want) / np.spacing(np.abs(want))


RNG = np.random.default_rng(12345)
EXP_X = np.concatenate([
    np.linspace(-708.0, 709.0, 100_003), RNG.normal(0.0, 3.0, 100_000),
    [0.0, -0.0, 1.0, -1.0, 0.5 * np.log(2.0), 1e-300, -1e-300]])
LOG_X = np.concatenate([
    RNG.random(100_000), np.exp(np.linspace(-707.0, 709.0, 100_003)),
    1.0 + RNG.normal(0.0, 1e-6, 10_000),
    [1.0, 2.0, np.sqrt(2.0), np.nextafter(1.0, 0.0)]])
NDTRI_P = np.concatenate([RNG.random(10_000), [2.0**-54, 0.02425, 0.97575]])


def test_vexp_within_one_ulp():
    assert _ulps(_apply(0, EXP_X), np.exp(EXP_X)).max() <= 1.0


def test_vexp_clamps_outside_its_domain():
    got = _apply(0, np.array([-800.0, 800.0]))
    npt.assert_array_equal(got, _apply(0, np.array([-708.0, 709.0])))


def test_vlog_within_one_ulp():
    want = np.log(LOG_X)
    got = _apply(1, LOG_X)
    # Relative to the result, except at log(1) = 0 where the error is absolute.
    nonzero = want != 0.0
    assert _ulps(got[nonzero], want[nonzero]).max() <= 1.0
    assert np.all(got[~nonzero] == 0.0)


def test_vlog_of_zero_is_finite():
    assert -709.2 < _apply(1, np.array([0.0]))[0] < -709.0


@pytest.mark.parametrize("kind,x", [(0, EXP_X), (1, LOG_X), (2, NDTRI_P)])
def test_scalar_call_gives_the_vector_lane_bits(kind, x):
    """The kernels draw viewers in SIMD blocks and offspring one at a time; both
    must give the same numbers for the same uniform."""
    fn = (vexp, vlog, ndtri)[kind]
    sample = x[:: max(1, x.size // 2000)]
    scalar = np.array([fn(v) for v in sample])
    npt.assert_array_equal(_apply(kind, sample), scalar)


def test_ndtri_is_increasing_and_accurate():
    p = np.concatenate([np.linspace(1e-15, 1 - 1e-15, 400_001), [2.0**-54]])
    p.sort()
    got = _apply(2, p)
    assert np.all(np.diff(got) >= 0.0)
    # Acklam's approximation: relative error below 1.2e-9 (absolute near 0).
    want = scipy_ndtri(p)
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)) < 1.2e-9
