"""The open-data page (the ``open_data`` blueprint): the published offer as files anyone may download.

Routes
------
``GET /open-data``
    The page: each file with what it holds, its size, records and licences.
``GET /open-data/offer.zip``
    Every file in one ZIP archive.
``GET /open-data/<name>``
    One file (``pois.csv``, ``events.ics``, ``datapackage.json``…).

The files are built on each request by :func:`poi.offer.offer_files` from what
visitors see: the POIs of :func:`web.pois.get_pois`, the events and closures
staff published (:mod:`web.content`), and the cycle-route registry.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template

from gis_data import settings
from gis_data.route_registry import read_route_registry
from poi.offer import OfferFile
from poi.offer import offer_files
from poi.offer import offer_json
from poi.offer import offer_zip
from web.content import get_published
from web.content import public_events
from web.pois import get_pois
from web.pois import placed

bp = Blueprint("open_data", __name__, url_prefix="/open-data")

ZIP_NAME = "offer.zip"
#: How long browsers and proxies may keep a file, in seconds.
MAX_AGE_S = 300


def current_offer() -> list[OfferFile]:
    """Return the files of the offer as visitors see it now."""
    pois = get_pois()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    closures = get_published().closures
    return offer_files(placed(pois), public_events(pois), closures, read_route_registry(), created=created)


@bp.get("")
def index() -> str:
    """Show the open-data page: the files, their licences and the attribution to show."""
    files = current_offer()
    attribution = next(f.text for f in files if f.name == "ATTRIBUTION.txt")
    return render_template(
        "open_data/index.html",
        files=offer_json(files),
        zip_name=ZIP_NAME,
        attribution_lines=attribution.splitlines(),
        attribution=settings.attribution,
        languages=current_app.config["LANGUAGES"],
    )


@bp.get(f"/{ZIP_NAME}")
def archive() -> Response:
    """Answer every file of the offer in one ZIP archive."""
    return _download(offer_zip(current_offer()), "application/zip", "cremona-bike-offer.zip")


@bp.get("/<name>")
def file(name: str) -> Response:
    """Answer one file of the offer; 404 for a name that is not one."""
    found = next((f for f in current_offer() if f.name == name), None)
    if found is None:
        abort(404)
    return _download(found.text.encode("utf-8"), found.mediatype, found.name)  # Flask adds charset=utf-8 to text/*


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    response.cache_control.max_age = MAX_AGE_S
    response.cache_control.public = True
    return response
