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
from simkit._report import SECTION_IDS, build_report  # noqa: E402

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
    # two uncertain inputs: the Sobol' section applies
    d["habit"] = {"max_gain": {"dist": "pert", "min": 0.0, "mode": 0.3, "max": 0.6}}
    d["segments"] = {"gift_rate_scale": {"dist": "uniform", "min": 0.6, "max": 1.4}}
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
    assert doc.sections == [s for s in SECTION_IDS if s != "calibration"]  # no history
    per_section = {}
    for sec, attrs in doc.images:
        per_section[sec] = per_section.get(sec, 0) + 1
        assert attrs.get("alt"), "every image has alt text"
        img = decode_png(attrs["src"])
        assert not_one_colour(img)
    expected = {"income-sources": 1, "distribution": 1, "fan-chart": 2,
                "concurrency": 2, "tornado": 1, "sobol": 1, "comparison": 2,
                "sponsorship": 3}
    assert per_section == expected
    assert doc.tables >= 8
    for h in ("Summary", "Income sources", "Comparison of variants",
              "Sponsorship quote", "Sensitivity (tornado)",
              "Which uncertain inputs drive the spread (Sobol' indices)"):
        assert h in doc.h2


def test_sponsored_streams_legend_is_visible(full_scenario, monkeypatch):
    """The legend entry of the sponsored streams shows a grey face with a dark
    hatch and edge (it was a faceless, edgeless dotted patch: a blank)."""
    import simkit._report as report
    from matplotlib.colors import to_rgba

    drawn = []
    monkeypatch.setattr(report, "_figure",
                        lambda ax, alt, cap, **kw: drawn.append(ax) or alt)
    report._sponsorship_section(full_scenario, paths=40, seed=SEED,
                                run_kw={"progress": False})
    entries = [(t.get_text(), h) for ax in drawn if ax.get_legend() is not None
               for t, h in zip(ax.get_legend().get_texts(),
                               ax.get_legend().legend_handles, strict=True)]
    patches = [h for t, h in entries if t == "sponsored streams"]
    assert len(patches) == 1
    patch = patches[0]
    face, edge = to_rgba(patch.get_facecolor()), to_rgba(patch.get_edgecolor())
    assert face[3] == 1 and 0.85 <= min(face[:3]) and max(face[:3]) < 1  # light grey
    assert patch.get_hatch() and patch.get_linewidth() > 0
    assert edge[3] == 1 and max(edge[:3]) < 0.5  # dark: visible in black and white


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
    assert doc.sections == ["headline", "summary", "income-sources", "distribution",
                            "fan-chart", "concurrency", "tornado"]


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
    (["--kind", "compare", "-o", "x.png"], "no variants to compare"),
    (["--kind", "bogus", "-o", "x.png"], "invalid choice"),
    (["--kind", "distribution", "--metric", "day", "-o", "x.png"], "per-path total"),
])
def test_cli_plot_errors(argv, match, capsys, tmp_path):
    argv = [a if a not in ("x.gif", "x.png") else str(tmp_path / a) for a in argv]
    assert main(["plot", MICRO, *argv, "--paths", "10", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simkit: error:") and match in err
    assert not list(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize("cmd", ["plot", "report"])
def test_cli_backend_flags(cmd, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([cmd, "--help"])
    text = capsys.readouterr().out
    from simkit._cli.common import backends

    # cuda is offered only where a GPU can run it
    assert f"--backend {{{','.join(backends())}}}" in text
    assert "--scheduler ADDRESS" in text
    # a scheduler without the Dask backend is a one-line error, before any work
    out = tmp_path / "x.png"
    argv = ["--kind", "tornado", "-o", str(out)] if cmd == "plot" else ["-o", str(out)]
    assert main([cmd, MICRO, *argv, "--scheduler", "tcp://127.0.0.1:9", "--paths",
                 "5", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "simkit: error: --scheduler needs --backend dask\n"
    assert not out.exists()


# ----- rendering in a browser --------------------------------------------------------

def _chromium():
    for cand in ("/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


#: Flags of every headless Chromium call (no network, no profile left behind).
_CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--hide-scrollbars")

#: Appended to a copy of the report: once the page (images included) has loaded,
#: write its height, the top of each section and the box of each image
#: (section, top, left, width, height), in CSS pixels, into the DOM.
_GEOMETRY_SCRIPT = """<script>addEventListener("load", () => {
  const g = {height: document.documentElement.scrollHeight, images: []};
  for (const s of document.querySelectorAll("section")) g[s.id] = s.offsetTop;
  for (const i of document.images) {
    const r = i.getBoundingClientRect();
    g.images.push([i.closest("section").id, Math.round(r.top + scrollY),
                   Math.round(r.left + scrollX), Math.round(r.width),
                   Math.round(r.height)]);
  }
  const pre = document.createElement("pre");
  pre.id = "geometry"; pre.textContent = JSON.stringify(g);
  document.body.appendChild(pre);
});</script>"""


def _page_geometry(exe, report, tmp_path, width):
    """Height of the rendered report, section tops and image boxes (CSS pixels)."""
    import html
    import json
    import re

    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace(
        "</body>", _GEOMETRY_SCRIPT + "</body>"), encoding="utf-8")
    proc = subprocess.run(
        [exe, *_CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-probe'}",
         f"--window-size={width},2000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    m = re.search(r'<pre id="geometry">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert m, proc.stderr[-2000:]
    return json.loads(html.unescape(m.group(1)))


def _chart_grey(region):
    """Fraction of pixels in the light-to-mid greys of chart fills (not text)."""
    rgb = np.asarray(region)[..., :3]
    mean = rgb.mean(axis=2)
    flat = np.all(np.abs(rgb - mean[..., None]) < 0.02, axis=2)
    return float((flat & (mean > 0.6) & (mean < 0.9)).mean())


def test_report_renders_in_headless_chromium(full_report, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (looked for /usr/bin/chromium and "
                    "`chromium` on PATH)")
    width = 1100
    geom = _page_geometry(exe, full_report, tmp_path, width)
    # the report is far taller than a screen (about 9,000 px): shoot all of it
    assert geom["height"] > 4000
    shot = tmp_path / "shot.png"
    cmd = [exe, *_CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
           f"--window-size={width},{geom['height']}", f"--screenshot={shot}",
           full_report.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    from matplotlib.image import imread

    img = imread(shot)
    assert img.shape[:2] == (geom["height"], width)
    assert not_one_colour(img, minimum=50)
    # every figure was decoded and drawn, down to the end of the page (the
    # comparison and sponsorship sections are below 5,000 px): its box on the
    # screenshot is a chart (many colours, a fair share of ink), not blank
    seen = {}
    for sid, top, left, w, h in geom["images"]:
        assert w > 300 and h > 150, (sid, w, h)
        box = np.asarray(img[top:top + h, left:left + w])[..., :3]
        assert box.shape[:2] == (h, w), sid  # inside the screenshot
        assert not_one_colour(box, minimum=20), sid
        assert (box.mean(axis=2) < 0.95).mean() > 0.03, sid
        seen[sid] = seen.get(sid, 0) + 1
    assert seen == {"income-sources": 1, "distribution": 1, "fan-chart": 2,
                    "concurrency": 2, "tornado": 1, "sobol": 1, "comparison": 2,
                    "sponsorship": 3}
    # and the lower part of the page holds grey chart fills, not only white
    # background and text
    lower = img[geom["comparison"]:]
    assert lower.shape[0] > 1500
    assert _chart_grey(lower) > 0.01


def test_one_story_headline_first_and_one_base_number(full_scenario, full_report):
    # A plain-words headline opens the page, and every number comes
    # from the same simulation: the tornado's base is the summary's mean.
    doc = parse(full_report)
    assert doc.sections[0] == "headline" and doc.h2[0] == "In short"
    text = full_report.read_text(encoding="utf-8")
    head = text[text.index('<section id="headline">'):text.index("</section>")]
    assert "typically earns about $" in head and "9 times in 10" in head
    assert "What moves it most:" in head and "Where the money comes from" in head
    res = simkit.simulate(full_scenario, paths=PATHS, seed=SEED)
    mean = format_value(res["income_total"].mean(), "income_total")
    cells = doc.cells
    assert cells[cells.index("income_total") + 2] == mean
    assert f"Base mean {mean} ±" in text  # the tornado's base, the same number


def test_tornado_shifts_are_measured_on_the_first_paths(full_scenario, tmp_path):
    # The tornado runs on the first tornado_paths paths of the main run (path i is
    # the same in any run), and its chart is centred on the main run's mean.
    from simkit.analysis._sensitivity import tornado as tornado_data
    from simkit._report import _rebase

    res = simkit.simulate(full_scenario, paths=PATHS, seed=SEED)
    tr = tornado_data(full_scenario, TORNADO, paths=60, seed=SEED, progress=False)
    assert tr.base_mean == pytest.approx(res["income_total"][:60].mean(), rel=1e-12)
    rb = _rebase(tr, res)
    assert rb.base_mean == pytest.approx(res["income_total"].mean(), rel=1e-12)
    for a, b in zip(tr.entries, rb.entries):
        assert b.high_mean - rb.base_mean == pytest.approx(a.high_mean - tr.base_mean)
        assert b.low_stderr == a.low_stderr
