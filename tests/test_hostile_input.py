"""Hostile files and values given to every command that reads untrusted input (issue 9).

The corpus is made by :mod:`tests.hostile_corpus` in a temporary folder. Every
case runs in-process through click's runner (exit status, one ``Error:`` line
naming the file or value, no traceback, nothing of ``/etc/passwd`` printed);
the heavy ones also run as real subprocesses, whose wall time and peak memory
must stay within generous bounds. ``python -m tests.hostile_corpus`` prints
the full measured table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from cli.main import cli
from gis_data import settings
from gis_data.errors import InvalidGPXError
from gis_data.gpx_import import parse_gpx
from tests.hostile_corpus import CASES
from tests.hostile_corpus import GPX_HEAD
from tests.hostile_corpus import GPX_TAIL
from tests.hostile_corpus import VALIDATE_SUMMARY
from tests.hostile_corpus import Case
from tests.hostile_corpus import cli_env
from tests.hostile_corpus import make_corpus
from tests.hostile_corpus import run_all
from tests.hostile_corpus import run_measured

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Generous bounds for one refused input, checked where the work is deterministic.
MAX_SECONDS = 30.0
MAX_PEAK_MB = 1024.0
#: What a leak of /etc/passwd would print.
PASSWD_MARK = "root:x:0:0"
#: The README of tests/data/hostile/: the folder holds no files, the tests make them.
README = Path(__file__).parent / "data" / "hostile" / "README.md"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = make_corpus(tmp_path_factory.mktemp("hostile"))
    yield folder
    # 450 MB of files: do not keep them for pytest's last three runs.
    for path in folder.iterdir():
        path.unlink()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.delenv("CREMONA_BIKE_DATA", raising=False)
    monkeypatch.setattr(settings, "poi_store", tmp_path / "store" / "poi_store.geojson")
    monkeypatch.setattr(settings, "events_store", tmp_path / "store" / "events_store.csv")
    return CliRunner()


def check_refusal(case: Case, exit_code: int, stderr: str, stdout: str) -> None:
    """Assert what every refusal must look like: its status, one error line naming the input, no leak."""
    assert exit_code in case.exit_codes, stderr[-2000:]
    assert "Traceback" not in stderr
    assert PASSWD_MARK not in stdout + stderr
    if exit_code == 0:
        return
    last = stderr.strip().splitlines()[-1]
    assert len(last) <= 600
    if case.args[1] == "validate" and not last.startswith("Error: "):
        # The validator reports every problem on stdout, then counts them on stderr.
        assert VALIDATE_SUMMARY in last
        assert stdout.startswith("error ")
        assert case.expect in stdout
    else:
        assert last.startswith("Error: ")
        assert case.expect in last
    if case.file:
        assert ("<stdin>" if case.stdin else Path(case.file).name) in last


SUITE = [c for c in CASES if c.in_suite]


@pytest.mark.parametrize("case", SUITE, ids=[c.label for c in SUITE])
def test_hostile_input_gets_one_clear_error(case: Case, corpus: Path, runner: CliRunner, tmp_path: Path) -> None:
    argv = case.argv(corpus, tmp_path)
    if case.stdin:
        with (corpus / case.file).open("rb") as stream:
            result = runner.invoke(cli, argv, input=stream)
    else:
        result = runner.invoke(cli, argv)
    # Any exception other than click's own exit is a crash, whatever the status says.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    check_refusal(case, result.exit_code, result.stderr, result.stdout)
    if result.exit_code != 0:
        # A refused import leaves the stores as they were: here, not created at all.
        assert not Path(settings.poi_store).exists()
        assert not Path(settings.events_store).exists()


HEAVY = [c for c in CASES if c.heavy]


def test_heavy_inputs_are_refused_within_bounded_time_and_memory(corpus: Path, tmp_path: Path) -> None:
    """Run the heavy cases as real processes, two at a time, and bound each one's time and peak memory."""
    env = cli_env(tmp_path)
    assert run_measured(["data", "prepare"], env).exit_code == 0
    results = run_all(HEAVY, corpus, tmp_path, jobs=2)
    for case, result in zip(HEAVY, results, strict=True):
        check_refusal(case, result.exit_code, result.stderr, result.stdout)
        assert result.seconds < MAX_SECONDS, case.label
        assert result.peak_mb < MAX_PEAK_MB, case.label


def test_a_million_waypoints_under_a_raised_limit_stop_at_the_time_budget() -> None:
    # The CLI refuses the file by its size; past that limit the time budget is the bound.
    data = GPX_HEAD + b'<wpt lat="45.1" lon="10.0"/>\n' * 10**6 + GPX_TAIL
    with pytest.raises(InvalidGPXError, match=r"longer than the 0\.5 s budget \(reached line \d+\)"):
        parse_gpx(data, name="a.gpx", max_bytes=len(data), time_budget_s=0.5)


def test_the_hostile_folder_explains_itself() -> None:
    text = README.read_text(encoding="utf-8")
    assert "made by the tests" in text
    assert sorted(p.name for p in README.parent.iterdir()) == ["README.md"]
