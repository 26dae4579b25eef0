"""The writer process of the kill -9 tests: it forks children that rewrite a store until killed.

Started as ``python -m tests.durability_worker KIND FOLDER`` (``KIND`` is
``poi``, ``events`` or ``itinerary``), it imports the program once, makes the
two states of the store (A and B) and answers commands on stdin, one per
line:

``fork``
    fork a child that writes the store again and again, state A then B then
    A..., through the same code as ``cremona-bike poi import``, ``events
    import`` and ``itinerary plan``; answer its pid. The test kills it with
    SIGKILL at a random moment.
``reap PID``
    wait for that child and answer how it ended (``-9`` for a kill).

Forking a process that has everything imported makes a kill cost milliseconds,
so dozens of kills fit in seconds. :func:`store_state` tells which state a
store folder holds after a kill, reading it back with the program's own readers.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from gis_data import settings

if TYPE_CHECKING:
    from collections.abc import Callable

KINDS = ("poi", "events", "itinerary")
#: Records per registry or calendar: enough that a store write takes a few milliseconds.
RECORDS = 1000
CENTRE_GRAPH = Path(__file__).parent / "data" / "graph_cremona_centre.geojson"


def store_path(kind: str, folder: Path) -> Path:
    """Return the file whose state is checked: the POI store, the events store or ``itinerary.json``."""
    return {
        "poi": folder / "store" / "poi_store.geojson",
        "events": folder / "store" / "events_store.csv",
        "itinerary": folder / "trip" / "itinerary.json",
    }[kind]


def _registry(folder: Path, state: str) -> Path:
    path = folder / f"registry-{state}.csv"
    rows = [f"poi-{n:05d},{'Museo' if state == 'A' else 'Bottega'} {n},museum,45.13,10.02" for n in range(RECORDS)]
    path.write_text("id,name,category,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _calendar(folder: Path, state: str) -> Path:
    path = folder / f"events-{state}.csv"
    rows = [f"ev-{n:05d},{'Sagra' if state == 'A' else 'Fiera'} {n},Crema,2026-06-01" for n in range(RECORDS)]
    path.write_text("id,name,comune,start_date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _itineraries() -> dict[str, Any]:
    from gis_data.network import load_network
    from routing.itinerary import Stop
    from routing.itinerary_doc import ItineraryRequest
    from routing.itinerary_plan import plan_itinerary

    G = load_network(settings.default_network)
    duomo = Stop("duomo", "Piazza del Comune", 45.1334, 10.0246)
    station = Stop("station", "Stazione di Cremona", 45.1433, 10.0180)
    return {
        "A": plan_itinerary(G, ItineraryRequest(kind="tour", start=duomo, visits=(station,))),
        "B": plan_itinerary(G, ItineraryRequest(kind="tour", start=station, visits=(duomo,), loop=True)),
    }


def make_writer(kind: str, folder: Path) -> Callable[[str], None]:
    """Return a function that writes state ``"A"`` or ``"B"`` of the store, as the CLI does."""
    if kind == "itinerary":
        from cli.itinerary import write_itinerary

        planned = _itineraries()
        return lambda state: write_itinerary(planned[state], folder / "trip")
    from cli.main import cli

    source = _registry if kind == "poi" else _calendar
    files = {state: str(source(folder, state)) for state in "AB"}
    command = ["poi", "import", "--data", str(CENTRE_GRAPH)] if kind == "poi" else ["events", "import"]
    return lambda state: cli.main([*command, files[state]], standalone_mode=False)


def normalized(kind: str, path: Path) -> str:
    """Read a store back with the program's readers and return what must equal state A or B."""
    if kind == "poi":
        from poi.registry import load_store

        if len(load_store(path)) != RECORDS:  # load_store raises on a bad record
            raise ValueError("the POI store lost records")
        return path.read_text(encoding="utf-8")
    if kind == "events":
        from poi.events_data import read_event_table

        report = read_event_table(path, source="store", licence="test")
        if not report.ok or len(report.events) != RECORDS:
            raise ValueError(f"the events store has problems or lost events: {report.problems[:1]}")
        return path.read_text(encoding="utf-8")
    from gis_data.gpx_import import read_gpx
    from routing.itinerary_doc import request_from_document

    doc = json.loads(path.read_text(encoding="utf-8"))
    request_from_document(doc)
    read_gpx(path.with_name("itinerary.gpx"))  # written just before or after: must parse too
    doc.pop("created")
    return json.dumps(doc, sort_keys=True)


def expected_states(folder: Path) -> dict[str, str]:
    """Return the normalized content of states A and B, as written at the worker's start."""
    states: dict[str, str] = json.loads((folder / "states.json").read_text(encoding="utf-8"))
    return states


def store_state(kind: str, folder: Path) -> tuple[str, int]:
    """Return which state the store holds and how many temporary files the killed write left.

    The state is ``"A"``, ``"B"`` or ``"corrupt: <why>"``. The temporary files
    are removed, so that the next kill is counted afresh.
    """
    path = store_path(kind, folder)
    leftovers = list(path.parent.glob(".*.tmp"))
    for leftover in leftovers:
        leftover.unlink()
    try:
        text = normalized(kind, path)
    except Exception as exc:  # a corrupt store is what the test looks for: report it, whatever it is
        return f"corrupt: {type(exc).__name__}: {exc}"[:300], len(leftovers)
    states = expected_states(folder)
    found = [name for name, content in states.items() if content == text]
    return (found[0] if found else "corrupt: neither state A nor B"), len(leftovers)


def _child(write: Callable[[str], None]) -> None:
    try:
        n = 0
        while True:
            write("AB"[n % 2])
            n += 1
    finally:
        os._exit(0)


def main() -> None:
    """Prepare the states, say how long one write takes, then serve ``fork`` and ``reap``."""
    kind, folder = sys.argv[1], Path(sys.argv[2])
    # The answers go to the real stdout; what the commands print goes nowhere.
    answers = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    settings.poi_store = store_path("poi", folder)
    settings.events_store = store_path("events", folder)
    write = make_writer(kind, folder)
    states = {}
    started = time.perf_counter()
    for state in "AB":
        write(state)
        states[state] = normalized(kind, store_path(kind, folder))
    cycle_s = (time.perf_counter() - started) / 2
    (folder / "states.json").write_text(json.dumps(states), encoding="utf-8")
    print(json.dumps({"cycle_s": cycle_s}), file=answers, flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "fork":
            pid = os.fork()
            if pid == 0:
                _child(write)
            print(pid, file=answers, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(os.waitstatus_to_exitcode(status), file=answers, flush=True)
        else:
            break


if __name__ == "__main__":
    main()
