from __future__ import annotations

import ctypes
import datetime as dt
import json
import re
from typing import TYPE_CHECKING
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from click.testing import CliRunner

from cli.poi import all_pois
from cli.sheet import sheet
from poi import default_pois
from poi.model import opening_state
from routing.cue_text import cue_instruction
from routing.cue_text import format_km
from routing.cues import route_cues
from routing.errors import LanguageError
from routing.itinerary import Stop
from routing.itinerary import stops_from_frame
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_doc import itinerary_document
from routing.itinerary_plan import plan_itinerary
from tests.conftest import LIECHTENSTEIN
from web.errors import InfopointNotFoundError
from web.sheet_content import plan_links
from web.sheet_map import Marker
from web.sheet_map import route_map_svg
from web.sheets import sheet_html
from web.sheets import sheet_pdf

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import networkx as nx

    from routing.itinerary_plan import Itinerary

A4_PT = (595.28, 841.89)
ISSUED = dt.date(2026, 11, 25)
MUSEUMS = ("museum-museo-del-violino", "museum-museo-archeologico-san-lorenzo", "music-teatro-ponchielli")


def _hours(expression: str, when: dt.datetime, latlon: tuple[float, float]) -> str:
    return opening_state(expression, when, latlon=latlon)


def _pages(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]


def _qr_codes(pdf: bytes, page: int = 0) -> set[str]:
    image = pdfium.PdfDocument(pdf)[page].render(scale=150 / 72).to_pil()
    return {code.text for code in zxingcpp.read_barcodes(image)}


def _lines(pages: list[str]) -> list[str]:
    return [" ".join(line.split()) for text in pages for line in text.splitlines()]


@pytest.fixture(scope="module")
def pois() -> gpd.GeoDataFrame:
    return default_pois()


@pytest.fixture(scope="module")
def giro(cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame) -> Itinerary:
    """The issue's tour: from Cremona station through three museums and back, on a Tuesday morning."""
    (station,) = stops_from_frame(pois[pois["name"] == "Stazione di Cremona"])
    request = ItineraryRequest(
        kind="tour",
        start=station,
        visits=tuple(stops_from_frame(pois[pois["id"].isin(MUSEUMS)])),
        loop=True,
        depart=dt.datetime(2026, 12, 1, 9, 30),
    )
    stations = stops_from_frame(pois[pois["category"] == "railway_station"])
    return plan_itinerary(cremona_graph, request, hours=_hours, stations=stations)


@pytest.fixture(scope="module")
def sheets(giro: Itinerary, cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame) -> dict[str, bytes]:
    return {lang: sheet_pdf(giro, cremona_graph, pois, lang=lang, generated=ISSUED) for lang in ("it", "en")}


@pytest.fixture(scope="module")
def two_days(liechtenstein_graph: nx.MultiDiGraph[int]) -> tuple[Itinerary, bytes]:
    """Balzers to Ruggell and back along the Rhine, 30 km a day: two days."""
    pois = all_pois(LIECHTENSTEIN)
    balzers = Stop("balzers", "Balzers", 47.06667, 9.5, "town_centre")
    ruggell = Stop("ruggell", "Ruggell", 47.23976, 9.52629, "town_centre")
    request = ItineraryRequest(kind="tour", start=balzers, visits=(ruggell,), loop=True, km_per_day=30.0)
    stations = stops_from_frame(pois[pois["category"] == "railway_station"])
    planned = plan_itinerary(liechtenstein_graph, request, stations=stations)
    return planned, sheet_pdf(planned, liechtenstein_graph, pois, lang="en", generated=ISSUED)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_pages_are_a4(sheets: dict[str, bytes], lang: str) -> None:
    doc = pdfium.PdfDocument(sheets[lang])
    assert len(doc) == 2  # the overview, then the cue sheet
    for page in doc:
        assert page.get_size() == pytest.approx(A4_PT, abs=0.5)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_sheet_has_every_cue_line(
    sheets: dict[str, bytes], giro: Itinerary, cremona_graph: nx.MultiDiGraph[int], lang: str
) -> None:
    lines = _lines(_pages(sheets[lang]))
    cues = route_cues(giro.plan.route, cremona_graph, names=[v.stop.name for v in giro.plan.visits])
    assert len(cues) > 10
    for cue in cues:
        instruction = cue_instruction(cue, lang)
        expected = instruction[:1].upper() + instruction[1:]
        km = format_km(cue.km, lang)
        assert any(line.startswith(km) and expected in line for line in lines), (km, expected)


def test_italian_sheet_speaks_italian(sheets: dict[str, bytes]) -> None:
    text = "\n".join(_pages(sheets["it"]))
    assert "Svolta a sinistra in " in text
    assert "Indicazioni di percorso" in text
    assert "Turn left" not in text
    assert re.search(r"\b5,\d km\b", text)  # the total, with a decimal comma
    assert "martedì 1 dicembre 2026" in text


def test_english_sheet_speaks_english(sheets: dict[str, bytes]) -> None:
    text = "\n".join(_pages(sheets["en"]))
    assert "Turn left onto " in text
    assert "Svolta" not in text
    assert re.search(r"\b5\.\d km\b", text)
    assert "Tuesday, 1 December 2026" in text


