"""Every input mistake is one line on stderr, exit 2, no traceback, nothing written,
and every flag is checked before anything is simulated (docs/cli.md)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import simkit
from simkit.cli import main

MICRO = "scenarios/micro.toml"
_ROOT = Path(__file__).resolve().parent.parent  # for tests that change directory


def _one_line_error(capsys):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("simkit: error: "), err
    return lines[0]


@pytest.fixture
def no_simulation(monkeypatch):
    """Make every way of simulating fail loudly: a flag check that comes too late
    then shows up as an AssertionError instead of a one-line error."""

    def boom(*args, **kwargs):
        raise AssertionError("simulated before checking the flags")

    import importlib

    import simkit._report
    import simkit.analysis._sensitivity

    module = importlib.import_module("simkit._simulate")  # the package's simulate
    for name in ("simulate", "simulate_batch"):            # is the function
        monkeypatch.setattr(module, name, boom)
        monkeypatch.setattr(simkit, name, boom)
    for owner in (simkit, simkit.analysis, simkit.analysis._sensitivity):
        monkeypatch.setattr(owner, "tornado", boom)
    for owner in (simkit, simkit._report):
        monkeypatch.setattr(owner, "build_report", boom)


@pytest.fixture
def synthetic_npz(tmp_path):
    f = tmp_path / "r.npz"
    simkit.SimulationResult("demo", {"income_total": np.arange(50.0)}).save(f)
    return f


# ----- scenario files nested too deeply ------------------------------------------
def _nested_tables(n):
    return "[creator]\nfollowers = " + "{a = " * n + "1" + "}" * n + "\n"


@pytest.mark.parametrize("text, key", [
    (_nested_tables(1000), "<toml>"),                    # tomllib's RecursionError
    ("x = " + "[" * 1000 + "]" * 1000 + "\n", "<toml>"),
    (_nested_tables(100), "creator.followers"),           # parsed, then refused
    ("[variants.v." + ".".join(["a"] * 1000) + "]\nb = 1\n", "variants.v"),
    ("[variants.v.creator]\nfollowers = " + "[" * 200 + "]" * 200 + "\n",
     "variants.v"),
])
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_deeply_nested_scenario_is_one_line(tmp_path, capsys, text, key, cmd,
                                            no_simulation):
    f = tmp_path / "deep.toml"
    f.write_text(text)
    assert main([cmd, str(f)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: {f}: `{key}` must be nested at most 32 tables "
                    "or arrays deep")


def test_nesting_at_the_cap_is_not_refused_for_depth():
    from simkit.errors import ScenarioError
    from simkit.scenario._load import MAX_NESTING, _check_nesting

    ok, deep = 1, 1
    for _ in range(MAX_NESTING):
        ok = [ok]
    for _ in range(MAX_NESTING + 1):
        deep = [deep]
    _check_nesting({"x": ok[0]}, "<dict>")  # containers at depths 1..32 of the dict
    with pytest.raises(ScenarioError, match="nested at most"):
        _check_nesting({"x": deep[0]}, "<dict>")


def test_self_containing_mapping_is_refused():
    d = {"creator": {}}
    d["creator"]["followers"] = d
    with pytest.raises(simkit.ScenarioError, match="`creator.followers` must be "
                       "nested at most 32"):
        simkit.scenario_from_dict(d)


def test_deep_override_is_refused():
    sc = simkit.scenario_from_dict({})
    v = 1
    for _ in range(2000):
        v = [v]
    with pytest.raises(simkit.ScenarioError, match="`audience.join_rate` must be "
                       "nested at most 32"):
        sc.with_overrides({"audience.join_rate": v})


# ----- result files (.npz): wrong types, lying headers, zip bombs ------------------
_META = np.frombuffer(b'{"name": "x", "metadata": {}}', dtype=np.uint8)


def _save(path, **arrays):
    np.savez(path, __meta__=_META, **arrays)
    return path


@pytest.mark.parametrize("arrays, why", [
    ({"totals/gifts": np.array(["a", "b"])}, "`totals/gifts` has dtype <U1, not a "
     "real number type"),
    ({"totals/gifts": np.arange(2.0) + 1j}, "`totals/gifts` has dtype complex128"),
    ({"totals/gifts": np.zeros(2, dtype="datetime64[s]")}, "`totals/gifts` has "
     "dtype datetime64[s]"),
    ({"totals/gifts": np.zeros(2, dtype=[("a", "f8")])}, "`totals/gifts` has dtype"),
    ({"totals/gifts": np.zeros((2, 2))}, "`totals/gifts` must have 1 dimension, "
     "got shape (2, 2)"),
    ({"totals/gifts": np.zeros(2), "per_stream/gifts": np.zeros(2)},
     "`per_stream/gifts` must have 2 dimensions, got shape (2,)"),
    ({"totals/gifts": np.zeros(2), "per_stream/gifts": np.zeros((3, 4))},
     "`per_stream/gifts` has shape (3, 4), not (paths, streams) with 2 paths"),
    ({"totals/gifts": np.zeros(2), "per_stream/gifts": np.zeros((2, 4)),
      "per_stream/coins": np.zeros((2, 5))}, "not (paths, streams)"),
    ({"totals/gifts": np.zeros(2), "curves": np.zeros((2, 4))},
     "`curves` must have 3 dimensions"),
    ({"totals/gifts": np.zeros(2), "per_stream/gifts": np.zeros((2, 4)),
      "curves": np.zeros((2, 3, 9))}, "`curves` has shape (2, 3, 9), not (paths, "
     "streams, minutes) with 2 paths and 4 streams"),
])
def test_result_of_wrong_type_or_shape_is_refused(tmp_path, arrays, why):
    f = _save(tmp_path / "r.npz", **arrays)
    with pytest.raises(simkit.SimkitError) as info:
        simkit.SimulationResult.load(f)
    msg = str(info.value)
    assert msg.startswith(f"{f}: not a simkit result file: "), msg
    assert why in msg and "\n" not in msg, msg


def test_result_meta_of_wrong_type_is_refused(tmp_path):
    f = tmp_path / "r.npz"
    np.savez(f, __meta__=np.zeros(3), **{"totals/gifts": np.zeros(2)})
    with pytest.raises(simkit.SimkitError, match="`__meta__` must be 1-d uint8"):
        simkit.SimulationResult.load(f)


def test_result_of_integers_and_booleans_still_loads(tmp_path):
    f = _save(tmp_path / "r.npz", **{"totals/gifts": np.arange(3),
                                     "totals/live": np.ones(3, bool)})
    res = simkit.SimulationResult.load(f)
    assert res.paths == 3 and res["gifts"].tolist() == [0, 1, 2]


def test_plot_of_result_with_wrong_dtype_is_one_line(tmp_path, capsys):
    f = _save(tmp_path / "r.npz", **{"totals/income_total": np.array(["1", "2"])})
    png = tmp_path / "x.png"
    assert main(["plot", str(f), "--kind", "distribution", "-o", str(png)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: {f}: not a simkit result file: "
                    "`totals/income_total` has dtype <U1, not a real number type")
    assert not png.exists()


def _npy_header(shape, dtype="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # the magic string, then the header


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, chunks in members.items():
            with zf.open(name, "w", force_zip64=True) as f:
                for c in chunks:
                    f.write(c)
    return path


def _zip_bomb(path, nbytes, chunk=1 << 20):
    """A result whose totals/gifts inflates to ``nbytes`` zeros (written in 1 MiB
    pieces: the test never holds the inflated array)."""
    zero = bytes(chunk)
    return _zip(path, {
        "__meta__.npy": [_npy_header((len(_META),), "|u1"), _META.tobytes()],
        "totals/gifts.npy": [_npy_header((nbytes // 8,))]
        + [zero] * (nbytes // chunk),
    })


def test_zip_bomb_is_refused_before_inflating(tmp_path, monkeypatch, capsys):
    from simkit import config

    f = _zip_bomb(tmp_path / "bomb.npz", 64 << 20)
    assert f.stat().st_size < (1 << 20)  # 64 MiB of zeros in well under 1 MiB
    monkeypatch.setattr(config, "NPZ_MAX_BYTES", 16 << 20)

    def no_inflating(*args, **kwargs):
        raise AssertionError("inflated a member of a too-large archive")

    monkeypatch.setattr(np.lib.format, "read_array", no_inflating)
    monkeypatch.setattr(np, "load", no_inflating)
    png = tmp_path / "x.png"
    assert main(["plot", str(f), "--kind", "distribution", "-o", str(png)]) == 2
    line = _one_line_error(capsys)
    assert line.startswith(f"simkit: error: {f}: too large: its arrays take "
                           f"{(64 << 20) + 128 + 128 + len(_META):,} bytes "
                           "uncompressed, more than the limit of 16,777,216 "
                           "(simkit.config.NPZ_MAX_BYTES)"), line
    assert not png.exists()


def test_default_cap_admits_a_small_result(tmp_path):
    from simkit import config

    assert config.NPZ_MAX_BYTES >= 1 << 30  # results of a million paths load
    f = _zip_bomb(tmp_path / "zeros.npz", 1 << 20)
    assert simkit.SimulationResult.load(f).paths == (1 << 20) // 8


def test_header_claiming_more_than_the_member_holds_is_refused(tmp_path):
    """np.load would allocate the claimed array (8 TB here) before reading."""
    f = _zip(tmp_path / "liar.npz", {
        "__meta__.npy": [_npy_header((len(_META),), "|u1"), _META.tobytes()],
        "totals/gifts.npy": [_npy_header((10**12,)), bytes(64)],
    })
    with pytest.raises(simkit.SimkitError, match=r"`totals/gifts` claims shape "
                       r"\(1000000000000,\) of float64, more than the 192 bytes"):
        simkit.SimulationResult.load(f)


# ----- every flag checked before anything is simulated ---------------------------
def test_no_simulation_fixture_bites(no_simulation):
    """The fixture the tests below rely on does stop a simulation."""
    with pytest.raises(AssertionError, match="simulated before"):
        main(["run", MICRO, "--paths", "10", "--quiet"])


_COMMANDS_WITH_SCHEDULER = [
    ["run", MICRO], ["compare", "scenarios/consistent_vs_adhoc.toml"], ["quote", MICRO],
    ["plot", MICRO, "--kind", "distribution", "-o", "x.png"],
    ["report", MICRO, "-o", "x.html"], ["sweep", "scenarios/micro_sweep.toml"],
]


@pytest.mark.parametrize("address", ["notanaddress", "localhost", "tcp://", "h:0",
                                     "h:99999", "http://h:8786", "::1:8786", "h: 1"])
@pytest.mark.parametrize("cmd", _COMMANDS_WITH_SCHEDULER, ids=lambda c: c[0])
def test_scheduler_that_is_not_an_address(cmd, address, capsys, no_simulation,
                                          tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmd = [c if not c.startswith("scenarios/") else f"{_ROOT}/{c}" for c in cmd]
    assert main([*cmd, "--backend", "dask", "--scheduler", address]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: {cmd[0]}: argument --scheduler: expected a Dask "
                    "scheduler address such as tcp://host:8786 or host:8786 "
                    f"(schemes: tcp, tls, ucx, inproc, ws, wss), got {address!r}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "scheduler:8786",
                                     "tls://h.example.org:8786", "[::1]:8786",
                                     "tcp://[fe80::1%eth0]:8786", "ucx://h:13337",
                                     "inproc://10.0.0.5/1234/1", "ws://h:80"])
def test_scheduler_addresses_dask_accepts(address):
    from simkit.cli import make_parser

    args = make_parser().parse_args(["run", MICRO, "--scheduler", address])
    assert args.scheduler == address


@pytest.mark.parametrize("cmd", _COMMANDS_WITH_SCHEDULER, ids=lambda c: c[0])
def test_scheduler_without_dask_backend(cmd, capsys, no_simulation, tmp_path,
                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmd = [c if not c.startswith("scenarios/") else f"{_ROOT}/{c}" for c in cmd]
    assert main([*cmd, "--scheduler", "tcp://h:8786"]) == 2
    assert _one_line_error(capsys) == ("simkit: error: --scheduler needs --backend "
                                       "dask")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("cmd", [
    ["plot", MICRO, "--kind", "distribution"],
    ["plot", MICRO, "--kind", "tornado"],
    ["report", MICRO],
], ids=lambda c: " ".join(c[i] for i in (0, -1)))
@pytest.mark.parametrize("where, why", [
    ("missing/x.{ext}", "no directory {tmp}/missing"),
    ("afile/x.{ext}", "{tmp}/afile is not a directory"),
    ("adir", "is a directory"),
])
def test_output_file_checked_before_simulating(cmd, where, why, tmp_path, capsys,
                                               no_simulation):
    (tmp_path / "afile").write_text("keep")
    (tmp_path / "adir.png").mkdir()
    (tmp_path / "adir.html").mkdir()
    ext = "html" if cmd[0] == "report" else "png"
    where = where.format(ext=ext) + ("" if "{" in where or "." in where.format(ext=ext)
                                     else f".{ext}")
    target = tmp_path / where
    assert main([*cmd, "-o", str(target)]) == 2
    line = _one_line_error(capsys)
    assert line == f"simkit: error: -o {target}: {why.format(tmp=tmp_path)}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.html", "adir.png",
                                                          "afile"]
    assert (tmp_path / "afile").read_text() == "keep"


def test_plot_into_nonexistent_root_folder(capsys, no_simulation):
    assert main(["plot", MICRO, "--kind", "distribution", "-o",
                 "/nonexistent/x.png"]) == 2
    assert _one_line_error(capsys) == ("simkit: error: -o /nonexistent/x.png: no "
                                       "directory /nonexistent")


def test_plot_into_unwritable_folder(tmp_path, capsys, no_simulation, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):  # as in a read-only folder (root may write there)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    png = tmp_path / "x.png"
    assert main(["plot", MICRO, "--kind", "distribution", "-o", str(png)]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: -o {png}: cannot write in "
                                       f"{tmp_path} (Permission denied)")
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_device_is_refused(capsys, no_simulation):
    """A rename onto /dev/null would replace the device (for root)."""
    assert main(["report", MICRO, "-o", "/dev/null"]) == 2
    assert _one_line_error(capsys) == ("simkit: error: -o /dev/null: exists and is "
                                       "not a regular file")


@pytest.mark.parametrize("cmd", [
    ["plot", MICRO, "--kind", "distribution", "-o", "x.png"],
    ["report", MICRO, "-o", "x.html"],
    ["run", MICRO],
], ids=lambda c: c[0])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999", "usd"])
def test_target_must_be_finite(cmd, value, tmp_path, monkeypatch, capsys,
                               no_simulation):
    monkeypatch.chdir(tmp_path)
    cmd = [f"{_ROOT}/{c}" if c.startswith("scenarios/") else c for c in cmd]
    assert main([*cmd, f"--target={value}"]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: {cmd[0]}: argument --target: "
                                       f"expected a finite number, got {value!r}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, why", [
    (["--kind", "fan", "--metric", "cash_paid_out"],
     "--metric cash_paid_out: --kind fan needs a per-stream metric: "),
    (["--kind", "distribution", "--metric", "creator_share"],
     "--metric creator_share: --kind distribution needs a per-path total: "),
    (["--kind", "concurrency", "--stream", "12"],
     f"--stream 12: {MICRO} schedules 12 streams (0 to 11)"),
    (["--kind", "concurrency", "--stream", "-1"],
     "plot: argument --stream: expected a stream number >= 0, got '-1'"),
    (["--kind", "distribution", "--variant", "nosuch"], "`variants` must be one of"),
    (["--kind", "compare", "--variants", "a,nosuch"], "`variants` must be one of"),
    (["--kind", "distribution", "-o", "x.gif"], "-o x.gif: the suffix must be one "
     "of .png, .svg, .pdf"),
])
def test_plot_flags_checked_before_simulating(args, why, tmp_path, monkeypatch,
                                              capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    if "-o" not in args:
        args = [*args, "-o", "x.png"]
    assert main(["plot", f"{_ROOT}/{MICRO}", *args]) == 2
    line = _one_line_error(capsys)
    assert why.replace(MICRO, f"{_ROOT}/{MICRO}") in line, line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "why"), [
    (["--first-stream", "12"], "`first_stream` must be in [0, 11] (the scenario has "
     "12 streams), got 12"),
    (["--first-stream", "3", "--streams", "10"], "`streams` must be in [1, 9]"),
])
def test_quote_streams_past_the_schedule_refused_before_simulating(
        args, why, tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    assert main(["quote", f"{_ROOT}/scenarios/sponsorship_quote.toml", *args,
                 "--out", "q"]) == 2
    assert why in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


# ----- writing outputs: an OSError is one line naming the path --------------------
@pytest.fixture
def disk_full(monkeypatch):
    """Every temporary output file fails as on a full disk."""
    import simkit._io

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(simkit._io, "_temporary_beside", full)


def test_plot_on_a_full_disk(synthetic_npz, tmp_path, capsys, disk_full):
    png = tmp_path / "x.png"
    assert main(["plot", str(synthetic_npz), "--kind", "distribution",
                 "-o", str(png)]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: cannot write {png}: No space "
                                       "left on device")
    assert not png.exists()


def test_report_on_a_full_disk(tmp_path, capsys, disk_full):
    html = tmp_path / "r.html"
    assert main(["report", MICRO, "-o", str(html), "--paths", "20",
                 "--tornado-paths", "10", "--quiet"]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: cannot write {html}: No "
                                       "space left on device")
    assert list(tmp_path.iterdir()) == []


def test_compare_on_a_full_disk_writes_nothing(tmp_path, capsys, monkeypatch):
    import simkit._io

    real, calls = simkit._io._temporary_beside, []

    def second_fails(path):  # the set's temporary, then the writer's: it fails
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path)

    monkeypatch.setattr(simkit._io, "_temporary_beside", second_fails)
    out = tmp_path / "out"
    assert main(["compare", "scenarios/consistent_vs_adhoc.toml", "--paths", "20",
                 "--quiet", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: cannot write {out / 'compare.json'}: No space "
                    "left on device")
    assert not out.exists()


def test_sweep_on_a_full_disk(tmp_path, capsys, monkeypatch):
    import simkit._sweep

    def full(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(simkit._sweep.SweepResult, "to_csv", full)
    out = tmp_path / "out"
    assert main(["sweep", "scenarios/micro_sweep.toml", "--n", "2", "--paths", "10",
                 "--quiet", "--out", str(out)]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: cannot write "
                                       f"{out / 'sweep.csv'}: No space left on device")


def test_multi_line_message_is_printed_on_one_line(monkeypatch, capsys):
    import simkit._cli.validate as validate

    def two_lines(args):
        raise simkit.ScenarioError("a.toml", "x", "fine\nreally")

    monkeypatch.setattr(validate, "main", two_lines)
    assert main(["validate", "a.toml"]) == 2
    assert _one_line_error(capsys) == ("simkit: error: a.toml: `x` must be fine "
                                       "really")


@pytest.mark.parametrize("flag", ["--paths", "--tornado-paths"])
def test_report_needs_two_paths(flag, tmp_path, capsys, no_simulation):
    html = tmp_path / "r.html"
    assert main(["report", MICRO, "-o", str(html), flag, "1"]) == 2
    assert _one_line_error(capsys) == (f"simkit: error: report: argument {flag}: "
                                       "expected an integer >= 2, got '1'")
    assert list(tmp_path.iterdir()) == []


def test_quote_on_a_full_disk_writes_nothing(tmp_path, capsys, monkeypatch):
    import simkit._io

    real, calls = simkit._io._temporary_beside, []

    def sixth_fails(path):  # each file takes two temporaries: bands_stream.json's
        calls.append(path)
        if len(calls) == 6:
            raise OSError(28, "No space left on device")
        return real(path)

    monkeypatch.setattr(simkit._io, "_temporary_beside", sixth_fails)
    out = tmp_path / "out"
    assert main(["quote", "scenarios/sponsorship_quote.toml", "--paths", "20",
                 "--quiet", "--bands", "stream", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert line == (f"simkit: error: cannot write {out / 'bands_stream.json'}: No "
                    "space left on device")
    assert not out.exists()


# ----- regressions found by the fuzz suite (tests/test_fuzz.py) ---------------------
def test_result_with_metadata_nested_past_the_recursion_limit(tmp_path, capsys):
    """A result file whose metadata JSON nests 100,000 deep: one line, exit 2."""
    res = simkit.simulate(simkit.load_scenario(f"{_ROOT}/{MICRO}"), paths=5, seed=1,
                          progress=False)
    res.save(tmp_path / "ok.npz")
    with np.load(tmp_path / "ok.npz") as z:
        arrays = {k: z[k] for k in z.files}
    deep = '{"name": "x", "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}"
    arrays["__meta__"] = np.frombuffer(deep.encode(), dtype=np.uint8)
    np.savez(tmp_path / "deep.npz", **arrays)
    assert main(["plot", str(tmp_path / "deep.npz"), "--kind", "distribution",
                 "-o", str(tmp_path / "f.png")]) == 2
    assert "deep.npz" in _one_line_error(capsys)
    assert not (tmp_path / "f.png").exists()


def test_deeply_nested_checkpoint_manifest_is_recomputed(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "checkpoint" / "micro").mkdir(parents=True)
    (out / "checkpoint" / "micro" / "manifest.json").write_text('{"simkit": [' * 3000)
    assert main(["run", f"{_ROOT}/{MICRO}", "--paths", "5", "--quiet", "--out",
                 str(out), "--resume"]) == 0
    assert (out / "micro.npz").is_file()


def test_tiny_positive_rates_run(tmp_path, capsys):
    """Rates near the smallest double: no overflow sizing the kernel's blocks."""
    f = tmp_path / "tiny.toml"
    f.write_text("[horizon]\nweeks = 1\n[stream]\nduration_min = 30\n[creator]\n"
                 "followers = 5000\n[audience]\njoin_rate = 0.0\n"
                 "discovery_rate_per_min = 1e-307\n")
    assert main(["run", str(f), "--paths", "5", "--quiet"]) == 0


