"""Every input mistake is one line on stderr, exit 2, no traceback, nothing written,
and every flag is checked before anything is simulated (issue 9, item 6)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import simkit
from simkit.cli import main

MICRO = "scenarios/micro.toml"


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

    import simkit.analysis.sensitivity
    import simkit.report

    module = importlib.import_module("simkit.simulate")  # the package's simulate
    for name in ("simulate", "simulate_batch"):            # is the function
        monkeypatch.setattr(module, name, boom)
        monkeypatch.setattr(simkit, name, boom)
    monkeypatch.setattr(simkit.analysis.sensitivity, "tornado", boom)
    monkeypatch.setattr(simkit.report, "build_report", boom)


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
