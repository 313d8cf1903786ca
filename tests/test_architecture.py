"""The package's layering, read from the source (docs/architecture.md).

Every module under ``simkit/`` is parsed with :mod:`ast` (nothing is run for
the import checks), and every ``import``/``from ... import`` it contains,
inside functions too, becomes an edge to the simkit module it names
(``from pkg import name`` is an edge to ``pkg.name`` when that is a module file,
to ``pkg`` otherwise; ``importlib.import_module("simkit....")`` counts as well).
Three rules:

1. No edge runs from a lower layer to a higher one (:data:`LAYERS`, lowest
   first; imports inside one layer are allowed).
2. No module is hidden by a function: in a fresh interpreter, importing a
   package and then each of its submodules, ``getattr(package, submodule)`` is
   never a function or other object: the module itself, or absent.
3. ``simkit/_result.py`` imports nothing from ``simkit.analysis``.
"""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest

import simkit

#: The layers, lowest first, by the first name under ``simkit`` (a subpackage
#: stands for all its modules). A module may import from its own layer and the
#: layers below. ``__init__`` is the ``simkit`` package itself: it re-exports
#: the public names of everything below it, so only the command line sits above
#: it (the CLI calls the public API, e.g. ``from simkit import simulate``).
LAYERS = (
    ("errors", "config", "metrics", "_version"),               # 0 leaves
    ("_io", "_names", "_present", "_text", "_words", "_quantiles",
     "_validate"),                                              # 1 shared helpers
    ("scenario",),                                              # 2 scenario files
    ("_pack", "_kernels"),                                      # 3 arrays, kernels
    ("backends",),                                              # 4 cpu, dask, cuda
    ("_checkpoint", "_memory", "_checks", "_result"),           # 5 around a run
    ("_simulate",),                                             # 6 simulate()
    ("_sweep", "analysis", "calibrate"),                        # 7 built on it
    ("plotting",),                                              # 8 figures
    ("_report",),                                               # 9 HTML report
    ("__init__",),                                              # 10 the facade
    ("_cli", "cli", "__main__"),                                # 11 command line
)
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}

#: Upward imports that are allowed, as ``(importer, imported): reason``. Empty:
#: every upward import found is a failure to fix by moving code down.
ALLOWED_UP: dict[tuple[str, str], str] = {}

ROOT = pathlib.Path(simkit.__file__).parent
FILES = sorted(ROOT.rglob("*.py"))


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in FILES}
PACKAGES = sorted(_module_name(p) for p in FILES if p.name == "__init__.py")


