"""Shared pytest configuration: Hypothesis profiles and small scenario fixtures.

Profiles (STYLE.md G11): ``ci`` (the default; derandomized, no deadline since
the first call of a numba kernel compiles it) and ``dev`` (fewer, random
examples). Select one with ``HYPOTHESIS_PROFILE=dev pytest ...``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=30,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "dev", deadline=None, max_examples=10, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def one_stream_dict():
    """A fresh scenario dict with a single 60-minute stream (see naive.one_stream_dict)."""
    from naive import one_stream_dict as make

    return make()


@pytest.fixture
def one_stream():
    """The single-stream scenario builder ``one_stream(**dotted_overrides) -> Scenario``."""
    from naive import one_stream_scenario

    return one_stream_scenario