def test_sweep_of_too_few_scenarios_prints_no_nan(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text("[horizon]\nweeks = 1\n[stream]\nduration_min = 30\n[creator]\n"
                 "followers = 2000\n[sweep]\nn = 1\npaths = 2\n[sweep.params]\n"
                 '"audience.join_rate" = [0.01, 0.05]\n')
    assert main(["sweep", str(f), "--quiet", "--out", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    assert not re.search(r"\bnan\b", printed, re.I) and "n/a" in printed


def test_result_with_a_nan_is_refused_on_load(tmp_path, capsys):
    """A saved result holding a NaN (simkit never writes one): one line, exit 2,
    not a plotting traceback (fuzz finding F6)."""
    res = simkit.simulate(simkit.load_scenario(f"{_ROOT}/{MICRO}"), paths=5, seed=1,
                          progress=False)
    res.totals["income_total"][2] = np.nan
    res.save(tmp_path / "nan.npz")
    assert main(["plot", str(tmp_path / "nan.npz"), "--kind", "sources",
                 "-o", str(tmp_path / "f.png")]) == 2
    line = _one_line_error(capsys)
    assert "`income_total` is nan on path 2" in line and "nan.npz is damaged" in line
    assert not (tmp_path / "f.png").exists()


def test_sweep_of_equal_large_incomes_warns_nothing(tmp_path, monkeypatch, capsys):
    """Equal mean incomes whose spread is rounding error: the rank correlation is
    n/a, and no scipy warning reaches the user (fuzz finding F7)."""
    import shutil
    import warnings

    data = _ROOT / "tests" / "data"
    for name in ("sweep_equal_incomes.toml", "sweep_equal_incomes_cat.csv"):
        shutil.copy(data / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["sweep", "sweep_equal_incomes.toml", "--seed", "1503771",
                     "--design", "grid", "--n", "3", "--out", "o", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and "n/a" in out.out
