"""A corrupt or missing prepared graph is rebuilt from its source with a log line, through the real CLI (issue 9)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from tests.conftest import CREMONA_CENTRE

CREMONA_BIKE = str(Path(sys.executable).with_name("cremona-bike"))


def run(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREMONA_BIKE_")}
    env["CREMONA_BIKE_CACHE"] = str(cache)
    return subprocess.run([CREMONA_BIKE, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path: Path) -> None:
    path.write_bytes(random.Random(4).randbytes(path.stat().st_size))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def test_a_missing_or_damaged_prepared_graph_is_rebuilt_with_a_log_line(tmp_path: Path) -> None:
    first = run(tmp_path, "-v", "data", "info", "--data", str(CREMONA_CENTRE))
    assert first.returncode == 0, first.stderr
    assert "INFO gis_data.network: Built graph_cremona_centre.geojson in " in first.stderr
    (prepared,) = tmp_path.glob("*.cbgraph")
    for damage in (truncate, garble, empty):
        damage(prepared)
        result = run(tmp_path, "-v", "data", "info", "--data", str(CREMONA_CENTRE))
        assert result.returncode == 0, result.stderr
        assert result.stdout == first.stdout  # the same graph, rebuilt from its source
        warning = f"WARNING gis_data.network: Prepared graph {prepared} is unreadable ("
        lines = result.stderr.splitlines()
        assert any(line.startswith(warning) and line.endswith("; rebuilding") for line in lines), damage.__name__
        assert f"INFO gis_data.network: Wrote prepared graph {prepared}" in lines
        assert "Traceback" not in result.stderr
    again = run(tmp_path, "-v", "data", "info", "--data", str(CREMONA_CENTRE))
    assert "rebuilding" not in again.stderr  # the rebuilt file is good: loaded, not rebuilt
    assert "Wrote prepared graph" not in again.stderr
    assert again.stdout == first.stdout


def test_a_damaged_graph_named_directly_is_a_one_line_error(tmp_path: Path) -> None:
    # A .cbgraph given as --data has no source to rebuild from: say so, do not crash.
    broken = tmp_path / "broken.cbgraph"
    broken.write_bytes(b"CREMONA-BIKE-GRAPH\n" + b"\x80\x05garbage")
    result = run(tmp_path, "data", "info", "--data", str(broken))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: {str(broken)!r} is not a prepared graph of this version"
    assert "Traceback" not in result.stderr
