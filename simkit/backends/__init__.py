"""Backends: where the kernels run. Each module defines ``run`` with the same
signature: ``run(packed, key, path_offset, tot, per_stream, curves, *, threads,
block_paths, on_block, ...)``."""
