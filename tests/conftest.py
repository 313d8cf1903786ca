"""Shared pytest configuration: Hypothesis profiles and small scenario fixtures.

Profiles (docs/testing.md): ``ci`` (the default; derandomized, no deadline since
the first call of a numba kernel compiles it) and ``dev`` (fewer, random
examples). Select one with ``HYPOTHESIS_PROFILE=dev pytest ...``.

The fuzz suite (tests/test_fuzz.py) has its own profiles, chosen with the
environment variable ``SIMKIT_FUZZ``: ``fuzz`` (the default; derandomized, the
example counts of each test, a few minutes on 2 cores) and ``fuzz-release``
(``SIMKIT_FUZZ=release``; random, 20 times the examples, for release checks:
docs/testing.md). Their ``max_examples`` is a scale (100 = the counts written
in the tests).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=30,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "dev", deadline=None, max_examples=10, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                HealthCheck.filter_too_much, HealthCheck.data_too_large,
                HealthCheck.large_base_example]
# No shrinking in CI: a failing example is reported as drawn (its command line
# and files), within the time of the run; the release profile shrinks.
settings.register_profile(
    "fuzz", derandomize=True, deadline=None, max_examples=100, database=None,
    suppress_health_check=_FUZZ_CHECKS,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
settings.register_profile(
    "fuzz-release", derandomize=False, deadline=None, max_examples=2000,
    suppress_health_check=_FUZZ_CHECKS, print_blob=True)
#: The fuzz suite's profile: ``fuzz-release`` if SIMKIT_FUZZ=release, else ``fuzz``.
FUZZ_PROFILE = "fuzz-release" if os.environ.get("SIMKIT_FUZZ") == "release" else "fuzz"


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
