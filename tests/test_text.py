"""Number formatting and text tables (simkit/_text.py): the rounding rule,
thousands separators and the 80-column budget."""

from __future__ import annotations

import math

import pytest

from simkit._present import table
from simkit._text import (
    WIDTH,
    decimals_for,
    fmt_at,
    money,
    number,
    percent,
    round_to_uncertainty,
    value_pm,
)


@pytest.mark.parametrize(("value", "se", "unit", "text"), [
    (1935.50, 21.0, "USD", "$1,936 ± 21"),
    (2.31, 0.0627, "USD", "$2.310 ± 0.063"),
    (2525.23, 8.19, "USD", "$2,525.2 ± 8.2"),
    (389_003.0, 130.4, "", "389,000 ± 130"),
    (221_924.0, 744.0, "", "221,920 ± 740"),
    (0.722, 0.00448, "", "0.7220 ± 0.0045"),
    (12.0, 0.0, "", "12 ± 0"),
    (1_234_567.0, 9.96, "", "1,234,567 ± 10"),   # 9.96 to two digits is 10
    (-5.04, 0.31, "USD", "-$5.04 ± 0.31"),
])
def test_value_pm_keeps_two_significant_digits_on_the_uncertainty(value, se, unit,
                                                                   text):
    assert value_pm(value, se, unit) == text


@pytest.mark.parametrize("se", [0.00123, 0.0627, 0.5, 1.0, 9.96, 21.0, 130.4, 7.3e5])
def test_rounded_uncertainty_has_two_significant_digits(se):
    _, r, d = round_to_uncertainty(1.0, se)
    digits = f"{r:.{max(d, 0)}f}".replace(".", "").lstrip("0")
    digits = digits[:len(digits) + min(d, 0)] if d < 0 else digits
    assert len(digits) == 2, (se, r, d)
    assert abs(r - se) <= 0.5 * 10.0 ** -d + 1e-12


def test_value_is_rounded_to_the_uncertainty_place():
    v, e, d = round_to_uncertainty(1935.5, 21.0)
    assert (v, e, d) == (1936.0, 21.0, 0)
    v, e, d = round_to_uncertainty(2.3167, 0.0627)
    assert (v, e, d) == (2.317, 0.063, 3)
    assert decimals_for(0) is None and decimals_for(math.inf) is None


def test_thousands_separators_everywhere():
    assert number(28102.0) == "28,102"
    assert money(1_234_567.891) == "$1,234,568"
    assert fmt_at(1_234_567.891, 2.0, "USD") == "$1,234,568"
    assert value_pm(12_345.6, 0.78) == "12,345.60 ± 0.78"


def test_fmt_at_never_prints_more_than_a_default_value_needs():
    assert fmt_at(461.13, 2.2, "USD") == "$461"
    assert fmt_at(213.0, 1.0) == "213"
    assert fmt_at(7.123456, 0.0001, "USD") == "$7.12"


def test_percent():
    assert percent(0.722) == "72%"
    assert percent(0.722, 0.0045) == "72.20 ± 0.45%"
    assert percent(0.9996) == ">99.9%"
    assert percent(None) == "n/a"


def test_table_fits_the_budget_by_dropping_optional_columns():
    head = ["name", "a", "b", "c", "d"]
    rows = [["x" * 20, "1" * 20, "2" * 20, "3" * 20, "4" * 20]]
    lines, dropped = table(head, rows, optional=[2, 3])
    assert dropped == ["b", "c"]
    assert max(map(len, lines)) <= WIDTH
    wide, dropped = table(head, rows, optional=[2, 3], wide=True)
    assert dropped == [] and max(map(len, wide)) > WIDTH


def test_table_shortens_a_long_label_column_last():
    lines, _ = table(["label", "v"], [["y" * 100, "1"]])
    assert max(map(len, lines)) <= WIDTH
    assert lines[2].startswith("y") and "…" in lines[2]
    lines, _ = table(["a", "b"], [["x" * 40, "z" * 39]])  # one space apart: fits
    assert lines[2] == "x" * 40 + " " + "z" * 39
