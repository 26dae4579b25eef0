"""Kill -9 at any moment: a store is always its old state or its new one (issue 9).

A worker process (:mod:`tests.durability_worker`) imports the program once and
forks writers that rewrite the POI store (``poi import``), the events store
(``events import``) or an itinerary folder (``itinerary plan``'s writer) in a
loop. Each is killed with SIGKILL, every other time after a random delay of up
to a few write cycles, and in between just after its temporary file appears
(so that many kills land inside the write itself), and the store is then read
back with the program's own readers. Kills that left a temporary file landed
in the middle of a write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.durability_worker import KINDS
from tests.durability_worker import store_path
from tests.durability_worker import store_state

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Kills per store: 3 stores x 15 = 45 in all.
KILLS = 15
ROOT = Path(__file__).resolve().parent.parent


class Worker:
    """Talks to a ``tests.durability_worker`` process over its stdin and stdout."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREMONA_BIKE_")}
        env["CREMONA_BIKE_CACHE"] = str(folder / "cache")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.durability_worker", kind, str(folder)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            self.cycle_s = float(json.loads(self.ask(None))["cycle_s"])
        except BaseException:
            self.close()
            raise

    def ask(self, command: str | None) -> str:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, f"the worker ended (status {self.proc.poll()})"
        return answer.strip()

    def close(self) -> None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()


def wait_for_a_write(folder: Path, timeout_s: float = 10.0) -> None:
    """Return as soon as a write's temporary file appears in ``folder``."""
    ends = time.monotonic() + timeout_s
    while time.monotonic() < ends:
        with os.scandir(folder) as entries:
            if any(e.name.startswith(".") and e.name.endswith(".tmp") for e in entries):
                return
    pytest.fail(f"no write started in {folder} within {timeout_s} s")


@pytest.fixture
def worker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Worker]:
    started = Worker(request.param, tmp_path)
    yield started
    started.close()


@pytest.mark.parametrize("worker", KINDS, indirect=True)
def test_a_store_killed_mid_write_is_the_old_or_the_new_state(worker: Worker, tmp_path: Path) -> None:
    kind = worker.kind
    rng = random.Random(f"kill -9 {kind}")
    seen: dict[str, int] = {}
    mid_write = 0
    for n in range(KILLS):
        pid = int(worker.ask("fork"))
        if n % 2:
            time.sleep(rng.uniform(0.002, 2.5 * worker.cycle_s))  # any moment
        else:
            wait_for_a_write(store_path(kind, tmp_path).parent)  # aimed at the write itself
            time.sleep(rng.uniform(0, 0.0005))
        os.kill(pid, signal.SIGKILL)
        assert worker.ask(f"reap {pid}") == str(-signal.SIGKILL)
        state, leftovers = store_state(kind, tmp_path)
        assert state in {"A", "B"}, state
        seen[state] = seen.get(state, 0) + 1
        mid_write += leftovers > 0
    # Summary for the release note (pytest -rA shows it): kills, states found, kills inside a write.
    print(
        f"{kind}: {KILLS} kills, states {seen}, {mid_write} left a temporary file (killed mid-write); "
        f"one write takes {worker.cycle_s * 1000:.0f} ms"
    )