def layer_key(module):
    """The name :data:`LAYERS` knows ``module`` by (``simkit`` -> ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _resolve(importer, level, module):
    """Absolute name of ``from <level dots><module> import ...`` in ``importer``."""
    if not level:
        return module or ""
    is_pkg = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base[:len(base) - level + (1 if is_pkg else 0)]
    return ".".join(base + ([module] if module else []))


def imports_of(module, text=None):
    """``[(line, imported module, source text)]`` of every simkit import in
    ``module`` (or in ``text`` read as that module), at any depth (functions,
    classes, ``if`` blocks)."""
    path = MODULES[module]
    if text is None:
        text = path.read_text(encoding="utf-8")
    out = []
    for node in ast.walk(ast.parse(text, str(path))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node.level, node.module)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              == "import_module"):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                targets = [arg.value]
            elif (isinstance(arg, ast.JoinedStr) and arg.values
                  and isinstance(arg.values[0], ast.Constant)):
                # f"simkit._cli.{name}": the package before the formatted part
                targets = [arg.values[0].value.rsplit(".", 1)[0]]
        for t in dict.fromkeys(targets):
            if t.split(".")[0] == "simkit":
                out.append((node.lineno, t, ast.get_source_segment(text, node)))
    return sorted(out)


def upward_imports(module, text=None):
    """Imports of ``module`` that run to a higher layer, as readable lines."""
    me = LAYER[layer_key(module)]
    bad = []
    for line, target, src in imports_of(module, text):
        there = LAYER.get(layer_key(target))
        if there is not None and there > me and (module, target) not in ALLOWED_UP:
            rel = MODULES[module].relative_to(ROOT.parent)
            bad.append(f"{rel}:{line}: {src.strip()}  ({layer_key(module)} is layer "
                       f"{me}, {layer_key(target)} is layer {there})")
    return bad


def test_every_module_has_a_layer():
    missing = sorted({layer_key(m) for m in MODULES} - set(LAYER))
    assert not missing, (f"modules without a layer: {missing}; add them to LAYERS "
                         "here and to docs/architecture.md")


def test_layer_table_names_existing_modules():
    known = {layer_key(m) for m in MODULES}
    stale = sorted(set(LAYER) - known)
    assert not stale, f"LAYERS names modules that do not exist: {stale}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_up_a_layer(module):
    bad = upward_imports(module)
    assert not bad, "imports from a higher layer:\n" + "\n".join(bad)


def test_result_does_not_import_analysis():
    bad = [f"simkit/_result.py:{line}: {src}" for line, target, src
           in imports_of("simkit._result")
           if target == "simkit.analysis" or target.startswith("simkit.analysis.")]
    assert not bad, "\n".join(bad)


def test_the_checks_see_imports():
    """The checks find upward imports at every depth and in every spelling: a
    guard against rules that pass because they see nothing."""
    src = ("import numpy\n"
           "from . import errors, plotting\n"
           "def f():\n"
           "    if True:\n"
           "        from .analysis._compare import compare\n"
           "    import simkit._simulate\n"
           "    return importlib.import_module(f'simkit._cli.{f}')\n")
    found = [line.split(": ", 1)[1].split("  (")[0]
             for line in upward_imports("simkit._result", src)]
    assert found == ["from . import errors, plotting",
                     "from .analysis._compare import compare",
                     "import simkit._simulate",
                     "importlib.import_module(f'simkit._cli.{f}')"]
    relative = upward_imports("simkit.scenario._load", "from .. import _report\n")
    assert len(relative) == 1 and "_report is layer 9" in relative[0]
    assert {"simkit._result", "simkit.backends.cpu"} <= {
        t for _, t, _ in imports_of("simkit._simulate")}
    assert len(MODULES) > 40
    assert {"simkit", "simkit.analysis", "simkit.plotting", "simkit.calibrate",
            "simkit.scenario", "simkit.backends", "simkit._kernels",
            "simkit._cli"} <= set(PACKAGES)


#: Run in a fresh interpreter, so that no earlier import has already replaced
#: a function by its module (importing ``pkg.name`` rebinds ``pkg.name``).
_HIDDEN_SCRIPT = """
import importlib, json, sys, types
out = {}
for package, children in json.loads(sys.argv[1]).items():
    pkg = importlib.import_module(package)
    bad = out.setdefault(package, [])
    for child in children:
        name = child.rsplit(".", 1)[1]
        before = getattr(pkg, name, None)
        if (child not in sys.modules and before is not None
                and not isinstance(before, types.ModuleType)):
            bad.append(f"{package}.{name} is a {type(before).__name__} before "
                       f"{child} is imported (importing it replaces that)")
        mod = importlib.import_module(child)
        after = getattr(pkg, name, None)
        if after is not None and after is not mod:
            bad.append(f"{package}.{name} is a {type(after).__name__}, "
                       f"not the module {child}")
print(json.dumps(out))
"""


def children_of(package):
    """Submodules and subpackages of ``package`` (``__main__`` left out: it runs
    the command line)."""
    return sorted(m for m in MODULES if m.rsplit(".", 1)[0] == package
                  and m != package and not m.endswith("__main__"))


@pytest.fixture(scope="module")
def hidden():
    plan = {p: children_of(p) for p in PACKAGES}
    run = subprocess.run([sys.executable, "-c", _HIDDEN_SCRIPT, json.dumps(plan)],
                         capture_output=True, text=True, check=True,
                         cwd=ROOT.parent)
    return json.loads(run.stdout)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_hidden_by_a_function(hidden, package):
    assert children_of(package), package
    assert not hidden[package], "\n".join(hidden[package])
