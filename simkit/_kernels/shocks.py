"""Stream-to-stream shocks (docs/model.md §17): mean-one multipliers of a
stream's audience and gifting, AR(1)-correlated along the streams of a path.

The innovations are keyed like every other draw: the normal score ``e[p, i, c]``
of stream ``i`` of global path ``path_offset + p`` is ``Phi^-1(u)`` at counter
``c`` (0 audience, 1 gifting) of ``stream_seed(key, path, i, P_SHOCK)``. So a
stream's shock depends on the seed, the path and the stream only (not on the
thread, block, backend or the other scenarios of a batch), and two variants
under one seed share their shocks wherever their parameters agree.

The AR(1) recursion and the transforms run in NumPy over a whole block of
paths (:func:`transform`), outside the compiled kernel.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import special

from ._flags import NJ
from .rng import P_SHOCK, ndtri, stream_seed, u01

__all__ = ["innovations", "transform", "FAMILIES"]

#: Shock families (``shocks.family``).
FAMILIES = ("lognormal", "gamma")


@numba.njit(**NJ)
def _fill_innovations(key, path_offset, out):
    n_p, n_s = out.shape[0], out.shape[1]
    for p in range(n_p):
        for i in range(n_s):
            seed = stream_seed(key, path_offset + p, np.int64(i), P_SHOCK)
            out[p, i, 0] = ndtri(u01(seed, 0))
            out[p, i, 1] = ndtri(u01(seed, 1))


def innovations(key, path_offset, n_paths, n_streams):
    """Standard normal innovations ``e[p, i, c]`` of ``n_paths`` paths.

    Parameters
    ----------
    key : int
        Root key (:func:`simkit._simulate.root_key`).
    path_offset : int
        Global index of the first path.
    n_paths, n_streams : int
        Shape of the block.

    Returns
    -------
    ndarray
        float64 ``(n_paths, n_streams, 2)``: ``[..., 0]`` audience, ``[..., 1]``
        gifting.

    Examples
    --------
    >>> e = innovations(12345, 0, 3, 4)
    >>> e.shape
    (3, 4, 2)
    >>> bool((innovations(12345, 1, 2, 4) == e[1:]).all())
    True
    """
    out = np.empty((n_paths, n_streams, 2))
    _fill_innovations(np.uint64(key), np.int64(path_offset), out)
    return out


def _ar1(e, rho):
    """Stationary Gaussian AR(1) along axis 1: ``z_0 = e_0``,
    ``z_i = rho z_{i-1} + sqrt(1 - rho^2) e_i`` (``rho`` per path or scalar)."""
    rho = np.asarray(rho, dtype=float).reshape(-1)
    z = np.empty_like(e)
    if e.shape[1] == 0:
        return z
    c = np.sqrt(1.0 - rho * rho)
    z[:, 0] = e[:, 0]
    for i in range(1, e.shape[1]):
        z[:, i] = rho * z[:, i - 1] + c * e[:, i]
    return z


def _marginal(z, family, sigma):
    """Mean-one multiplier from standard normal scores ``z`` (per path ``sigma``).

    ``lognormal``: ``exp(sigma z - sigma^2 / 2)``. ``gamma``: the gamma
    quantile, shape ``1 / cv^2`` and scale ``cv^2`` with ``cv^2 = exp(sigma^2)
    - 1`` (the lognormal's variance), at ``Phi(z)``; the upper half through the
    complemented incomplete gamma function, so no tail rounds to 1.
    """
    sigma = np.asarray(sigma, dtype=float).reshape(-1, 1)
    if not sigma.any():
        return np.ones_like(z)   # off: no transform to compute
    if family == "lognormal":
        return np.exp(sigma * z - 0.5 * sigma * sigma)
    cv2 = np.expm1(sigma * sigma)
    a = np.broadcast_to(1.0 / np.where(cv2 > 0, cv2, 1.0), z.shape)
    scale = np.broadcast_to(cv2, z.shape)
    up = z > 0
    x = np.where(up, special.gammainccinv(a, special.ndtr(-np.abs(z))),
                 special.gammaincinv(a, special.ndtr(-np.abs(z))))
    return np.where(scale > 0, x * scale, 1.0)


def transform(e, family, sigma_a, rho_a, sigma_g, rho_g):
    """Audience and gifting shocks from innovations ``e`` (see :func:`innovations`).

    Parameters
    ----------
    e : ndarray
        ``(P, n, 2)`` standard normal innovations.
    family : {"lognormal", "gamma"}
        Marginal law of both shocks.
    sigma_a, rho_a, sigma_g, rho_g : float or ndarray
        Log-scale sd and AR(1) correlation of the audience and gifting shocks,
        scalars or one value per path.

    Returns
    -------
    ndarray
        float64 ``(P, n, 2)``: ``[..., 0]`` the audience multiplier,
        ``[..., 1]`` the gifting multiplier, each of mean 1.

    Examples
    --------
    >>> x = transform(innovations(7, 0, 20_000, 3), "lognormal", 0.4, 0.5, 0.0, 0.0)
    >>> round(float(x[..., 0].mean()), 1), bool((x[..., 1] == 1.0).all())
    (1.0, True)
    """
    out = np.empty_like(e)
    for c, (sigma, rho) in enumerate(((sigma_a, rho_a), (sigma_g, rho_g))):
        z = _ar1(e[:, :, c], rho)
        out[:, :, c] = _marginal(z, family, sigma)
    return out
