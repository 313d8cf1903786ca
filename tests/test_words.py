"""Plain words in printed output (simkit/_words.py): names for every metric and
scenario key, period phrases, the headline sentence, 80 columns by default,
no code names in default output, notebook displays and JSON strings."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from simkit import _words
from simkit.cli import main
from simkit.metrics import PER_STREAM, TOTALS
from simkit._result import SimulationResult
from simkit.scenario._schema import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
PATHS = "120"

#: Every dotted scenario key, and every metric name with an underscore: none
#: may appear in default output.
CODE_NAMES = sorted(
    {f"{s}.{k}" for s, fs in SCHEMA.items() if s for k in fs}
    | {m for m in (*TOTALS, *PER_STREAM) if "_" in m}, key=len, reverse=True)


def _code_names_in(text):
    return [k for k in CODE_NAMES
            if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", text)]


def test_every_metric_has_a_name_and_a_meaning():
    for m in (*TOTALS, *PER_STREAM):
        assert m in _words.METRIC_NAMES, m
        assert _words.metric_meaning(m), m
        assert "_" not in _words.metric_name(m), m
    names = [_words.metric_name(m) for m in TOTALS]
    assert len(set(names)) == len(names)


def test_every_scenario_key_has_a_plain_name():
    for s, fields in SCHEMA.items():
        for k in fields:
            key = f"{s}.{k}" if s else k
            assert key in _words.PARAM_NAMES, key
            name = _words.param_name(key)
            assert "." not in name and "_" not in name, (key, name)


def test_period_phrases():
    assert _words.period_phrase(4, 12) == "over 4 weeks (12 LIVEs)"
    assert _words.period_phrase(1, 1) == "over 1 week (1 LIVE)"
    assert _words.per_month(700.0, 4) == pytest.approx(700.0 * 30.44 / 28)
    assert _words.per_month(700.0, 3) is None  # too short to speak of a month


def _result(seed=12345, n=2000):
    rng = np.random.default_rng(seed)
    x = rng.gamma(4.0, 600.0, size=n)
    return SimulationResult("demo", {"income_total": x},
                            metadata={"horizon_days": 28, "streams": 12, "seed": seed})


def _money(text):
    return float(text.replace("$", "").replace(",", ""))


def test_headline_numbers_are_the_summary_values():
    res = _result()
    s = res.summary(["income_total"], target=2000.0)
    line = " ".join(_words.headline(s).split())
    m = re.fullmatch(r"Over 4 weeks \(12 LIVEs\) this creator typically earns about "
                     r"(\$[\d,]+); 9 times in 10 between (\$[\d,]+) and (\$[\d,]+); "
                     r"(\d+)% chance of more than (\$[\d,]+)\.", line)
    assert m, line
    r = s["income_total"]
    assert _money(m[1]) == _words.round_sig(r.quantiles[0.5])
    assert _money(m[2]) == _words.round_sig(r.quantiles[0.05])
    assert _money(m[3]) == _words.round_sig(r.quantiles[0.95])
    assert int(m[4]) == round(100 * r.p_exceed)
    assert _money(m[5]) == 2000.0


def test_summary_default_view_fits_and_names_metrics_in_words():
    res = _result()
    text = str(res.summary(["income_total"], target=2000.0))
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "total income" in text and "income_total" not in text
    details = res.summary(["income_total"]).render(details=True)
    assert "order-statistic interval" in details and "s.e." in details


def _tags_ok(html):
    stack = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            stack.append(tag)

        def handle_endtag(self, tag):
            assert stack and stack.pop() == tag, tag

    P().feed(html)
    return not stack


def test_result_repr_is_short_and_html_parses():
    res = _result()
    assert len(repr(res)) < 300
    assert "demo" in repr(res) and "2,000 paths" in repr(res)
    html = res._repr_html_()
    assert _tags_ok(html) and "<table>" in html
    s = res.summary(["income_total"])
    assert len(repr(s)) < 300 and _tags_ok(s._repr_html_())


def test_repr_html_escapes_text():
    res = SimulationResult("<b>&", {"income_total": np.arange(10.0)})
    html = res._repr_html_()
    assert "<b>&" not in html and "&lt;b&gt;&amp;" in html


def test_to_json_without_path_returns_strict_json():
    res = SimulationResult("demo", {"gifts": np.array([1.0])})  # s.e. is NaN
    text = res.to_json()
    d = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict {c}"))
    assert d["summary"]["gifts"]["stderr"] is None


# ----- every command's default output, on the shipped scenarios ----------------
def _run(capsys, argv):
    capsys.readouterr()
    assert main(argv) == 0, argv
    return capsys.readouterr().out


def _check_plain(text, where):
    long = [line for line in text.splitlines()  # ("wrote FILES to DIR/": the user's)
            if len(line) > 80 and not line.startswith("wrote ")]
    assert not long, f"{where}: lines over 80 columns: {long[:2]}"
    found = _code_names_in(text)
    assert not found, f"{where}: code names in default output: {found}"
    terms = [w for w in ("paths", "order-statistic", "CRN ratio", "E[shortfall]",
                         "P(tie)", "s.e.", "stochastic") if w in text]
    assert not terms, f"{where}: statistical terms in default output: {terms}"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_run_and_validate_output_fits_80_columns_in_plain_words(path, capsys):
    out = _run(capsys, ["run", str(path), "--paths", PATHS, "--quiet",
                        "--target", "500"])
    _check_plain(out, f"run {path.name}")
    assert re.search(r"^Over \d+ weeks? \(\d+ LIVEs?\)", out, re.M), out[:300]
    _check_plain(_run(capsys, ["validate", str(path)]), f"validate {path.name}")


def test_run_wide_and_details_show_every_column(capsys):
    f = str(ROOT / "scenarios" / "mid_tier.toml")
    out = _run(capsys, ["run", f, "--paths", PATHS, "--quiet", "--wide"])
    assert "P25" in out and "P75" in out
    out = _run(capsys, ["run", f, "--paths", PATHS, "--quiet", "--details"])
    assert "income_total" not in out or "total income" in out
    assert "order-statistic interval" in out


def test_compare_output_fits_80_columns_in_plain_words(capsys):
    for path in SCENARIOS:
        import simkit

        if not simkit.load_scenario(path).variants:
            continue
        out = _run(capsys, ["compare", str(path), "--paths", PATHS, "--quiet"])
        _check_plain(out, f"compare {path.name}")
        assert re.search(r"^Over \d+ weeks", out, re.M), out[:300]
        det = _run(capsys, ["compare", str(path), "--paths", PATHS, "--quiet",
                            "--details"])
        assert "CRN ratio" in det and "P(tie)" in det


def test_quote_output_fits_80_columns_in_plain_words(capsys):
    f = str(ROOT / "scenarios" / "sponsorship_quote.toml")
    for by in ("stream", "day", "cumulative"):
        out = _run(capsys, ["quote", f, "--paths", PATHS, "--quiet", "--bands", by])
        _check_plain(out, f"quote --bands {by}")
    det = _run(capsys, ["quote", f, "--paths", PATHS, "--quiet", "--details"])
    assert "E[shortfall]" in det and "P(short)" in det


def test_sweep_output_fits_80_columns_in_plain_words(capsys, tmp_path):
    f = str(ROOT / "scenarios" / "micro_sweep.toml")
    out = _run(capsys, ["sweep", f, "--n", "6", "--paths", "20", "--quiet", "--out",
                        str(tmp_path)])
    _check_plain(out, "sweep")
    assert "join rate" in out


def test_run_help_explains_every_metric_once(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    from simkit._result import DEFAULT_SUMMARY_METRICS

    for m in DEFAULT_SUMMARY_METRICS:
        assert text.count(f"({m}):") == 1, m


def test_comparison_quote_and_bands_display_in_notebooks():
    from simkit.analysis import bands, compare, quote

    objs = [compare(str(ROOT / "scenarios" / "consistent_vs_adhoc.toml"), paths=60,
                    seed=1, progress=False),
            quote(str(ROOT / "scenarios" / "sponsorship_quote.toml"), paths=60, seed=1,
                  progress=False)]
    objs += [objs[1].single, bands(objs[1].simulation, "viewer_minutes", by="day")]
    for o in objs:
        assert len(repr(o)) < 300, type(o).__name__
        assert _tags_ok(o._repr_html_()), type(o).__name__
    for o in (objs[0], objs[1], objs[3]):
        json.loads(o.to_json(), parse_constant=lambda c: pytest.fail(c))


def test_fit_backtest_and_sensitivity_output_fits_80_columns_in_plain_words(
        capsys, tmp_path):
    hist = str(ROOT / "examples" / "history_mid_tier.csv")
    out = _run(capsys, ["fit", hist, "-o", str(tmp_path / "f.toml"), "--paths", "20"])
    _check_plain(out, "fit")
    assert out.startswith("From 60 LIVEs,") and "join rate" in out
    out = _run(capsys, ["backtest", hist, "--holdout", "6", "--paths", "60",
                        "--quiet"])
    _check_plain(out, "backtest")
    assert out.startswith("On the last 6 LIVEs, the 90% ranges held")
    f = str(ROOT / "scenarios" / "micro_uncertain.toml")
    for method, n in (("sobol", "8"), ("morris", "4")):
        out = _run(capsys, ["sensitivity", f, "--method", method, "--n", n,
                            "--paths", "64", "--quiet", "--out",
                            str(tmp_path / method)])
        _check_plain(out, f"sensitivity --method {method}")
        assert out.startswith("The join rate" if method == "sobol" else "Moving the")
