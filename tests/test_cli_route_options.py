from __future__ import annotations

import json
from typing import TYPE_CHECKING

from click.testing import CliRunner

from cli.main import cli
from gis_data.gpx import validate_gpx_schema
from routing import plan_route
from tests.conftest import GPX_SCHEMA
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

DATA = ["--data", str(LIECHTENSTEIN)]
BALZERS = "47.0667,9.5000"
RUGGELL = "47.2398,9.5263"


def test_profile_and_explain() -> None:
    result = CliRunner().invoke(cli, ["route", BALZERS, RUGGELL, *DATA, "--profile", "family", "--explain"])
    assert result.exit_code == 0, result.output
    assert "profile: family" in result.stderr
    assert "speed factor  way" in result.stderr
    assert "10 Rheindammradweg" in result.stderr
    feature = json.loads(result.stdout)
    assert feature["properties"]["profile"] == "family"
    assert feature["properties"]["segments"][0]["start_km"] == 0


def test_unknown_profile_and_bad_profile_file(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli, ["route", BALZERS, RUGGELL, *DATA, "--profile", "racing"])
    assert unknown.exit_code == 1
    assert "Unknown profile 'racing'; allowed: touring, road, gravel, family" in unknown.stderr
    bad = tmp_path / "mine.toml"
    bad.write_text("[road_factor]\nautostrada = 3\n")
    result = runner.invoke(cli, ["route", BALZERS, RUGGELL, *DATA, "--profile-file", str(bad)])
    assert result.exit_code == 1
    assert "Unknown road_factor entry 'autostrada'; allowed: trunk" in result.stderr
    assert "Traceback" not in result.output


def test_alternatives_are_written_next_to_the_route(tmp_path: Path) -> None:
    out = tmp_path / "vaduz.gpx"
    result = CliRunner().invoke(cli, ["route", "Vaduz", "Schaan", *DATA, "--alternatives", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = [out, tmp_path / "vaduz-alt1.gpx", tmp_path / "vaduz-alt2.gpx"]
    for path in files:
        assert validate_gpx_schema(path.read_bytes(), GPX_SCHEMA) == []
    assert result.stderr.count("alternative ") == 2


def test_closure_in_force_is_avoided_and_named(tmp_path: Path, liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    best = plan_route(liechtenstein_graph, [(47.0667, 9.5000), (47.2398, 9.5263)])
    mid = best.geometry.interpolate(0.5, normalized=True)
    closures = tmp_path / "chiusure.geojson"
    square = [
        [mid.x - 0.001, mid.y - 0.001],
        [mid.x + 0.001, mid.y - 0.001],
        [mid.x + 0.001, mid.y + 0.001],
        [mid.x - 0.001, mid.y + 0.001],
        [mid.x - 0.001, mid.y - 0.001],
    ]
    closures.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                        "properties": {
                            "name": "Argine del Moso",
                            "start": "10-01",
                            "end": "01-31",
                            "reason": "caccia",
                        },
                    }
                ],
            }
        )
    )
    args = ["route", BALZERS, RUGGELL, *DATA, "--closures", str(closures)]
    winter = CliRunner().invoke(cli, [*args, "--date", "2026-11-15"])
    summer = CliRunner().invoke(cli, [*args, "--date", "2026-07-15"])
    assert winter.exit_code == summer.exit_code == 0
    assert "Avoided closure: Argine del Moso (10-01 to 01-31): caccia" in winter.stderr
    assert "Avoided closure" not in summer.stderr
    assert json.loads(winter.stdout)["geometry"] != json.loads(summer.stdout)["geometry"]


def test_cues_in_italian_and_as_gpx_waypoints(tmp_path: Path) -> None:
    out = tmp_path / "cues.gpx"
    result = CliRunner().invoke(
        cli, ["route", "Via Palestro", "Stazione di Cremona", "--cues", "--lang", "it", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "al km 0,0 partenza" in result.stderr
    xml = out.read_bytes()
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    assert xml.count(b"<type>cue</type>") >= 1
