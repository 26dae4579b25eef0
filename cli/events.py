"""``cremona-bike events``: the province's event calendar, and what's on along a trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from shapely.geometry import shape

from cli.options import data_option
from cli.options import echo_lines
from cli.options import one_line
from cli.poi import all_pois
from gis_data.errors import DataNotFoundError
from gis_data.poi_sources import write_text_atomic
from gis_data.untrusted import read_json
from gis_data.untrusted import read_limited
from poi.events import Event
from poi.events import events_along
from poi.events import parse_event_rows
from poi.events_data import all_events
from poi.events_data import events_csv
from poi.events_data import read_event_table
from poi.events_data import save_store
from poi.events_data import store_events
from poi.events_ics import events_to_geojson
from poi.events_ics import events_to_ics
from poi.events_ics import ics_rows

MAX_IMPORT_BYTES = 5 * 1024 * 1024
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _when(event: Event) -> str:
    if not event.dated:
        return f"usually: {event.usual_period or 'not stated'}"
    first, last = event.start or event.end, event.end or event.start
    return f"{first}" if first == last else f"{first} to {last}"


@click.group(short_help="Event calendar: list, along a trip, import, export.")
def events() -> None:
    """Show, import and export the calendar of festivals, fairs and concerts of the province."""


@events.command("list", short_help="List events, optionally between two dates.")
@click.option("--from", "first", type=DAY, default=None, help="First day (YYYY-MM-DD).")
@click.option("--to", "last", type=DAY, default=None, help="Last day (YYYY-MM-DD).")
@data_option
def list_(first: dt.datetime | None, last: dt.datetime | None, data: Path | None) -> None:
    """List the events (all, or those running between --from and --to)."""
    found = all_events(all_pois(data))
    if first or last:
        lo = (first or last or dt.datetime.min).date()
        hi = (last or first or dt.datetime.max).date()
        found = [e for e in found if e.overlaps(lo, hi)]
    for e in found:
        click.echo(f"{_when(e):28}  {e.comune:16} {e.name}  [{e.category}; {e.placement}]")
    click.echo(f"{len(found)} event(s)", err=True)


@events.command(short_help="What's on along an itinerary, on its days.")
@click.argument("itinerary", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--within", type=click.FloatRange(0, 50_000), default=2000.0, show_default=True, metavar="M")
@click.option("--from", "first", type=DAY, default=None, help="First day [default: the itinerary's departure].")
@click.option("--to", "last", type=DAY, default=None, help="Last day [default: first day + days - 1].")
@data_option
def along(
    itinerary: Path, within: float, first: dt.datetime | None, last: dt.datetime | None, data: Path | None
) -> None:
    """List the events within --within metres of the ITINERARY (an itinerary.json) on its days."""
    try:
        doc = read_json(itinerary, max_bytes=MAX_IMPORT_BYTES)
        line = shape(doc["geometry"])
        depart = doc["request"].get("depart")
        days = max(1, len(doc.get("stages", [])))
        start = first.date() if first else (dt.datetime.fromisoformat(depart).date() if depart else None)
    except (ValueError, KeyError, TypeError, AttributeError, DataNotFoundError) as exc:
        msg = f"{str(itinerary)!r} is not an itinerary document: {one_line(exc)}"
        raise click.ClickException(msg) from exc
    if start is None:
        msg = "the itinerary has no departure date: give --from (and --to)"
        raise click.UsageError(msg)
    end = last.date() if last else start + dt.timedelta(days=days - 1)
    dated, undated = events_along(all_events(all_pois(data)), line, start, end, within_m=within)
    click.echo(f"Events from {start} to {end} within {within:.0f} m of the route:")
    for near in dated:
        e = near.event
        click.echo(f"  {_when(e):26} {near.distance_m:6.0f} m  {e.name} ({e.venue or e.comune}) {e.website}")
    if not dated:
        click.echo("  none")
    if undated:
        click.echo("Recurring events near the route (no dates known; check their usual period):")
        for e in undated:
            click.echo(f"  {e.name} ({e.comune}): {e.usual_period or 'period not stated'}")


@events.command("import", short_help="Import events (CSV or iCalendar) into the events store.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--licence", default="not stated", show_default=True)
@click.option("--comune", default="", help="Comune of iCalendar events whose location does not say.")
def import_(source: Path, licence: str, comune: str) -> None:
    """Check SOURCE and add its events to the store; a file with any problem changes nothing."""
    try:
        if source.suffix.lower() == ".ics":
            data = read_limited(source, max_bytes=MAX_IMPORT_BYTES)
            report = parse_event_rows(ics_rows(data, comune=comune), source=source.name, licence=licence)
        else:
            report = read_event_table(source, source=source.name, licence=licence, max_bytes=MAX_IMPORT_BYTES)
    except (ValueError, DataNotFoundError) as exc:
        message = one_line(exc)
        msg = message if str(source) in message else f"cannot read {str(source)!r}: {message}"
        raise click.ClickException(msg) from exc
    if not report.ok:
        echo_lines([f"{source.name}: {problem}" for problem in report.problems])
        msg = f"{len(report.problems)} problem(s) in {str(source)!r}: nothing imported"
        raise click.ClickException(msg)
    stored = {e.id: e for e in store_events()}
    stored.update({e.id: e for e in report.events})
    save_store(list(stored.values()))
    click.echo(f"imported {len(report.events)} event(s); the store holds {len(stored)}")


@events.command(short_help="Export the calendar as iCalendar, GeoJSON or CSV.")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@data_option
def export(output: Path, data: Path | None) -> None:
    """Write every event to OUTPUT (.ics: dated events only; .geojson; .csv)."""
    found = all_events(all_pois(data))
    suffix = output.suffix.lower()
    if suffix == ".ics":
        text = events_to_ics(found).decode("utf-8")
    elif suffix in {".geojson", ".json"}:
        text = json.dumps(events_to_geojson(found), ensure_ascii=False) + "\n"
    elif suffix == ".csv":
        text = events_csv(found)
    else:
        msg = f"unknown extension {suffix!r}: use .ics, .geojson or .csv"
        raise click.BadParameter(msg, param_hint="OUTPUT")
    write_text_atomic(output, text)
    written = sum(e.dated for e in found) if suffix == ".ics" else len(found)
    left = f" ({len(found) - written} known only by their usual period left out)" if written < len(found) else ""
    click.echo(f"wrote {written} event(s) to {output}{left}", err=True)
