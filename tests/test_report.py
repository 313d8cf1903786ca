"""Tests of the HTML report (simkit.report) and the ``report``/``plot`` commands."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simkit  # noqa: E402
from simkit.cli import main  # noqa: E402
from simkit.errors import SimkitError  # noqa: E402
from simkit.plotting._style import format_value  # noqa: E402
from simkit.report import SECTION_IDS, build_report  # noqa: E402

SEED = 12345
PATHS = 120
MICRO = "scenarios/micro.toml"
TORNADO = {"audience.join_rate": (0.02, 0.04), "money.creator_share": (0.4, 0.6)}


class _Doc(HTMLParser):
    """Collect what the report contains: sections, headings, images, links, tables."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.links, self.tables = [], [], [], 0
        self.scripts, self.h2, self.cells = 0, [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "img":
            self.images.append((self.sections[-1] if self.sections else None, a))
        elif tag in ("a", "link"):
            self.links.append(a.get("href", ""))
        elif tag == "table":
            self.tables += 1
        elif tag == "script":
            self.scripts += 1
        elif tag in ("h2", "td"):
            self._in = tag
            if tag == "td":
                self.cells.append("")
        for k, v in a.items():
            if k in ("src", "href") and v and v.split(":", 1)[0] in ("http", "https"):
                self.links.append(v)

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.h2.append(data)
        elif self._in == "td":
            self.cells[-1] += data


def parse(path):
    doc = _Doc()
    doc.feed(path.read_text(encoding="utf-8"))
    doc.close()
    return doc


def decode_png(src):
    assert src.startswith("data:image/png;base64,")
    data = base64.b64decode(src.split(",", 1)[1], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    return imread(io.BytesIO(data), format="png")


def not_one_colour(img, minimum=20):
    """At least ``minimum`` distinct RGB colours (a blank page has 1)."""
    rgb = np.round(np.asarray(img)[..., :3] * 255).astype(np.int64).reshape(-1, 3)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    return np.unique(packed).size >= minimum


@pytest.fixture(scope="module")
def full_scenario():
    """micro plus one variant and a sponsorship table: every section applies."""
    with open(MICRO, "rb") as fh:
        d = tomllib.load(fh)
    d["variants"] = {"long": {"stream": {"duration_min": 150}}}
    d["sponsorship"] = {"deliverable": "viewer_minutes", "streams": 3,
                        "first_stream": 1, "cpm_usd": 16.0}
    return simkit.scenario_from_dict(d)


@pytest.fixture(scope="module")
def full_report(full_scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "sub" / "full.html"
    path = build_report(full_scenario, paths=PATHS, seed=SEED, out_path=out,
                        tornado_params=TORNADO, tornado_paths=60, target=400.0,
                        progress=False)
    return path


def test_every_section_and_image(full_report):
    doc = parse(full_report)
    assert doc.sections == list(SECTION_IDS)
    per_section = {}
    for sec, attrs in doc.images:
        per_section[sec] = per_section.get(sec, 0) + 1
        assert attrs.get("alt"), "every image has alt text"
        img = decode_png(attrs["src"])
        assert not_one_colour(img)
    expected = {"income-sources": 1, "distribution": 1, "fan-chart": 2,
                "concurrency": 2, "tornado": 1, "comparison": 2, "sponsorship": 3}
    assert per_section == expected
    assert doc.tables >= 8
    for h in ("Summary", "Income sources", "Comparison of variants",
              "Sponsorship quote", "Sensitivity (tornado)"):
        assert h in doc.h2


def test_self_contained(full_report):
    doc = parse(full_report)
    assert doc.scripts == 0
    assert not [u for u in doc.links if not u.startswith("#")], "external reference"
    anchors = {u[1:] for u in doc.links}
    assert anchors == set(doc.sections)  # the navigation reaches every section
    text = full_report.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text


def test_numbers_match_a_simulation_with_the_same_seed(full_scenario, full_report):
    # Reproducibility: the summary table shows what simulate() gives for the
    # same scenario, paths and seed.
    res = simkit.simulate(full_scenario, paths=PATHS, seed=SEED)
    cells = parse(full_report).cells
    i = cells.index("income_total")
    assert cells[i + 2] == format_value(res["income_total"].mean(), "income_total")
    p = np.mean(res["income_total"] > 400.0)
    assert f"= {p:.3f} ±" in full_report.read_text(encoding="utf-8")


def test_atomic_write_leaves_no_temporary(full_report):
    leftovers = [p.name for p in full_report.parent.iterdir() if p.name != "full.html"]
    assert leftovers == []


def test_sections_depend_on_the_scenario(tmp_path):
    out = build_report(MICRO, paths=60, seed=SEED, out_path=tmp_path / "m.html",
                       tornado_params={"audience.join_rate": (0.02, 0.04)},
                       sections=["summary", "distribution", "comparison",
                                 "sponsorship"], progress=False)
    doc = parse(out)
    # micro defines neither variants nor sponsorship: those sections are absent
    assert doc.sections == ["summary", "distribution"]
    assert len(doc.images) == 1


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"sections": ["nope"]}, "`sections` must be among"),
    ({"paths": 1}, "`paths` must be"),
    ({"tornado_paths": 0}, "`tornado_paths`"),
    ({"scenario": 3}, "`scenario` must be"),
])
def test_errors(tmp_path, kwargs, match):
    kw = {"scenario": MICRO, "paths": 10, "seed": 0, "out_path": tmp_path / "x.html"}
    kw.update(kwargs)
    with pytest.raises(SimkitError, match=match):
        build_report(kw.pop("scenario"), **kw)
    assert not (tmp_path / "x.html").exists()
    with pytest.raises(SimkitError, match="is a directory"):
        build_report(MICRO, paths=10, seed=0, out_path=tmp_path)


