"""Numba kernels: pure functions of (parameters, key, path, stream); no I/O."""
