"""The documentation cannot drift from the code.

- docs/scenario-format.md is exactly what ``python -m simkit.scenario._docs``
  prints (regenerate it after changing the schema);
- every scenario key is documented: model keys in docs/model.md, every key in
  docs/model.md or docs/scenario-format.md;
- every metric is defined in docs/model.md and every CLI command in docs/cli.md;
- the example scenario of the format page is valid, and the Python examples of
  docs/api.md and docs/reproducibility.md run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import simkit
from simkit.cli import make_parser
from simkit.metrics import PER_STREAM, TOTALS
from simkit.scenario._docs import EXAMPLE, render
from simkit.scenario._schema import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: Sections that configure analyses (quote, sweep) or name the file, not the model.
NON_MODEL = ("", "sponsorship", "sweep")


def _read(name):
    return (DOCS / name).read_text(encoding="utf-8")


def _mentions(text, token):
    """Whether ``token`` occurs as a whole dotted name (not inside a longer one)."""
    return re.search(rf"(?<![\w.]){re.escape(token)}(?![\w])", text) is not None


def _dotted_keys(sections=None):
    return [f"{s}.{k}" if s else k for s, fields in SCHEMA.items()
            if sections is None or s not in sections for k in fields]


def test_scenario_format_page_is_generated_from_the_schema():
    on_disk = _read("scenario-format.md")
    assert on_disk == render(), (
        "docs/scenario-format.md is stale: run "
        "`python -m simkit.scenario._docs > docs/scenario-format.md`")


def test_every_schema_key_is_documented():
    text = _read("model.md") + "\n" + _read("scenario-format.md")
    missing = [k for k in _dotted_keys() if not _mentions(text, k)]
    assert not missing, f"keys missing from the docs: {missing}"


def test_every_model_key_is_explained_in_model_md():
    text = _read("model.md")
    missing = [k for k in _dotted_keys(NON_MODEL) if not _mentions(text, k)]
    assert not missing, f"model keys missing from docs/model.md: {missing}"


def test_format_page_has_one_row_per_key():
    rows = re.findall(r"^\| `([^`]+)` \|", render(), flags=re.M)
    assert rows == _dotted_keys()


def test_every_metric_is_defined_in_model_md():
    text = _read("model.md")
    missing = [m for m in dict.fromkeys(TOTALS + PER_STREAM)
               if f"`{m}`" not in text]
    assert not missing, f"metrics missing from docs/model.md: {missing}"


def test_every_cli_command_is_documented():
    text = _read("cli.md")
    sub = next(a for a in make_parser()._actions if a.dest == "command")
    missing = [c for c in sub.choices if f"## `simkit {c}`" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_example_scenario_is_valid():
    sc = simkit.scenario_from_dict(tomllib.loads(EXAMPLE), "<example>")
    assert sc.variants == ("consistent", "ad_hoc", "ad_hoc_promoted")
    assert sc.variant("ad_hoc_promoted")["audience.promotion"] == 1.5
    assert sc.sponsorship["streams"] == 3


def test_toml_snippets_of_the_format_page_are_valid():
    """Every ```toml block of the page parses and validates on its own."""
    blocks = re.findall(r"```toml\n(.*?)```", render(), flags=re.S)
    assert len(blocks) >= 4
    for block in blocks:
        data = tomllib.loads(block)
        if data.get("schedule", {}).get("kind") == "explicit":
            data["collaboration"] = {"partner_followers": 1000}
        simkit.scenario_from_dict(data, "<snippet>")


def _python_blocks(name):
    return re.findall(r"```python\n(.*?)```", _read(name), flags=re.S)


@pytest.mark.parametrize("name", ["api.md", "reproducibility.md"])
def test_python_examples_run(name, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    blocks = _python_blocks(name)
    assert blocks
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/{name}[{i}]", "exec"), {"__name__": "__docs__"})
    capsys.readouterr()
