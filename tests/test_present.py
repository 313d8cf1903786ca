"""The shared renderers of simkit/_present.py: records to JSON, tables to CSV,
text and HTML. Every result type goes through them, so these pin their exact
output."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from simkit._present import (
    NA,
    csv_cell,
    csv_text,
    html_table,
    json_text,
    json_value,
    quantile_table,
    short_repr,
    table,
    text_out,
)


# ----- records: non-finite -> None, numpy -> Python -----------------------------

def test_json_value_turns_every_non_finite_number_into_none_at_any_depth():
    rec = {"a": float("nan"), "b": [1.0, float("inf"), {"c": -np.inf}],
           "d": np.array([[0.5, np.nan]]), "e": (np.float64(np.nan), 2)}
    assert json_value(rec) == {"a": None, "b": [1.0, None, {"c": None}],
                               "d": [[0.5, None]], "e": [None, 2]}


def test_json_value_gives_python_types():
    out = json_value({1: np.int64(3), "f": np.float32(0.5), "t": np.bool_(True),
                      "s": "x", "n": None})
    assert out == {"1": 3, "f": 0.5, "t": True, "s": "x", "n": None}
    assert [type(out[k]) for k in ("1", "f", "t")] == [int, float, bool]


def test_json_value_writes_other_objects_as_text():
    from pathlib import PurePosixPath

    assert json_value({"p": PurePosixPath("a/b.toml")}) == {"p": "a/b.toml"}


def test_json_text_is_strict_and_indented():
    text = json_text({"x": np.float64(1.5), "y": np.inf, "z": [np.nan]})
    assert text == '{\n  "x": 1.5,\n  "y": null,\n  "z": [\n    null\n  ]\n}\n'
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"x": 1.5, "y": None, "z": [None]}


def test_json_text_refuses_nan_that_bypasses_json_value(monkeypatch):
    # allow_nan=False is the last guard: a NaN that reached json.dumps raises
    import simkit._present as present

    monkeypatch.setattr(present, "json_value", lambda v: v)
    with pytest.raises(ValueError, match="not JSON compliant"):
        present.json_text({"x": float("nan")})


# ----- CSV ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "cell"), [
    (0.1, "0.1"), (1 / 3, "0.3333333333333333"), (np.float64(2.5), "2.5"),
    (3, "3"), (np.int64(-4), "-4"), (np.uint8(7), "7"), (True, "True"),
    ("a b", "a b"), (None, ""), (float("inf"), ""), (-np.inf, ""), (np.nan, ""),
    (1e300, "1e+300"),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_text_quotes_only_where_needed_and_reads_back_exactly():
    rows = [["plain", 0.1, 2], ['a,b "c"', float("nan"), None],
            ["line\nbreak", -0.0, 0]]
    text = csv_text(["name", "x", "n"], rows)
    assert text == ('name,x,n\nplain,0.1,2\n"a,b ""c""",,\n"line\nbreak",-0.0,0\n')
    back = list(csv.reader(io.StringIO(text)))
    assert back[1:] == [["plain", "0.1", "2"], ['a,b "c"', "", ""],
                        ["line\nbreak", "-0.0", "0"]]
    assert float(back[1][1]) == 0.1  # repr: the float reads back exactly


def test_csv_text_of_no_rows_is_the_head():
    assert csv_text(("a", "b"), []) == "a,b\n"


# ----- text tables ----------------------------------------------------------------

def test_table_aligns_first_column_left_and_the_others_right():
    lines, dropped = table(["name", "value"], [["a", "1"], ["bbbbbb", "22,000"]])
    assert lines == ["name     value",
                     "------  ------",
                     "a            1",
                     "bbbbbb  22,000"]
    assert dropped == []


def test_table_alignment_indent_gap_and_no_rule():
    lines, _ = table(["", "x"], [["m ", "1"], ["mm ", "10"]], align="lr", indent=2,
                     rule=False, gap=1)
    # widths 3 and 2, one space between: the label's own trailing space adds one
    assert lines == ["       x", "  m    1", "  mm  10"]
    lines, _ = table(["a", "b"], [["x", "y"]], align="rl")
    assert lines == ["a  b", "-  -", "x  y"]


def test_table_drops_optional_columns_first_listed_first_and_reports_them():
    head = ["label", "one", "two", "three"]
    rows = [["r", "1" * 30, "2" * 30, "3" * 30]]
    lines, dropped = table(head, rows, optional=[3, 2], width=70)
    assert dropped == ["three"]
    assert max(map(len, lines)) <= 70
    lines, dropped = table(head, rows, optional=[3, 2], wide=True)
    assert dropped == [] and len(lines[0]) > 70


def test_table_has_no_trailing_spaces():
    lines, _ = table(["a", "b"], [["x", ""]], align="ll")
    assert all(line == line.rstrip() for line in lines)


# ----- HTML -----------------------------------------------------------------------

def test_html_table_escapes_every_text():
    out = html_table("a<b & c", ["<h>", "x"], [["<script>", 'q"\''], [1, None]],
                     caption="1 < 2")
    assert "<script>" not in out and "<h>" not in out
    assert out == ("<div><strong>a&lt;b &amp; c</strong><p>1 &lt; 2</p><table>"
                   "<thead><tr><th>&lt;h&gt;</th><th>x</th></tr></thead><tbody>"
                   "<tr><td style='text-align:left'>&lt;script&gt;</td>"
                   "<td style='text-align:right'>q&quot;&#x27;</td></tr>"
                   "<tr><td style='text-align:left'>1</td>"
                   "<td style='text-align:right'>None</td></tr></tbody></table></div>")


def test_html_table_without_caption_has_no_paragraph():
    assert "<p>" not in html_table("t", ["x"], [])


# ----- quantile tables, repr, output ----------------------------------------------

def test_quantile_table_plain_and_details_and_missing_numbers():
    rows = [("income", "USD", 2525.23, 8.19, [1311.4, 2437.6], [25.1, float("inf")])]
    lines, dropped = quantile_table("what", rows, [0.05, 0.5])
    assert lines == ["what    average ± error  low (P5)  typical (P50)",
                     "------  ---------------  --------  -------------",
                     "income   $2,525.2 ± 8.2    $1,311         $2,438"]
    lines, _ = quantile_table("what", rows, [0.05, 0.5], details=True)
    assert lines[0].split("  ")[-1].strip() == "P50"
    assert lines[2].endswith(f"$2,438 ± {NA}")


def test_short_repr():
    assert short_repr("Kind", "title") == "<Kind: title>"
    assert short_repr("Kind", "title", "Line.") == "<Kind: title>\nLine."


def test_text_out_returns_or_writes(tmp_path):
    assert text_out("x\n") == "x\n"
    f = tmp_path / "out.json"
    assert text_out("é\n", f) is None
    assert f.read_bytes() == "é\n".encode()
    assert list(tmp_path.iterdir()) == [f]  # no temporary file left
