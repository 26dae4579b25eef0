"""Words of the printed itinerary sheet, in Italian and English.

Like the cue phrases (:mod:`routing.cue_text`, whose module docstring says why
this is a dictionary of templates and not gettext catalogs), the labels are one
dictionary per language, and a test checks that both have the same keys.

The planners write their warnings and notes in English. The sheet rebuilds the
warnings it can from the plan's data (closed at the time of arrival, unpaved
stretches, busy roads) and translates the known notes with the patterns of
:data:`NOTE_PATTERNS`; a note of unknown shape is printed as it is.
"""

from __future__ import annotations

import re

from routing.cue_text import check_language

LABELS: dict[str, dict[str, str]] = {
    "it": {
        "title_loop": "Anello di {km} km da {start}",
        "title_round": "Giro da {start}",
        "title_tour": "Da {start} a {end}",
        "date": "Data",
        "undated": "data non indicata",
        "profile": "Profilo",
        "distance": "Distanza",
        "riding": "In sella",
        "with_stops": "Con le soste",
        "stops": "Soste",
        "days": "Giorni",
        "order_optimised": "ordine delle soste ottimizzato",
        "map": "Mappa del percorso",
        "legend_route": "percorso",
        "legend_other_days": "altri giorni",
        "legend_start": "partenza",
        "legend_day_end": "fine del giorno N",
        "legend_stop": "sosta",
        "legend_km": "km progressivo",
        "legend_station": "stazione",
        "legend_water": "acqua potabile",
        "legend_bike": "officina / noleggio bici",
        "legend_info": "infopoint",
        "stop_table": "Soste",
        "col_name": "Nome",
        "col_km": "km",
        "col_off": "m dal percorso",
        "col_eta": "Arrivo",
        "col_leave": "Ripartenza",
        "col_hours": "Orari",
        "col_phone": "Telefono",
        "col_state": "All'arrivo",
        "open": "aperto",
        "closed": "CHIUSO",
        "unknown": "–",
        "see hours": "vedi orari",
        "surface": "Fondo stradale",
        "infrastructure": "Infrastruttura ciclabile",
        "cycle_routes": "Su itinerari ciclabili segnalati",
        "warnings": "Avvertenze",
        "notes": "Note",
        "no_warnings": "Nessuna avvertenza.",
        "events": "Eventi lungo il percorso",
        "col_when": "Quando",
        "col_event": "Evento",
        "col_venue": "Luogo",
        "events_note": "Eventi entro {metres} m dal percorso e dalle soste, nei giorni del giro; date e luoghi da "
        "pagine pubbliche: verificarli con gli organizzatori.",
        "cues": "Indicazioni di percorso",
        "cues_day": "Indicazioni di percorso, giorno {day}",
        "col_turn": "",
        "col_instruction": "Indicazione",
        "col_next": "poi",
        "day": "Giorno {day}",
        "day_range": "km {start}–{end} ({length} km, circa {time} in sella)",
        "day_end": "Fine giornata: {name}",
        "day_end_off": "{name} ({kind}, {metres} m dal percorso)",
        "bailout": "Rientro in treno: {station}, a {km} km dal percorso",
        "no_bailout": "Nessuna stazione nota vicino a questa giornata.",
        "end_lodging": "alloggio",
        "end_agriturismo": "agriturismo",
        "end_railway_station": "stazione",
        "end_end": "arrivo",
        "end_none": "nessun alloggio vicino",
        "qr_plan": "Apri il percorso",
        "qr_gpx": "Scarica il GPX",
        "issued_by": "Rilasciato da",
        "generated": "Generato il {date}",
        "page": "Pagina",
        "of": "di",
        "attribution": "Dati cartografici",
        "w_closed": "{name} risulta chiuso all'arrivo previsto ({time}; orari: {hours}).",
        "w_unpaved": "{share} del percorso ({km} km) è su fondo non asfaltato: {kinds}.",
        "w_busy": "{km} km su strade principali senza corsia ciclabile: {names}.",
        "unnamed_roads": "strade senza nome",
        "w_cobbles": "{km} km su pavé o acciottolato.",
        "paved": "asfalto",
        "cobbles": "pavé / acciottolato",
        "compacted": "sterrato compatto",
        "gravel": "ghiaia",
        "unpaved": "sterrato",
        "cycleway": "pista ciclabile",
        "track": "pista ciclabile in sede propria",
        "lane": "corsia ciclabile",
        "shared": "corsia condivisa",
        "designated": "percorso riservato alle bici",
        "none": "nel traffico",
        "touring": "cicloturismo",
        "road": "bici da corsa",
        "gravel_profile": "gravel",
        "family": "famiglia",
        "shortest": "il più breve",
        "wet": "fondo bagnato",
    },
    "en": {
        "title_loop": "{km} km loop from {start}",
        "title_round": "Round trip from {start}",
        "title_tour": "From {start} to {end}",
        "date": "Date",
        "undated": "no date given",
        "profile": "Profile",
        "distance": "Distance",
        "riding": "Riding time",
        "with_stops": "With stops",
        "stops": "Stops",
        "days": "Days",
        "order_optimised": "stop order optimised",
        "map": "Route map",
        "legend_route": "route",
        "legend_other_days": "other days",
        "legend_start": "start",
        "legend_day_end": "end of day N",
        "legend_stop": "stop",
        "legend_km": "km mark",
        "legend_station": "railway station",
        "legend_water": "drinking water",
        "legend_bike": "bike repair / rental",
        "legend_info": "infopoint",
        "stop_table": "Stops",
        "col_name": "Name",
        "col_km": "km",
        "col_off": "m off route",
        "col_eta": "Arrive",
        "col_leave": "Leave",
        "col_hours": "Opening hours",
        "col_phone": "Phone",
        "col_state": "On arrival",
        "open": "open",
        "closed": "CLOSED",
        "unknown": "–",
        "see hours": "see hours",
        "surface": "Surface",
        "infrastructure": "Cycling infrastructure",
        "cycle_routes": "On signed cycle routes",
        "warnings": "Warnings",
        "notes": "Notes",
        "no_warnings": "No warnings.",
        "events": "What's on along the way",
        "col_when": "When",
        "col_event": "Event",
        "col_venue": "Venue",
        "events_note": "Events within {metres} m of the route and the stops, on the days of the trip; dates and "
        "venues from public pages: check them with the organisers.",
        "cues": "Turn-by-turn directions",
        "cues_day": "Turn-by-turn directions, day {day}",
        "col_turn": "",
        "col_instruction": "Direction",
        "col_next": "then",
        "day": "Day {day}",
        "day_range": "km {start}–{end} ({length} km, about {time} riding)",
        "day_end": "End of the day: {name}",
        "day_end_off": "{name} ({kind}, {metres} m off the route)",
        "bailout": "Back by train: {station}, {km} km from the route",
        "no_bailout": "No known railway station near this day's ride.",
        "end_lodging": "lodging",
        "end_agriturismo": "agriturismo",
        "end_railway_station": "railway station",
        "end_end": "arrival",
        "end_none": "no lodging nearby",
        "qr_plan": "Open this plan",
        "qr_gpx": "Download the GPX",
        "issued_by": "Issued by",
        "generated": "Generated on {date}",
        "page": "Page",
        "of": "of",
        "attribution": "Map data",
        "w_closed": "{name} is closed at the expected arrival ({time}; hours: {hours}).",
        "w_unpaved": "{share} of the route ({km} km) is unpaved: {kinds}.",
        "w_busy": "{km} km on main roads without a cycle lane: {names}.",
        "unnamed_roads": "unnamed roads",
        "w_cobbles": "{km} km on setts or cobbles.",
        "paved": "paved",
        "cobbles": "setts / cobbles",
        "compacted": "compacted gravel",
        "gravel": "gravel",
        "unpaved": "unpaved",
        "cycleway": "cycle path",
        "track": "segregated cycle track",
        "lane": "cycle lane",
        "shared": "shared lane",
        "designated": "designated for bicycles",
        "none": "in traffic",
        "touring": "touring",
        "road": "road bike",
        "gravel_profile": "gravel",
        "family": "family",
        "shortest": "shortest",
        "wet": "wet roads",
    },
}

