"""Memory estimates of big requests, and their refusal before anything is allocated.

One home for "will it fit": :func:`simkit.simulate_batch` checks its output
arrays, sweeps their design and scenarios, ``simkit plot`` its figure raster,
each before allocating, so that a request too big for the machine ends in one
line that says how much it needs and how to shrink it, not in a
``MemoryError`` traceback (or the kernel's out-of-memory killer).

The budget is ``config.MEMORY_FRACTION`` of the memory available when the
check runs: ``MemAvailable`` of ``/proc/meminfo`` (Linux), capped by a cgroup
memory limit when one is set; elsewhere the physical memory from
:func:`os.sysconf`; ``config.MEMORY_FALLBACK_BYTES`` when neither can be read.
``config.MEMORY_BYTES``, when set, replaces the measurement (a shared machine,
or a test).

Estimates count the arrays a request keeps, not Python's overhead, and err on
the large side (outputs are counted twice: ``simulate_batch`` copies them into
its results before it frees them).
"""

from __future__ import annotations

import math
import os

from . import config
from .errors import SimkitError

__all__ = ["available_bytes", "budget_bytes", "format_bytes", "require",
           "simulate_bytes", "check_simulate", "check_design", "check_sweep",
           "check_figure", "curve_paths", "curve_paths_of", "MAX_PIXELS"]

_F8 = 8
#: Bytes of one Scenario object (tracemalloc measures about 9.5 kB for
#: scenarios/mid_tier.toml; rounded up for larger schedules and catalogues).
SCENARIO_BYTES = 16_000
#: Largest width or height in pixels a figure is drawn at (matplotlib's Agg
#: renderer refuses 2**16 and more).
MAX_PIXELS = 2 ** 16 - 1


def _meminfo_available():
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_free():
    """Bytes left under a cgroup v2 (or v1) memory limit, or None without one."""
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            with open(limit, encoding="ascii") as fh:
                lim = fh.read().strip()
            if lim == "max" or int(lim) >= 2 ** 60:
                return None
            with open(usage, encoding="ascii") as fh:
                return max(0, int(lim) - int(fh.read().strip()))
        except (OSError, ValueError):
            continue
    return None


def available_bytes() -> int:
    """Memory available to this process now, in bytes (see the module notes).

    Examples
    --------
    >>> available_bytes() > 0
    True
    """
    if config.MEMORY_BYTES is not None:
        return int(config.MEMORY_BYTES)
    free = _meminfo_available()
    if free is None:
        try:
            free = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            free = None
    cg = _cgroup_free()
    if free is None:
        free = cg if cg is not None else config.MEMORY_FALLBACK_BYTES
    elif cg is not None:
        free = min(free, cg)
    return int(free)


def budget_bytes() -> int:
    """The most a request may need: ``config.MEMORY_FRACTION`` of what is free.

    Examples
    --------
    >>> from simkit import config
    >>> config.MEMORY_BYTES = 10 ** 9
    >>> budget_bytes() == int(config.MEMORY_FRACTION * 10 ** 9)
    True
    >>> config._reset()
    """
    return int(config.MEMORY_FRACTION * available_bytes())


def format_bytes(n) -> str:
    """``n`` bytes in decimal units with two significant digits.

    Examples
    --------
    >>> format_bytes(1.23e12), format_bytes(22e9), format_bytes(512), format_bytes(3e18)
    ('1.2 TB', '22 GB', '512 B', '3,000,000 TB')
    """
    n = float(n)
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            x = n / size
            if x >= 100:
                return f"{x:,.0f} {unit}"
            return f"{float(f'{x:.2g}'):g} {unit}"
    return f"{n:.0f} B"


def require(parts, what, hint) -> None:
    """Raise :class:`SimkitError` when the bytes in ``parts`` exceed the budget.

    Parameters
    ----------
    parts : dict
        Name -> bytes of each thing the request keeps (zeros are left out of
        the message).
    what : str
        The request, e.g. ``"`paths` = 2,000,000,000"``.
    hint : str
        How to shrink it.

    Examples
    --------
    >>> from simkit import config
    >>> config.MEMORY_BYTES = 10 ** 9
    >>> require({"the totals": 2e12}, "`paths` = 10", "use fewer paths")
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `paths` = 10 needs about 2 TB for the totals (this \
machine has 1 GB free, simkit uses up to 80% of it): use fewer paths
    >>> config._reset()
    """
    need = sum(parts.values())
    budget = budget_bytes()
    if need <= budget:
        return
    shown = [(k, v) for k, v in sorted(parts.items(), key=lambda kv: -kv[1]) if v > 0]
    free = (f"this machine has {format_bytes(available_bytes())} free, simkit uses "
            f"up to {config.MEMORY_FRACTION:.0%} of it")
    if len(shown) == 1:
        detail = f"for {shown[0][0]} ({free})"
    else:
        detail = "(" + ", ".join(f"{k} {format_bytes(v)}" for k, v in shown) \
            + f"; {free})"
    raise SimkitError(f"{what} needs about {format_bytes(need)} {detail}: {hint}")


