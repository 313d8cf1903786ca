"""The public API: layering, documentation and backend signatures."""

import inspect
import subprocess
import sys

import pytest

import simkit


def test_core_import_does_not_pull_optional_dependencies():
    code = ("import sys, simkit, simkit._kernels.horizon, simkit._simulate; "
            "bad = [m for m in ('matplotlib', 'dask', 'distributed', 'pandas', 'tqdm') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


@pytest.mark.parametrize("name", simkit.__all__)
def test_public_callables_have_numpydoc_examples(name):
    obj = getattr(simkit, name)
    if not callable(obj) or isinstance(obj, type) and issubclass(obj, BaseException):
        return
    doc = inspect.getdoc(obj) or ""
    assert "Examples" in doc, f"simkit.{name} has no Examples section"


def _documented_params(doc):
    """Names listed in a numpydoc Parameters section (``a, b : type`` lines)."""
    lines = doc.splitlines()
    if "Parameters" not in lines:
        return set()
    i = lines.index("Parameters") + 2
    names = set()
    while i < len(lines) and lines[i].strip() not in ("Returns", "Raises", "See Also",
                                                        "Notes", "Examples"):
        line = lines[i]
        if line and not line.startswith(" ") and (" : " in line or line.isidentifier()
                                                  or "," in line):
            names.update(n.strip() for n in line.split(" : ")[0].split(","))
        i += 1
    return names


@pytest.mark.parametrize("fn", [simkit.simulate, simkit.simulate_batch,
                                simkit.load_scenario])
def test_docstring_parameters_match_signature(fn):
    sig = set(inspect.signature(fn).parameters)
    assert _documented_params(inspect.getdoc(fn)) == sig


def test_backends_share_one_signature():
    from simkit.backends import cpu

    base = list(inspect.signature(cpu.run).parameters)
    for mod_name in ("simkit.backends.dask", "simkit.backends.cuda"):
        mod = pytest.importorskip(mod_name)
        params = list(inspect.signature(mod.run).parameters)
        assert params[: len(base)] == base, mod_name


def _public_classes():
    """Public classes: those in ``simkit.__all__`` and the result types the
    analysis functions return."""
    from simkit.analysis._bands import Bands
    from simkit.analysis._compare import ComparisonResult
    from simkit.analysis._quote import QuoteTable
    from simkit.analysis._sensitivity import TornadoResult

    named = [getattr(simkit, n) for n in simkit.__all__]
    classes = [c for c in named if isinstance(c, type)
               and not issubclass(c, (BaseException, Warning))]
    return classes + [Bands, ComparisonResult, QuoteTable, TornadoResult]


@pytest.mark.parametrize("cls", _public_classes(), ids=lambda c: c.__name__)
def test_public_methods_have_numpydoc_examples(cls):
    missing = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        fn = member.fget if isinstance(member, property) else member
        fn = getattr(fn, "__func__", fn)   # classmethod / staticmethod
        if not callable(fn) or isinstance(member, property):
            continue
        if "Examples" not in (inspect.getdoc(fn) or ""):
            missing.append(name)
    assert not missing, f"{cls.__name__}: no Examples section in {missing}"