#: Known English notes of the planners and their Italian rendering (English notes are printed as they are).
NOTE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"No timetable data: check train times with the railway operator before relying on a bail-out\."),
        "Nessun orario dei treni disponibile: verificare gli orari con l'operatore ferroviario prima di "
        "contare su un rientro in treno.",
    ),
    (
        re.compile(r"No lodging or station within (\d+) m of the route near km (\d+)"),
        r"Nessun alloggio o stazione entro \1 m dal percorso vicino al km \2",
    ),
    (
        re.compile(r"Passes (\d+) POI\(s\) of the chosen categories: (.*)"),
        r"Passa da \1 punti di interesse delle categorie scelte: \2",
    ),
    (re.compile(r"Passes no POI of the chosen categories"), "Non passa da punti di interesse delle categorie scelte"),
    (re.compile(r"Avoided closure: (.*)"), r"Chiusura evitata: \1"),
    (re.compile(r"No-go areas avoided: (\d+)"), r"Aree da evitare rispettate: \1"),
    (re.compile(r"Lunch break of (\d+) min at (.*)"), r"Pausa pranzo di \1 minuti a \2"),
    (
        re.compile(r"No stop after noon for a lunch break: the tour ends before lunch"),
        "Nessuna sosta dopo mezzogiorno per il pranzo: il giro finisce prima",
    ),
)


def labels(lang: str) -> dict[str, str]:
    """Return the sheet's words in a language.

    Raises
    ------
    routing.errors.LanguageError
        If the sheets are not written in ``lang``.

    Examples
    --------
    >>> labels("it")["stops"], labels("en")["stops"]
    ('Soste', 'Stops')
    """
    return LABELS[check_language(lang)]


def translate_note(note: str, lang: str) -> str:
    """Return a planner's note in the sheet's language, when its shape is known.

    Examples
    --------
    >>> translate_note("No lodging or station within 2000 m of the route near km 30", "it")
    'Nessun alloggio o stazione entro 2000 m dal percorso vicino al km 30'
    >>> translate_note("Something new", "it"), translate_note("Avoided closure: x", "en")
    ('Something new', 'Avoided closure: x')
    """
    if check_language(lang) == "en":
        return note
    for pattern, replacement in NOTE_PATTERNS:
        found = pattern.fullmatch(note)
        if found:
            return found.expand(replacement)
    return note


def profile_label(name: str, lang: str) -> str:
    """Name a rider profile in the sheet's language.

    Examples
    --------
    >>> profile_label("touring+wet", "it"), profile_label("road", "en"), profile_label("mine", "en")
    ('cicloturismo (fondo bagnato)', 'road bike', 'mine')
    """
    words = labels(lang)
    base, _, wet = name.partition("+")
    key = "gravel_profile" if base == "gravel" else base
    text = words.get(key, base) if key in {"touring", "road", "gravel_profile", "family", "shortest"} else base
    return f"{text} ({words['wet']})" if wet == "wet" else text