# ----- command line ------------------------------------------------------------------

def test_cli_report(tmp_path, capsys):
    out = tmp_path / "r.html"
    rc = main(["report", MICRO, "-o", str(out), "--paths", "60", "--tornado-paths",
               "20", "--seed", "3", "--quiet"])
    assert rc == 0
    assert f"wrote {out}" in capsys.readouterr().out
    doc = parse(out)
    assert doc.sections == ["summary", "income-sources", "distribution", "fan-chart",
                            "concurrency", "tornado"]


def test_cli_report_errors(tmp_path, capsys):
    assert main(["report", "nope.toml", "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simkit: error:") and err.count("\n") == 1
    assert main(["report", MICRO]) == 2  # -o is required
    assert "-o/--output" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["distribution", "fan", "concurrency", "sources"])
def test_cli_plot_kinds(kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.svg"
    rc = main(["plot", MICRO, "--kind", kind, "-o", str(out), "--paths", "40",
               "--quiet"])
    assert rc == 0, capsys.readouterr().err
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_cli_plot_compare_tornado_png(tmp_path, full_scenario):
    cva = "scenarios/consistent_vs_adhoc.toml"
    out = tmp_path / "cmp.png"
    assert main(["plot", cva, "--kind", "compare", "-o", str(out), "--paths", "40",
                 "--quiet"]) == 0
    from matplotlib.image import imread

    assert not_one_colour(imread(out))
    out = tmp_path / "t.pdf"
    assert main(["plot", MICRO, "--kind", "tornado", "-o", str(out), "--paths", "20",
                 "--quiet"]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"


def test_cli_plot_saved_results(tmp_path, capsys):
    a = simkit.simulate(simkit.load_scenario(MICRO), paths=30, seed=1, per_stream=True)
    b = simkit.simulate(simkit.load_scenario(MICRO).with_overrides(
        {"audience.join_rate": 0.05}), paths=30, seed=1)
    a.save(tmp_path / "a.npz")
    b.save(tmp_path / "b.npz")
    assert main(["plot", str(tmp_path / "a.npz"), str(tmp_path / "b.npz"), "--kind",
                 "compare", "-o", str(tmp_path / "c.png")]) == 0
    assert main(["plot", str(tmp_path / "a.npz"), "--kind", "fan", "-o",
                 str(tmp_path / "f.png")]) == 0
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "b.npz"), "--kind", "fan", "-o",
                 str(tmp_path / "g.png")]) == 2  # saved without per-stream metrics
    assert "per-stream" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "match"), [
    (["--kind", "fan", "-o", "x.gif"], "suffix must be one of"),
    (["--kind", "compare", "-o", "x.png"], "two or more variants"),
    (["--kind", "bogus", "-o", "x.png"], "invalid choice"),
    (["--kind", "distribution", "--metric", "day", "-o", "x.png"], "per-path total"),
])
def test_cli_plot_errors(argv, match, capsys, tmp_path):
    argv = [a if a not in ("x.gif", "x.png") else str(tmp_path / a) for a in argv]
    assert main(["plot", MICRO, *argv, "--paths", "10", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simkit: error:") and match in err
    assert not list(tmp_path.iterdir())  # nothing half-written


# ----- rendering in a browser --------------------------------------------------------

def _chromium():
    for cand in ("/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def test_report_renders_in_headless_chromium(full_report, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (looked for /usr/bin/chromium and "
                    "`chromium` on PATH)")
    shot = tmp_path / "shot.png"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,2600",
           "--hide-scrollbars", f"--screenshot={shot}", full_report.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    from matplotlib.image import imread

    img = imread(shot)
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert not_one_colour(img, minimum=50)
    # the figures were decoded and drawn: the lower part of the page (below the
    # tables) holds grey chart fills, not only white background and text
    lower = np.asarray(img)[1500:, :, :3]
    grey = np.all(np.abs(lower - lower.mean(axis=2, keepdims=True)) < 0.02, axis=2) & \
        (lower.mean(axis=2) > 0.6) & (lower.mean(axis=2) < 0.9)
    assert grey.mean() > 0.01
