"""What's on along the trip in the web planner's API: a real Cremona tour on the Festa del Torrone weekend."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import pytest

from tests.conftest import empty_user_stores
from web import create_app
from web.plans import close_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask
    from flask.testing import FlaskClient

#: From Cremona station to the Museo del Violino and back, leaving on Saturday 21 November 2026.
TOUR = {
    "kind": "tour",
    "from": "Stazione di Cremona",
    "via": "poi:museum-museo-del-violino",
    "return": "1",
    "depart": "2026-11-21T09:30",
}
URL = "/api/itinerary/events"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("events-web")
    with empty_user_stores(folder):  # the curated calendar only, not the user's imports
        app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{folder / 'plans.sqlite'}"})
        yield app
        close_store(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def events(client: FlaskClient, status: int = 200, **args: str) -> Any:
    resp = client.get(URL, query_string={**TOUR, **args})
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()


def test_festa_del_torrone_on_the_weekend(client: FlaskClient) -> None:
    answer = events(client, end="2026-11-22")
    assert (answer["start"], answer["end"], answer["within_m"]) == ("2026-11-21", "2026-11-22", 2000.0)
    (torrone,) = answer["events"]
    assert torrone["name"] == "Festa del Torrone 2026"
    assert (torrone["start"], torrone["end"]) == ("2026-11-07", "2026-11-22")
    assert torrone["venue"] == "Centro storico"
    assert torrone["distance_m"] == pytest.approx(112, abs=30)  # Cremona's centre, just off the route
    assert torrone["website"] == "festadeltorrone.com"
    assert torrone["source"] == "curated-pois-cremona"
    assert torrone["licence"]
    recurring = {e["name"]: e["usual_period"] for e in answer["recurring"]}
    assert recurring["Festa di Sant'Omobono (patrono di Cremona)"] == "13 November every year"
    assert all(e["distance_m"] is None and e["start"] is None for e in answer["recurring"])


def test_days_come_from_the_departure_and_the_days_of_the_trip(client: FlaskClient) -> None:
    answer = events(client, days="2")
    assert (answer["start"], answer["end"]) == ("2026-11-21", "2026-11-22")
    assert [e["id"] for e in answer["events"]] == ["event-festa-del-torrone-2026"]


def test_a_route_with_a_start_date(client: FlaskClient) -> None:
    resp = client.get(URL, query_string={"from": "Stazione di Cremona", "to": "Via Palestro", "start": "2026-11-08"})
    assert resp.status_code == 200
    assert [e["id"] for e in resp.get_json()["events"]] == ["event-festa-del-torrone-2026"]


def test_nothing_on_other_days_or_farther_away(client: FlaskClient) -> None:
    assert events(client, start="2026-12-01")["events"] == []  # the festival is over
    assert events(client, within="50")["events"] == []  # 50 m is nearer than the town centre


@pytest.mark.parametrize(
    ("args", "parameter", "value"),
    [
        ({"start": "2026-11-31"}, "start", "2026-11-31"),
        ({"start": "21/11/2026"}, "start", "21/11/2026"),
        ({"end": "tomorrow"}, "end", "tomorrow"),
        ({"end": "2026-11-20"}, "end", "2026-11-20"),
        ({"end": "2027-01-30"}, "end", "2027-01-30"),
        ({"within": "far"}, "within", "far"),
        ({"within": "-5"}, "within", "-5"),
        ({"within": "50000"}, "within", "50000"),
        ({"depart": ""}, "start", "YYYY-MM-DD"),
    ],
)
def test_bad_values_are_400_naming_them(client: FlaskClient, args: dict[str, str], parameter: str, value: str) -> None:
    answer = events(client, 400, **args)
    assert answer["parameter"] == parameter
    assert value in answer["error"]


def test_openapi_describes_the_endpoint(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    names = [p.get("name") for p in doc["paths"][URL]["get"]["parameters"]]
    assert {"start", "end", "within"} <= set(names)
    assert "TripEvents" in doc["components"]["schemas"]
