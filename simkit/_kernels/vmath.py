"""Branch-free ``exp`` and ``log`` that LLVM can vectorize inside numba loops.

numba lowers ``math.exp`` and ``math.log`` to calls into the C library, and a
loop with a call in it is not vectorized. These versions are plain IEEE
arithmetic (fdlibm's reductions and polynomials, with selects instead of
branches and a bit cast for the powers of two), so a loop of them compiles to
SIMD code, and a scalar call gives the same bits as a vector lane: results do
not depend on where a value falls in a loop. Both are within 1 ulp of the
correctly rounded result on their domain (``tests/test_vmath.py``).

They are faster than libm only inside vectorized loops; elsewhere the kernels
keep ``math``.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from ._flags import NJ

__all__ = ["vexp", "vlog"]

_NJ = {**NJ, "inline": "always"}


@intrinsic
def bits_to_f64(typingctx, x):
    """The float64 whose IEEE bits are the int64 ``x`` (a bit cast)."""
    if isinstance(x, types.Integer) and x.bitwidth == 64:
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.DoubleType())
        return types.float64(x), codegen
    return None


@intrinsic
def f64_to_bits(typingctx, x):
    """The IEEE bits of the float64 ``x`` as an int64 (a bit cast)."""
    if isinstance(x, types.Float) and x.bitwidth == 64:
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.IntType(64))
        return types.int64(x), codegen
    return None


_LN2_HI = 6.93147180369123816490e-01   # ln 2 split in two (fdlibm): hi has
_LN2_LO = 1.90821492927058770002e-10   # trailing zeros, so n * hi is exact
_INV_LN2 = 1.44269504088896338700e+00
#: Adding 1.5 * 2**52 rounds a double of magnitude < 2**51 to an integer, and
#: leaves that integer in the low bits of the sum.
_SHIFTER = 6755399441055744.0
_EXP_P1 = 1.66666666666666019037e-01
_EXP_P2 = -2.77777777770155933842e-03
_EXP_P3 = 6.61375632143793436117e-05
_EXP_P4 = -1.65339022054652515390e-06
_EXP_P5 = 4.13813679705723846039e-08
_I1023 = np.int64(1023)
_I52 = np.int64(52)


@numba.njit(**_NJ)
def vexp(x):
    """``exp(x)`` for ``x`` in [-708, 709] (clamped to that range outside it).

    fdlibm's method: ``x = n ln 2 + r`` with ``|r| <= ln 2 / 2``, ``exp(r)``
    from a degree-5 rational form, times ``2**n`` built from its bits.

    Examples
    --------
    >>> import math
    >>> abs(float(vexp(1.0)) - math.e) <= math.ulp(math.e)   # within 1 ulp
    True
    """
    x = -708.0 if x < -708.0 else (709.0 if x > 709.0 else x)
    sh = x * _INV_LN2 + _SHIFTER
    n = sh - _SHIFTER
    hi = x - n * _LN2_HI
    lo = n * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_EXP_P1 + t * (_EXP_P2 + t * (_EXP_P3 + t * (_EXP_P4 + t * _EXP_P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    return y * bits_to_f64((f64_to_bits(sh) + _I1023) << _I52)


_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT2 = 1.4142135623730951
_MANTISSA = np.int64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)


@numba.njit(**_NJ)
def vlog(x):
    """Natural logarithm of a positive normal ``x``.

    fdlibm's method: ``x = 2**k m`` with ``m`` in [sqrt(2)/2, sqrt(2)),
    ``log(m) = 2 atanh(f / (2 + f))`` (``f = m - 1``) from a degree-14
    polynomial. Outside the domain: ``vlog(0)`` is about -709.1 (not -inf),
    and subnormal, negative, infinite or NaN ``x`` give meaningless values.

    Examples
    --------
    >>> import math
    >>> abs(float(vlog(10.0)) - math.log(10.0)) <= math.ulp(math.log(10.0))
    True
    """
    b = f64_to_bits(x)
    k = (b >> _I52) - _I1023
    m = bits_to_f64((b & _MANTISSA) | _ONE_BITS)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    dk = float(k + (np.int64(1) if big else np.int64(0)))
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = (w * (_LG2 + w * (_LG4 + w * _LG6))
         + z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))))
    hfsq = 0.5 * f * f
    return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