def simulate_bytes(n_scenarios, paths, n_streams, max_minutes, *, per_stream=False,
                   curves=False) -> dict:
    """Bytes of the outputs of one ``simulate_batch`` call, by kind.

    Each output array is counted twice (the array the kernels fill and the
    copies the results keep). Python integers: no overflow, however big.

    Examples
    --------
    >>> from simkit.metrics import TOTALS
    >>> b = simulate_bytes(1, 1000, 12, 180, per_stream=True)
    >>> sorted(b), b["the totals"] == 2 * 1000 * len(TOTALS) * 8
    (['the per-stream metrics', 'the totals'], True)
    """
    from ._kernels.layout import N_PER_STREAM, N_TOTALS

    pairs = int(n_scenarios) * int(paths)
    out = {"the totals": 2 * _F8 * pairs * N_TOTALS}
    if per_stream:
        out["the per-stream metrics"] = 2 * _F8 * pairs * int(n_streams) * N_PER_STREAM
    if curves:
        out["the curves"] = 2 * _F8 * pairs * int(n_streams) * int(max_minutes)
    return out


def check_simulate(n_scenarios, paths, n_streams, max_minutes, *, per_stream=False,
                   curves=False) -> None:
    """Refuse a ``simulate_batch`` call whose outputs do not fit (one line).

    Examples
    --------
    >>> from simkit import config
    >>> config.MEMORY_BYTES = 16 * 10 ** 9
    >>> check_simulate(1, 10_000, 12, 180, per_stream=True)   # fits
    >>> check_simulate(1, 2_000_000_000, 12, 180)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `paths` = 2,000,000,000 needs about ... GB for the \
totals (this machine has 16 GB free, simkit uses up to 80% of it): use fewer paths \
(at most about ...), or run it in parts (path_offset)
    >>> config._reset()
    """
    parts = simulate_bytes(n_scenarios, paths, n_streams, max_minutes,
                           per_stream=per_stream, curves=curves)
    need = sum(parts.values())
    if need <= budget_bytes():
        return
    per_path = need / max(1, int(paths))
    fit = int(budget_bytes() // per_path) if per_path else 0
    what = f"`paths` = {int(paths):,}"
    if n_scenarios > 1:
        what += f" of {int(n_scenarios):,} scenarios"
    hint = f"use fewer paths (at most about {_round_down(fit):,})"
    dropped = [n for n, on in (("--per-stream/per_stream", per_stream),
                               ("curves", curves)) if on]
    if dropped:
        hint += f", or keep the totals only (drop {' and '.join(dropped)})"
    else:
        hint += ", or run it in parts (path_offset)"
    require(parts, what, hint)


def _round_down(n):
    """``n`` rounded down to two significant digits (a readable bound)."""
    if n < 100:
        return int(n)
    q = 10 ** (int(math.log10(n)) - 1)
    return int(n // q * q)


def check_design(n_points, n_keys) -> None:
    """Refuse a sweep design of ``n_points`` rows that does not fit.

    The design matrix and the unit-cube sample it is scaled from (and a copy
    in scipy's generator) are counted: about three float64 matrices.

    Examples
    --------
    >>> from simkit import config
    >>> config.MEMORY_BYTES = 16 * 10 ** 9
    >>> check_design(10 ** 4, 3)
    >>> check_design(10 ** 9, 3)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: a sweep design of 1,000,000,000 points needs about \
72 GB for the design matrix (this machine has 16 GB free, simkit uses up to 80% of \
it): use a smaller --n
    >>> config._reset()
    """
    need = 3 * _F8 * int(n_points) * max(1, int(n_keys))
    require({"the design matrix": need},
            f"a sweep design of {int(n_points):,} points", "use a smaller --n")


def check_sweep(n_points, n_keys, paths, chunk, n_metrics, n_stats) -> None:
    """Refuse a sweep whose scenarios, statistics or chunk outputs do not fit.

    Every scenario of the design is built (and validated) before the first is
    simulated, each about ``SCENARIO_BYTES``; one chunk of ``chunk`` scenarios
    x ``paths`` paths is simulated at a time.

    Examples
    --------
    >>> from simkit import config
    >>> config.MEMORY_BYTES = 16 * 10 ** 9
    >>> check_sweep(100, 2, 1000, 65, 7, 5)
    >>> check_sweep(10 ** 8, 2, 1000, 65, 7, 5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: a sweep of 100,000,000 scenarios needs about 1.6 TB \
(the scenarios 1.6 TB, the design and statistics 33 GB, one chunk of runs ... MB; \
this machine has 16 GB free, simkit uses up to 80% of it): use a smaller --n (at most \
about 780,000 scenarios fit)
    >>> config._reset()
    """
    from ._kernels.layout import N_TOTALS

    n_points = int(n_points)
    per_point = SCENARIO_BYTES + _F8 * (3 * max(1, int(n_keys)) + n_metrics * n_stats)
    parts = {
        "the scenarios": SCENARIO_BYTES * n_points,
        "the design and statistics": (per_point - SCENARIO_BYTES) * n_points,
        "one chunk of runs": 2 * _F8 * int(chunk) * int(paths) * N_TOTALS,
    }
    fit = max(0, budget_bytes() - parts["one chunk of runs"]) // per_point
    require(parts, f"a sweep of {n_points:,} scenarios",
            f"use a smaller --n (at most about {_round_down(fit):,} scenarios fit)")


def check_figure(size_inches, dpi) -> None:
    """Refuse a raster of ``size_inches`` at ``dpi`` too big to draw (one line).

    The RGBA buffer is width x height x dpi**2 x 4 bytes, counted twice (the
    renderer's buffer and the encoder's copy); matplotlib also refuses more than
    ``MAX_PIXELS`` pixels on a side.

    Examples
    --------
    >>> check_figure((7.0, 4.5), 150)
    >>> check_figure((7.0, 4.5), 100_000)
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: `--dpi` = 100,000 makes a 700,000 x 450,000-pixel \
figure (about 2.5 TB of RGBA), more than 65,535 pixels a side: use --dpi 9362 or less
    """
    w_in, h_in = (float(x) for x in size_inches)
    dpi = int(dpi)
    w, h = round(w_in * dpi), round(h_in * dpi)
    need = 2 * 4 * w * h
    top = max(1, int(MAX_PIXELS / max(w_in, h_in, 1e-9)))
    if max(w, h) > MAX_PIXELS:
        raise SimkitError(
            f"`--dpi` = {dpi:,} makes a {w:,} x {h:,}-pixel figure (about "
            f"{format_bytes(need)} of RGBA), more than {MAX_PIXELS:,} pixels a side: "
            f"use --dpi {top} or less")
    fit = int(math.sqrt(budget_bytes() / (2 * 4 * max(w_in * h_in, 1e-9))))
    require({"the RGBA raster": need},
            f"`--dpi` = {dpi:,} ({w:,} x {h:,} pixels)",
            f"use --dpi {min(top, fit)} or less")


def curve_paths(paths, n_streams, minutes) -> int:
    """Paths whose concurrency curves a figure or report keeps.

    At most ``config.MAX_CURVE_CELLS`` cells (paths x streams x minutes,
    8 bytes each), and never fewer than 50 paths or more than ``paths``.

    Examples
    --------
    >>> curve_paths(2000, 12, 181), curve_paths(10 ** 6, 364, 1441)
    (2000, 50)
    """
    cap = max(50, config.MAX_CURVE_CELLS // max(1, int(n_streams) * int(minutes)))
    return int(min(paths, cap))


def curve_paths_of(result, paths) -> int:
    """:func:`curve_paths` for the streams of ``result``, a per-stream run of
    the scenario (its stream count and longest stream, one minute added).

    Examples
    --------
    >>> import numpy as np
    >>> from simkit import SimulationResult
    >>> ps = {"duration_min": np.full((2, 364), 1439.5)}
    >>> curve_paths_of(SimulationResult("s", {}, per_stream=ps), 10 ** 6)
    50
    """
    import numpy as np

    d = np.asarray(result.per_stream["duration_min"], dtype=float)
    minutes = math.ceil(float(np.max(d, initial=1.0))) + 1
    return curve_paths(paths, d.shape[1], minutes)
