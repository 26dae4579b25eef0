"""Cues in words, in Italian and English: "al km 3,2 svolta a sinistra in Via Palestro".

The phrases are a small dictionary of templates per language in this one module
(:data:`PHRASES`, :data:`WAYS`, :data:`HEADINGS`) rather than gettext catalogs
extracted and compiled with Babel: there are some thirty short phrases in two
languages, written by the developers, with no translators' workflow to serve;
a dictionary needs no compile step (no ``.mo`` files to build or commit), is
checked by mypy, and a test checks that every language has every key. Should
translators or more languages arrive, ``pybabel extract`` over these templates is
the way to catalogs. Numbers and dates are formatted by Babel from the CLDR
data of each locale (decimal comma in Italian).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from routing.errors import LanguageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing.cues import Cue

LatLon = tuple[float, float]

#: Languages the cue sheets are written in.
LANGUAGES: tuple[str, ...] = ("it", "en")
#: The Babel locale of each language (CLDR number and date formats).
LOCALES: dict[str, str] = {"it": "it_IT", "en": "en_GB"}

#: Instruction templates: ``{onto}``/``{on}`` take the way (see :data:`WAYS`), ``{place}`` a stop,
#: ``{heading}`` a compass point and ``{exit}`` an ordinal.
PHRASES: dict[str, dict[str, str]] = {
    "it": {
        "line": "al km {km} {instruction}",
        "depart": "parti {on} verso {heading}",
        "depart_at": "partenza: {place}, {on} verso {heading}",
        "straight": "prosegui dritto {onto}",
        "slight_left": "svolta leggermente a sinistra {onto}",
        "left": "svolta a sinistra {onto}",
        "sharp_left": "svolta nettamente a sinistra {onto}",
        "slight_right": "svolta leggermente a destra {onto}",
        "right": "svolta a destra {onto}",
        "sharp_right": "svolta nettamente a destra {onto}",
        "uturn": "fai inversione a U {onto}",
        "roundabout": "alla rotonda prendi la {exit} uscita {onto}",
        "roundabout_any": "alla rotonda prosegui {onto}",
        "via": "sosta: {place}",
        "via_back": "sosta: {place}, poi torna indietro {onto}",
        "via_unnamed": "sosta",
        "arrive": "arrivo: {place}",
        "arrive_unnamed": "arrivo a destinazione",
    },
    "en": {
        "line": "at km {km} {instruction}",
        "depart": "head {heading} {on}",
        "depart_at": "start at {place}, heading {heading} {on}",
        "straight": "continue straight {onto}",
        "slight_left": "bear left {onto}",
        "left": "turn left {onto}",
        "sharp_left": "turn sharp left {onto}",
        "slight_right": "bear right {onto}",
        "right": "turn right {onto}",
        "sharp_right": "turn sharp right {onto}",
        "uturn": "make a U-turn {onto}",
        "roundabout": "at the roundabout take the {exit} exit {onto}",
        "roundabout_any": "at the roundabout continue {onto}",
        "via": "stop at {place}",
        "via_back": "stop at {place}, then turn back {onto}",
        "via_unnamed": "stop",
        "arrive": "arrive at {place}",
        "arrive_unnamed": "arrive at your destination",
    },
}

#: How a way is named after a turn (``onto``) and at the start (``on``): by its name, its road
#: number (``ref``), or, without a name, by its kind (see :func:`routing.cues.way_kind`).
WAYS: dict[str, dict[str, tuple[str, str]]] = {
    "it": {
        "named": ("in {name}", "in {name}"),
        "ref": ("sulla {name}", "sulla {name}"),
        "cycleway": ("sulla pista ciclabile", "sulla pista ciclabile"),
        "path": ("sul sentiero", "sul sentiero"),
        "pedestrian": ("nell'area pedonale", "nell'area pedonale"),
        "track": ("sulla strada campestre", "sulla strada campestre"),
        "service": ("sulla strada di servizio", "sulla strada di servizio"),
        "steps": ("sulla scalinata", "sulla scalinata"),
        "road": ("sulla strada senza nome", "sulla strada senza nome"),
    },
    "en": {
        "named": ("onto {name}", "on {name}"),
        "ref": ("onto the {name}", "on the {name}"),
        "cycleway": ("onto the cycle path", "on the cycle path"),
        "path": ("onto the path", "on the path"),
        "pedestrian": ("into the pedestrian area", "in the pedestrian area"),
        "track": ("onto the farm track", "on the farm track"),
        "service": ("onto the service road", "on the service road"),
        "steps": ("onto the steps", "on the steps"),
        "road": ("onto the unnamed road", "on the unnamed road"),
    },
}

#: The eight compass points, clockwise from north.
HEADINGS: dict[str, tuple[str, ...]] = {
    "it": ("nord", "nord-est", "est", "sud-est", "sud", "sud-ovest", "ovest", "nord-ovest"),
    "en": ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"),
}

#: An arrow per turn, for the printed cue sheet (glyphs present in DejaVu Sans).
SYMBOLS: dict[str, str] = {
    "depart": "▶",
    "straight": "↑",
    "slight_left": "↖",
    "left": "←",
    "sharp_left": "↙",
    "slight_right": "↗",
    "right": "→",
    "sharp_right": "↘",
    "uturn": "↶",
    "roundabout": "↻",
    "via": "●",
    "arrive": "■",
}

_REF = re.compile(r"[A-Z]{1,3} ?[0-9]+[A-Za-z]?(?: ?(?:dir|bis|var))?")
#: Bearing changes at a stop from which the way on is back where the rider came from.
TURN_BACK_DEG = 150.0


def check_language(lang: str) -> str:
    """Return ``lang`` if the sheets are written in it.

    Raises
    ------
    LanguageError
        Naming the language and the ones available.

    Examples
    --------
    >>> check_language("it")
    'it'
    """
    if lang not in LANGUAGES:
        msg = f"Unknown language {lang!r}; available: {', '.join(LANGUAGES)}"
        raise LanguageError(msg)
    return lang


def format_km(km: float, lang: str) -> str:
    """Format a distance in km with one decimal, in the language's style.

    Examples
    --------
    >>> format_km(3.16, "it"), format_km(3.16, "en"), format_km(1234.5, "it")
    ('3,2', '3.2', '1.234,5')
    """
    return str(format_decimal(round(km, 1), format="#,##0.0", locale=LOCALES[check_language(lang)]))


def ordinal(n: int, lang: str) -> str:
    """Return the ordinal of a roundabout exit.

    Examples
    --------
    >>> ordinal(2, "it"), ordinal(1, "en"), ordinal(2, "en"), ordinal(3, "en"), ordinal(11, "en")
    ('2ª', '1st', '2nd', '3rd', '11th')
    """
    if check_language(lang) == "it":
        return f"{n}ª"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def compass(bearing: float, lang: str) -> str:
    """Name the compass point nearest to a bearing.

    Examples
    --------
    >>> compass(10, "it"), compass(200, "en"), compass(350, "en")
    ('nord', 'south', 'north')
    """
    return HEADINGS[check_language(lang)][int(((bearing % 360) + 22.5) // 45) % 8]


def is_ref(name: str) -> bool:
    """Tell whether a way's label is a road number (``SP10``, ``SS 415``) rather than a name.

    Examples
    --------
    >>> is_ref("SP10"), is_ref("SS 415"), is_ref("Via Palestro")
    (True, True, False)
    """
    return _REF.fullmatch(name.strip()) is not None


def way_phrase(street: str, way: str, lang: str, *, onto: bool = True) -> str:
    """Name the way a cue leads onto (or, with ``onto=False``, the one the ride starts on).

    Examples
    --------
    >>> way_phrase("Via Palestro", "road", "it"), way_phrase("", "cycleway", "en")
    ('in Via Palestro', 'onto the cycle path')
    >>> way_phrase("", "track", "en", onto=False)
    'on the farm track'
    """
    ways = WAYS[check_language(lang)]
    key = ("ref" if is_ref(street) else "named") if street else way
    form = ways.get(key, ways["road"])
    return form[0 if onto else 1].format(name=street)


def cue_instruction(cue: Cue, lang: str) -> str:
    """Return what to do at a cue, without its km.

    Examples
    --------
    >>> from routing.cues import Cue
    >>> cue_instruction(Cue(3.2, "left", "Via Palestro", -88.0), "it")
    'svolta a sinistra in Via Palestro'
    >>> cue_instruction(Cue(3.2, "roundabout", "", 10.0, "cycleway", exit=2), "en")
    'at the roundabout take the 2nd exit onto the cycle path'
    """
    phrases = PHRASES[check_language(lang)]
    onto = way_phrase(cue.street, cue.way, lang)
    on = way_phrase(cue.street, cue.way, lang, onto=False)
    heading = compass(cue.bearing, lang)
    match cue.turn:
        case "depart":
            key = "depart_at" if cue.place else "depart"
        case "via":
            key = "via_unnamed" if not cue.place else "via_back" if abs(cue.bearing_change) >= TURN_BACK_DEG else "via"
        case "arrive":
            key = "arrive" if cue.place else "arrive_unnamed"
        case "roundabout":
            key = "roundabout" if cue.exit > 0 else "roundabout_any"
        case turn:
            key = turn
    exit_name = ordinal(cue.exit, lang) if cue.exit > 0 else ""
    return phrases[key].format(onto=onto, on=on, place=cue.place, heading=heading, exit=exit_name)


def cue_line(cue: Cue, lang: str) -> str:
    """Return a cue as one line with its km.

    Examples
    --------
    >>> from routing.cues import Cue
    >>> cue_line(Cue(3.2, "left", "Via Palestro", -88.0), "it")
    'al km 3,2 svolta a sinistra in Via Palestro'
    >>> cue_line(Cue(3.2, "left", "Via Palestro", -88.0), "en")
    'at km 3.2 turn left onto Via Palestro'
    """
    return PHRASES[check_language(lang)]["line"].format(
        km=format_km(cue.km, lang), instruction=cue_instruction(cue, lang)
    )


def cue_waypoints(cues: Sequence[Cue], lang: str = "en") -> list[tuple[str, LatLon]]:
    """Return the turns of a cue sheet as GPX waypoints ``(name, (lat, lon))``.

    The start, the stops and the arrival are left out: the GPX writers add the
    stops as waypoints of their own.

    Examples
    --------
    >>> from routing.cues import Cue
    >>> cue_waypoints([Cue(0.0, "depart", "Via Po", 0.0), Cue(0.4, "right", "Via Dante", 90.0, lat=45.1, lon=10.0)])
    [('at km 0.4 turn right onto Via Dante', (45.1, 10.0))]
    """
    return [(cue_line(c, lang), c.latlon) for c in cues if c.turn not in {"depart", "via", "arrive"}]
