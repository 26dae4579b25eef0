"""Printable itinerary sheets: an A4 PDF in Italian or English for the Infopoint desks.

:func:`sheet_html` fills ``templates/sheet/sheet.html`` (Jinja, without a Flask
request, so that the CLI and the web planner print the same sheet) and
:func:`sheet_pdf` turns it into PDF with WeasyPrint, which embeds the DejaVu
fonts found through fontconfig.

The sheet holds the title, date, profile, distance, riding time and stops; an
overview map drawn offline (:mod:`web.sheet_map`); the stop table with km,
metres off the route, time of arrival, opening hours and phone; the surface
split, warnings and notes; the cue sheet (:mod:`routing.cues`) in the sheet's
language; for a multi-day trip a page per day with its map, stops, cues and
bail-out station; the contacts of the issuing Infopoint; and two QR codes
(segno), to the plan in the web planner and to its GPX.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import TYPE_CHECKING
from typing import Any

from babel.dates import format_date
from jinja2 import Environment
from jinja2 import PackageLoader
from jinja2 import StrictUndefined
from jinja2 import select_autoescape
from markupsafe import Markup

from gis_data import settings
from gis_data.places import reference_places
from poi.embedded import default_pois
from poi.events_data import all_events
from poi.search import pois_along
from routing.cue_text import LOCALES
from routing.cue_text import SYMBOLS
from routing.cue_text import cue_instruction
from routing.cue_text import format_km
from routing.cues import Cue
from routing.cues import route_cues
from routing.cues import start_heading
from routing.stages import NO_TIMETABLE
from web.sheet_content import DEFAULT_BASE_URL
from web.sheet_content import DEFAULT_INFOPOINT
from web.sheet_content import field_text
from web.sheet_content import format_clock
from web.sheet_content import format_distance
from web.sheet_content import format_duration
from web.sheet_content import infopoint_contacts
from web.sheet_content import plan_links
from web.sheet_content import qr_data_uri
from web.sheet_content import sheet_warnings
from web.sheet_content import surface_split
from web.sheet_map import Marker
from web.sheet_map import Town
from web.sheet_map import route_map_svg
from web.sheet_text import labels
from web.sheet_text import profile_label
from web.sheet_text import translate_note
from web.trip_events import DEFAULT_WITHIN_M
from web.trip_events import itinerary_events
from web.trip_events import sheet_event_rows
from web.trip_events import trip_days

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import geopandas as gpd
    import networkx as nx

    from poi.events import Event
    from routing.itinerary import Visit
    from routing.itinerary_plan import Itinerary
    from routing.stages import Stage

logger = logging.getLogger(__name__)

#: POI categories drawn on the maps when they lie near the route, and how near.
MAP_POI_CATEGORIES: tuple[str, ...] = ("railway_station", "drinking_water", "bike_repair", "bike_rental", "infopoint")
MAP_POI_BUFFER_M = 150.0


def _title(itinerary: Itinerary, words: Mapping[str, str], lang: str) -> str:
    req = itinerary.request
    visits = itinerary.plan.visits
    start = visits[0].stop.name if visits else req.start.name
    if req.kind == "loop":
        return words["title_loop"].format(
            km=format_km(req.target_km or 0.0, lang).removesuffix(",0").removesuffix(".0"), start=start
        )
    if itinerary.plan.loop or (visits and visits[-1].stop.id == visits[0].stop.id):
        return words["title_round"].format(start=start)
    return words["title_tour"].format(start=start, end=visits[-1].stop.name if visits else "")


def _stop_row(
    i: int, v: Visit, off_m: float | None, pois: Mapping[str, Mapping[str, Any]], lang: str
) -> dict[str, Any]:
    words = labels(lang)
    info = pois.get(v.stop.id, {})
    if lang == "it":
        hours = v.stop.opening_hours_text or v.stop.opening_hours
    else:
        hours = v.stop.opening_hours or v.stop.opening_hours_text
    return {
        "label": str(i),
        "name": v.stop.name,
        "km": format_km(v.km, lang),
        "off": f"{off_m:.0f}" if off_m is not None else "–",
        "eta": format_clock(v.arrive),
        "leave": format_clock(v.leave) if v.dwell_min else "",
        "hours": hours,
        "phone": field_text(info.get("phone")),
        "state": words.get(v.opening, v.opening),
        "closed": v.opening == "closed",
    }


def _cue_rows(cues: Sequence[Cue], lang: str, *, end: tuple[float, str] | None = None) -> list[dict[str, str]]:
    """Rows of a cue table; ``end`` = ``(km, text)`` closes a day that ends before the arrival."""
    rows = []
    after = [c.km for c in cues[1:]] + ([end[0]] if end else [])
    for i, cue in enumerate(cues):
        instruction = cue_instruction(cue, lang)
        rows.append(
            {
                "symbol": SYMBOLS.get(cue.turn, ""),
                "km": format_km(cue.km, lang),
                "instruction": instruction[:1].upper() + instruction[1:],
                "next": format_distance(after[i] - cue.km, lang) if i < len(after) else "",
                "turn": cue.turn,
            }
        )
    if end is not None:
        rows.append(
            {
                "symbol": SYMBOLS["arrive"],
                "km": format_km(end[0], lang),
                "instruction": end[1],
                "next": "",
                "turn": "arrive",
            }
        )
    return rows


def _day_cues(cues: Sequence[Cue], stage: Stage, previous: Stage | None, last: bool) -> list[Cue]:
    inside = [c for c in cues if stage.start_km <= c.km < stage.end_km or (last and c.km >= stage.end_km)]
    if previous is None:
        return inside
    before = [c for c in cues if c.km < stage.start_km]
    ref = before[-1] if before else cues[0]
    place = previous.end_name if previous.end_kind not in {"none", "end"} else ""
    lon, lat = stage.geometry.coords[0][:2] if not stage.geometry.is_empty else (ref.lon, ref.lat)
    heading = start_heading(stage.geometry) if not stage.geometry.is_empty else ref.bearing
    return [Cue(stage.start_km, "depart", ref.street, 0.0, ref.way, heading, 0, place, lat, lon), *inside]


def _lines(text: str, width: int) -> int:
    """Lines a text takes in a column about ``width`` characters wide."""
    return max(1, math.ceil(len(text) / width))


def _stops_height(rows: Sequence[Mapping[str, Any]]) -> float:
    """Estimate the height of a stop table in mm: 8 mm of head, 3.4 mm a line and 1.4 mm a row.

    Hours, names and phones wrap in columns of about 34, 24 and 16 characters.
    """
    lines = [max(_lines(r["hours"], 34), _lines(r["name"], 24), _lines(r["phone"], 16)) for r in rows]
    return 8.0 + sum(3.4 * n + 1.4 for n in lines) if rows else 0.0


def _events_height(rows: Sequence[Mapping[str, str]]) -> float:
    """Estimate the height of the events table in mm: 9 mm of heading, 8 mm of head and note, rows as stops.

    Names (with their website on a second line) and venues wrap in columns of about 50 and 30 characters.
    """
    lines = [max(_lines(r["name"], 50) + bool(r["website"]), _lines(r["venue"], 30)) for r in rows]
    return 9.0 + 8.0 + 3.8 + sum(3.4 * n + 1.4 for n in lines) if rows else 0.0


def _overview_height(
    rows: Sequence[Mapping[str, Any]],
    warnings: Sequence[str],
    notes: Sequence[str],
    events: Sequence[Mapping[str, str]] = (),
) -> float:
    """Size the overview map so that the first page holds the stops, the warnings, the notes and the events.

    Measured on rendered sheets: of the page's 270 mm, the title, facts, legend, the
    headings and the surface and infrastructure lines take about 100 mm; a warning or
    note line takes 3.8 mm plus 0.8 mm an item, their headings 9 mm.
    """
    used = 100.0 + _stops_height(rows) + _events_height(events)
    for items, heading in ((warnings or ["-"], 9.0), (notes, 9.0 if notes else 0.0)):
        used += heading + sum(3.8 * _lines(t, 100) + 0.8 for t in items)
    return max(55.0, min(105.0, 270.0 - used))


def _day_map_height(cues: int, stops: Sequence[Mapping[str, Any]]) -> float:
    """Size a day's map so that the day's stops and cues fit on its page, down to 45 mm.

    Of the page's 270 mm (262 mm, to be safe), the day's facts take about 30 mm, the
    cue table's heading 12 mm and each cue 4 mm (tighter rows than a one-day sheet's).
    """
    return max(45.0, min(105.0, 262.0 - 30.0 - _stops_height(stops) - 12.0 - 4.0 * cues))


def _markers(itinerary: Itinerary, pois: gpd.GeoDataFrame) -> list[Marker]:
    visits = itinerary.plan.visits
    markers = []
    for i, v in enumerate(visits):
        if i == len(visits) - 1 and i > 0 and v.stop.id == visits[0].stop.id:
            continue  # the end of a loop is its start
        markers.append(Marker(v.stop.lat, v.stop.lon, "start" if i == 0 else "stop", str(i)))
    for stage in itinerary.stages[:-1]:
        if not stage.geometry.is_empty:
            lon, lat = stage.geometry.coords[-1][:2]
            markers.append(Marker(lat, lon, "day_end", str(stage.day)))
    near = pois_along(pois, itinerary.plan.route.geometry, buffer_m=MAP_POI_BUFFER_M, categories=MAP_POI_CATEGORIES)
    for rec in near.to_dict("records"):
        geom = rec.get("geometry")
        if geom is not None and not geom.is_empty:
            markers.append(Marker(float(geom.y), float(geom.x), str(rec["category"])))
    return markers


def _towns() -> list[Town]:
    return [Town(p.name, p.lat, p.lon) for p in reference_places() if p.kind in {"town", "comune"}]


def _poi_info(pois: gpd.GeoDataFrame, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = pois[pois["id"].isin(list(ids))].drop(columns="geometry")
    return {str(r["id"]): {str(k): v for k, v in r.items()} for r in rows.to_dict("records")}


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def sheet_html(
    itinerary: Itinerary,
    G: nx.MultiDiGraph[int],
    pois: gpd.GeoDataFrame,
    *,
    lang: str = "it",
    base_url: str = DEFAULT_BASE_URL,
    infopoint: str = DEFAULT_INFOPOINT,
    plan_id: str | None = None,
    generated: dt.date | None = None,
    events: Sequence[Event] | None = None,
    events_within_m: float = DEFAULT_WITHIN_M,
) -> str:
    """Build the HTML of an itinerary's printable sheet.

    Parameters
    ----------
    itinerary
        The planned itinerary (see :func:`routing.itinerary_plan.plan_itinerary`).
    G
        The graph it was planned on: the maps' roads and the cues' junctions.
    pois
        The POIs: phones of the stops, symbols on the maps, the Infopoint.
    lang
        ``"it"`` or ``"en"``.
    base_url
        The web planner the QR codes point to.
    infopoint
        Id of the issuing Infopoint (a POI of category ``infopoint``).
    plan_id
        Id of the saved plan, for ``<base>/plan/<id>`` links; without it the
        links encode the request.
    generated
        Date printed as the issue date (default today).
    events
        The event calendar (default: :func:`poi.events_data.all_events` of ``pois``).
    events_within_m
        The events running on the trip's days (from its departure) within this
        distance of the route or a stop are listed; a sheet without a date or
        without such events has no events section.

    Returns
    -------
    str
        A complete HTML document with its CSS, maps and QR codes inline.

    Raises
    ------
    routing.errors.LanguageError
        If the sheets are not written in ``lang``.
    InfopointNotFoundError
        If ``infopoint`` is not a known Infopoint.
    """
    words = labels(lang)
    # The desks are in the province whatever the data planned on: their records are embedded.
    known = pois if (pois["id"] == infopoint).any() else default_pois()
    issuer = infopoint_contacts(known, infopoint)
    plan = itinerary.plan
    route = plan.route
    visits = plan.visits
    stages = itinerary.stages
    multi = len(stages) > 1
    total_km = route.length_m / 1000
    cues = route_cues(route, G, names=[v.stop.name for v in visits])
    offs = [s.distance_m for s in route.snaps]
    info = _poi_info(pois, [v.stop.id for v in visits])
    rows = [_stop_row(i, v, offs[i] if i < len(offs) else None, info, lang) for i, v in enumerate(visits)]
    links = plan_links([v.stop.latlon for v in visits], base_url=base_url, profile=plan.profile, plan_id=plan_id)
    markers = _markers(itinerary, pois)
    towns = _towns()
    attribution = "© OpenStreetMap contributors"
    warnings = sheet_warnings(itinerary, lang)
    # The train timetable note is about bail-outs, which only multi-day sheets print.
    notes = [translate_note(n, lang) for n in itinerary.notes if multi or n != NO_TIMETABLE]
    days_on = trip_days(itinerary)
    calendar = all_events(pois) if events is None and days_on else events or []
    nearby = itinerary_events(itinerary, calendar, *days_on, within_m=events_within_m)[0] if days_on else []
    event_rows = sheet_event_rows(nearby, lang)
    overview = route_map_svg(
        G,
        route.geometry,
        length_m=route.length_m,
        markers=markers,
        towns=towns,
        attribution=attribution,
        height_mm=_overview_height(rows, warnings, notes, event_rows),
    )
    depart = itinerary.request.depart or (visits[0].arrive if visits else None)
    days = []
    for k, stage in enumerate(stages if multi else ()):
        share = stage.length_km / total_km if total_km else 0.0
        last = k == len(stages) - 1
        end_kind = words.get(f"end_{stage.end_kind}", stage.end_kind)
        arrival = f"{visits[-1].stop.name} ({words['end_end']})" if visits else words["end_end"]
        end_name = {"end": arrival, "none": f"km {format_km(stage.end_km, lang)}"}.get(stage.end_kind, stage.end_name)
        day_cues = _day_cues(cues, stage, stages[k - 1] if k else None, last)
        day_stops = [r for r, v in zip(rows, visits, strict=True) if stage.start_km <= v.km <= stage.end_km + 1e-6]
        days.append(
            {
                "day": stage.day,
                "range": words["day_range"].format(
                    start=format_km(stage.start_km, lang),
                    end=format_km(stage.end_km, lang),
                    length=format_km(stage.length_km, lang),
                    time=format_duration(route.duration_s * share),
                ),
                "end": end_name
                if stage.end_kind in {"end", "none"}
                else words["day_end_off"].format(name=end_name, kind=end_kind, metres=f"{stage.end_off_route_m:.0f}"),
                "bailout": words["bailout"].format(
                    station=stage.bailout_station, km=format_km(stage.bailout_distance_m / 1000, lang)
                )
                if stage.bailout_station
                else words["no_bailout"],
                "note": translate_note(stage.note, lang) if stage.note else "",
                "map": Markup(
                    route_map_svg(
                        G,
                        route.geometry,
                        length_m=route.length_m,
                        focus=stage.geometry,
                        focus_start_km=stage.start_km,
                        markers=markers,
                        towns=towns,
                        attribution=attribution,
                        height_mm=_day_map_height(len(day_cues) + (0 if last else 1), day_stops),
                    )
                ),
                "stops": day_stops,
                "cues": _cue_rows(
                    day_cues, lang, end=None if last else (stage.end_km, words["day_end"].format(name=end_name))
                ),
            }
        )
    split = surface_split(route.segments)
    locale = LOCALES[lang]
    context = {
        "lang": lang,
        "w": words,
        "title": _title(itinerary, words, lang),
        "date": format_date(depart.date(), "full", locale=locale) if depart else words["undated"],
        "depart": format_clock(depart) if depart else "",
        "profile": profile_label(plan.profile, lang),
        "distance": f"{format_km(total_km, lang)} km",
        "riding": format_duration(route.duration_s),
        "with_stops": format_duration(plan.total_time_s),
        "n_stops": max(len(visits) - 2, 0),
        "n_days": len(stages),
        "optimised": plan.optimised,
        "overview": Markup(overview),
        "stops": rows,
        "surface": [
            {"label": words[c], "share": m / route.length_m if route.length_m else 0.0, "km": format_km(m / 1000, lang)}
            for c, m in split.items()
        ],
        "infrastructure": [
            {"label": words.get(k, k), "share": s} for k, s in route.infrastructure_shares.items() if s >= 0.005
        ],
        "signed_share": route.signed_share,
        "cycle_routes": [u.name or u.ref for u in route.cycle_routes],
        "warnings": warnings,
        "notes": notes,
        "events": event_rows,
        "events_note": words["events_note"].format(metres=f"{events_within_m:.0f}"),
        "cues": _cue_rows(cues, lang),
        "days": days,
        "links": links,
        "qr_plan": qr_data_uri(links.plan),
        "qr_gpx": qr_data_uri(links.gpx),
        "issuer": issuer,
        "generated": words["generated"].format(date=format_date(generated or dt.date.today(), "long", locale=locale)),
        "attribution": f"{words['attribution']} {settings.attribution}",
        "pct": lambda share: f"{share:.0%}" if share >= 0.005 or share == 0 else "<1%",
    }
    return _environment().get_template("sheet/sheet.html").render(**context)


def sheet_pdf(
    itinerary: Itinerary,
    G: nx.MultiDiGraph[int],
    pois: gpd.GeoDataFrame,
    *,
    lang: str = "it",
    base_url: str = DEFAULT_BASE_URL,
    infopoint: str = DEFAULT_INFOPOINT,
    plan_id: str | None = None,
    generated: dt.date | None = None,
    events: Sequence[Event] | None = None,
    events_within_m: float = DEFAULT_WITHIN_M,
) -> bytes:
    """Render an itinerary's printable sheet as an A4 PDF.

    Takes the arguments of :func:`sheet_html` and returns the PDF's bytes.

    Raises
    ------
    routing.errors.LanguageError, InfopointNotFoundError
        As :func:`sheet_html`.
    """
    # WeasyPrint takes half a second to import: only when printing.
    from weasyprint import HTML

    html = sheet_html(
        itinerary,
        G,
        pois,
        lang=lang,
        base_url=base_url,
        infopoint=infopoint,
        plan_id=plan_id,
        generated=generated,
        events=events,
        events_within_m=events_within_m,
    )
    pdf = HTML(string=html).write_pdf()
    if pdf is None:  # only when a target is given
        msg = "WeasyPrint returned no PDF"
        raise RuntimeError(msg)
    logger.info("Rendered a %d-byte sheet", len(pdf))
    return bytes(pdf)
