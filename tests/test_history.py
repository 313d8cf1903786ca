"""LIVE history input (docs/calibration.md): ``simkit.read_history`` and the bad-input
contract of ``simkit fit`` (one line naming the row and column, exit 2, nothing
written)."""

from __future__ import annotations

import numpy as np
import pytest

import simkit
from simkit.calibrate import History, parse_columns, read_history
from simkit.cli import main

HEADER = ("start,duration_min,viewers,peak_viewers,viewer_minutes,diamonds,gifters,"
          "new_followers,followers,collab")


def _rows(n=10):
    # every other day at 20:00, an hour long
    return [f"2026-03-{2 + 2 * i:02d}T20:00,60,{500 + 10 * i},90,4000,900,12,8,"
            f"{20000 + 8 * i},{'true' if i == 3 else 'false'}" for i in range(n)]


def _write(tmp_path, rows, header=HEADER, name="h.csv"):
    p = tmp_path / name
    p.write_text("\n".join(["# made by hand", header, *rows]) + "\n")
    return p


def test_reads_and_sorts(tmp_path):
    rows = _rows()
    rows[0], rows[5] = rows[5], rows[0]
    h = read_history(_write(tmp_path, rows))
    assert isinstance(h, History) and len(h) == 10
    assert np.all(np.diff(h.start.astype(np.int64)) > 0)
    assert h.viewers[0] == 500 and h.followers[-1] == 20072
    assert h.collab.tolist() == [i == 3 for i in range(10)]
    assert h.source == "h.csv"
    # 2026-03-02 is a Monday: day 0, weekday 0
    assert h.day[:3].tolist() == [0, 2, 4] and h.weekday[3] == 6
    assert h.to_schedule()[3] == {"day": 6, "hour": 20, "duration_min": 60.0,
                                  "collab": True}
    assert len(h.take(slice(2, 6))) == 4


def test_first_monday_and_hours(tmp_path):
    rows = [f"2026-03-{5 + i:02d}T{8 + i:02d}:30,30,100,20,500,0,0,1" for i in range(8)]
    h = read_history(_write(tmp_path, rows, HEADER.rsplit(",", 2)[0]))
    assert str(h.first_monday) == "2026-03-02"   # 03-05 is a Thursday
    assert h.day[0] == 3 and h.hour.tolist() == list(range(8, 16))
    assert h.followers is None and h.collab is None


def test_avg_watch_min(tmp_path):
    header = HEADER.replace("viewer_minutes", "avg_watch_min")
    rows = [r.replace(",4000,", ",7.5,") for r in _rows()]
    h = read_history(_write(tmp_path, rows, header))
    np.testing.assert_allclose(h.viewer_minutes, h.viewers * 7.5)


def test_columns_mapping(tmp_path):
    header = HEADER.replace("viewers,peak_viewers", "Total viewers,Peak")
    header = header.replace("diamonds", "Diamonds")
    p = _write(tmp_path, _rows(), header)
    h = read_history(p, columns='viewers="Total viewers",peak_viewers=Peak,'
                               'diamonds=Diamonds')
    assert h.viewers[0] == 500 and h.peak_viewers[0] == 90 and h.diamonds[0] == 900
    h2 = read_history(p, columns={"viewers": "Total viewers", "peak_viewers": "Peak",
                                  "diamonds": "Diamonds"})
    np.testing.assert_array_equal(h.viewers, h2.viewers)
    with pytest.raises(simkit.SimkitError,
                       match="required column `viewers` is missing"):
        read_history(p, columns={"peak_viewers": "Peak", "diamonds": "Diamonds"})


def test_parse_columns():
    assert parse_columns('viewers="Total, unique",diamonds=D') == {
        "viewers": "Total, unique", "diamonds": "D"}
    for bad in ("viewers", "viewers=", "nope=X"):
        with pytest.raises(simkit.SimkitError, match="--columns"):
            parse_columns(bad)


def _bad(rows=None, header=HEADER):
    return rows if rows is not None else _rows(), header


def _edit(i, col, value, n=10):
    rows = _rows(n)
    cells = rows[i].split(",")
    cells[HEADER.split(",").index(col)] = value
    rows[i] = ",".join(cells)
    return rows