@pytest.mark.parametrize("lang", ["it", "en"])
def test_sheet_has_stops_totals_contacts_and_attribution(sheets: dict[str, bytes], giro: Itinerary, lang: str) -> None:
    pages = _pages(sheets[lang])
    text = " ".join(" ".join(pages).split())
    for visit in giro.plan.visits:
        assert visit.stop.name in text
    route = giro.plan.route
    assert f"{format_km(route.length_m / 1000, lang)} km" in text
    assert "© OpenStreetMap contributors" in text
    assert all("OpenStreetMap contributors (ODbL 1.0)" in page for page in pages)  # in every page's margin
    assert "Infopoint Cremona e Provincia" in text
    assert "0372 407081" in text
    assert "+39 0372 801801" in text  # the Museo del Violino's phone, in the stop table
    arrivals = [v.arrive for v in giro.plan.visits[1:] if v.arrive is not None]
    assert arrivals
    assert all(f"{a:%H:%M}" in text for a in arrivals)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_qr_codes_decode_to_the_plan_and_its_gpx(sheets: dict[str, bytes], giro: Itinerary, lang: str) -> None:
    links = plan_links([v.stop.latlon for v in giro.plan.visits])
    assert _qr_codes(sheets[lang]) == {links.plan, links.gpx}
    assert links.plan.startswith("http://127.0.0.1:5000/?from=")


def test_saved_plan_links(giro: Itinerary, cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame) -> None:
    html = sheet_html(giro, cremona_graph, pois, lang="en", base_url="https://bike.example/", plan_id="p42")
    assert plan_links([], base_url="https://bike.example", plan_id="p42").plan == "https://bike.example/plan/p42"
    assert "Open this plan" in html


def test_fonts_are_embedded(sheets: dict[str, bytes]) -> None:
    fonts: dict[str, bool] = {}
    for page in pdfium.PdfDocument(sheets["it"]):
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
            fonts[name.value.decode()] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
    assert fonts
    assert all(fonts.values()), fonts
    assert all("DejaVu" in name for name in fonts)


def test_sheet_is_black_and_white(giro: Itinerary, cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame) -> None:
    html = sheet_html(giro, cremona_graph, pois, lang="it")
    colours = set(re.findall(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", html))
    assert colours
    for colour in colours:
        full = colour if len(colour) == 6 else "".join(c * 2 for c in colour)
        assert full[0:2] == full[2:4] == full[4:6], colour


def test_two_day_sheet_has_a_page_per_day(two_days: tuple[Itinerary, bytes]) -> None:
    planned, pdf = two_days
    assert len(planned.stages) == 2
    pages = _pages(pdf)
    day_pages = [[i for i, text in enumerate(pages) if f"Day {d} — " in text] for d in (1, 2)]
    assert all(day_pages)
    assert day_pages[0][0] != day_pages[1][0]
    assert day_pages[0][0] > 0  # after the overview
    text = " ".join(" ".join(pages).split())
    assert "Back by train: Schaan-Vaduz" in text
    assert "End of the day: km 30.0" in text
    assert "Turn-by-turn directions, day 2" in text


def test_map_draws_route_roads_stops_and_furniture(giro: Itinerary, cremona_graph: nx.MultiDiGraph[int]) -> None:
    route = giro.plan.route
    svg = route_map_svg(
        cremona_graph,
        route.geometry,
        length_m=route.length_m,
        markers=[Marker(45.1321, 10.0227, "stop", "2"), Marker(45.1330, 10.0240, "drinking_water")],
    )
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert 'stroke="#000" stroke-width="0.9"' in svg  # the route
    assert svg.count("<path") >= 4  # roads by class, the route's casing and line
    assert ">2</text>" in svg  # the stop's number
    assert "© OpenStreetMap contributors" in svg
    assert ">N</text>" in svg
    assert re.search(r">\d+ m</text>|>\d+ km</text>", svg)  # the scale bar


def test_unknown_infopoint_and_language(giro: Itinerary, cremona_graph: nx.MultiDiGraph[int], pois: Any) -> None:
    with pytest.raises(InfopointNotFoundError, match="infopoint-crema"):
        sheet_html(giro, cremona_graph, pois, infopoint="nowhere")
    with pytest.raises(LanguageError):
        sheet_html(giro, cremona_graph, pois, lang="de")
    html = sheet_html(giro, cremona_graph, pois, infopoint="infopoint-crema")
    assert "Pro Loco Crema" in html


def _document(planned: Itinerary, path: Path) -> Path:
    doc = itinerary_document(planned.request, planned.plan, planned.stages, notes=planned.notes)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_cli_prints_a_sheet(giro: Itinerary, tmp_path: Path) -> None:
    doc = _document(giro, tmp_path / "itinerary.json")
    out = tmp_path / "sheet.pdf"
    result = CliRunner().invoke(sheet, [str(doc), "-o", str(out), "--lang", "en", "--base-url", "http://b.example"])
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert all(code.startswith("http://b.example/") for code in _qr_codes(pdf))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--infopoint", "nowhere"], "No infopoint with id 'nowhere'"),
        (["--lang", "de"], "Invalid value for '--lang'"),
    ],
)
def test_cli_errors(giro: Itinerary, tmp_path: Path, args: list[str], message: str) -> None:
    doc = _document(giro, tmp_path / "itinerary.json")
    result = CliRunner().invoke(sheet, [str(doc), "-o", str(tmp_path / "x.pdf"), *args])
    assert result.exit_code in {1, 2}
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_a_document_that_is_not_an_itinerary(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "geojson"}), encoding="utf-8")
    result = CliRunner().invoke(sheet, [str(bad), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot read")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()