#: (name, rows, header, substrings of the one-line message)
BAD = [
    ("missing column", _rows(), HEADER.replace("diamonds,", ""),
     ["required column `diamonds` is missing"]),
    ("missing viewer minutes", _rows(), HEADER.replace("viewer_minutes", "vm"),
     ["`viewer_minutes` (or `avg_watch_min`)"]),
    ("not a number", _edit(4, "viewers", "lots"), HEADER,
     ["row 5", "column `viewers`", "expected a number", "'lots'"]),
    ("not a date", _edit(2, "start", "yesterday"), HEADER,
     ["row 3", "column `start`", "ISO 8601"]),
    ("negative count", _edit(1, "new_followers", "-3"), HEADER,
     ["row 2", "column `new_followers`", "cannot be negative"]),
    ("fractional count", _edit(1, "diamonds", "2.5"), HEADER,
     ["row 2", "column `diamonds`", "whole number"]),
    ("peak above viewers", _edit(6, "peak_viewers", "9999"), HEADER,
     ["row 7", "column `peak_viewers`", "peak viewers above unique viewers"]),
    ("duplicated start", _edit(7, "start", "2026-03-02T20:00"), HEADER,
     ["row 8", "column `start`", "duplicates row 1"]),
    ("overlapping", _edit(1, "start", "2026-03-02T20:30"), HEADER,
     ["row 2", "column `start`", "overlaps row 1"]),
    ("too few", _rows(7), HEADER, ["has 7 LIVEs; at least 8 are needed"]),
    ("bad collab", _edit(0, "collab", "maybe"), HEADER,
     ["row 1", "column `collab`", "true or false"]),
    ("gifters above viewers", _edit(0, "gifters", "100000"), HEADER,
     ["row 1", "column `gifters`"]),
]


@pytest.mark.parametrize("name,rows,header,parts", BAD, ids=[b[0] for b in BAD])
def test_bad_input_one_line_exit_2(tmp_path, capsys, name, rows, header, parts):
    p = _write(tmp_path, rows, header)
    out = tmp_path / "fitted.toml"
    assert main(["fit", str(p), "-o", str(out)]) == 2
    cap = capsys.readouterr()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1, cap.err
    assert lines[0].startswith("simkit: error: h.csv")
    for part in parts:
        assert part in lines[0], lines[0]
    assert not out.exists() and cap.out == ""


def test_cli_flags_checked_before_reading(tmp_path, capsys):
    p = _write(tmp_path, _rows())
    for argv, part in [
        (["--columns", "vewers=X"], "did you mean `viewers`"),
        (["--paths", "5"], "--paths must be in [10, 100000]"),
        (["--scenario", str(tmp_path / "none.toml")], "none.toml"),
        (["-o", str(tmp_path)], "is a directory"),
        (["-o", str(tmp_path / "x.json")], "expected a .toml file name"),
    ]:
        o = ["-o", str(tmp_path / "f.toml")] if "-o" not in argv else []
        assert main(["fit", str(p), *o, *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and part in err[0], err
    assert not (tmp_path / "f.toml").exists()
    missing = str(tmp_path / "missing.csv")
    assert main(["fit", missing, "-o", str(tmp_path / "f.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_fit_with_mapped_export(tmp_path, capsys):
    # an analytics export: other headers, average watch time instead of minutes
    header = ("Start time,Duration,Total viewers,Peak,Avg watch,Diamonds,Gifters,"
              "New followers")
    rows = [f"2026-03-{2 + 2 * i:02d}T{18 + i % 4}:00,60,{400 + 37 * (i % 5) + 20 * i},"
            f"90,7.5,{900 + 50 * i},12,{5 + i % 3}" for i in range(10)]
    p = _write(tmp_path, rows, header)
    out = tmp_path / "fitted.toml"
    cols = ('start="Start time",duration_min=Duration,viewers="Total viewers",'
            'peak_viewers=Peak,avg_watch_min="Avg watch",diamonds=Diamonds,'
            'gifters=Gifters,new_followers="New followers"')
    argv = ["fit", str(p), "-o", str(out), "--columns", cols, "--paths", "20"]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("From 10 LIVEs, this creator's audience")
    sc = simkit.load_scenario(out)
    assert "dwell.median_min" in sc.uncertain
