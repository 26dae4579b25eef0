"""Security headers and cross-site request protection for the planner.

* Every answer carries a Content-Security-Policy that lets the map work (scripts,
  styles and fonts from our own ``/static``, tiles from the OpenStreetMap tile
  server, API calls to ourselves) and nothing else, plus ``X-Content-Type-Options``,
  ``X-Frame-Options``, ``Referrer-Policy`` and ``Permissions-Policy``. Folium
  writes its map set-up as inline scripts, so ``script-src`` must allow
  ``'unsafe-inline'``; everything a visitor types is escaped before it reaches a
  page (Jinja autoescape, and JSON for the API), which is what keeps that safe.
* The only state-changing request is ``POST /api/plans`` (saving a plan). It must
  be JSON (``Content-Type: application/json``: a cross-site HTML form cannot send
  that without a CORS preflight, which we never allow) and, when the browser says
  where it comes from (``Origin``), come from this site. That is the OWASP
  "custom request header" defence against CSRF for JSON APIs; the page has no
  other state-changing form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import jsonify
from flask import request

if TYPE_CHECKING:
    from flask import Flask
    from flask import Response

TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILE_HOSTS}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_origin(origin: str, host_url: str) -> bool:
    """Tell whether an ``Origin`` header names this site.

    Examples
    --------
    >>> same_origin("http://127.0.0.1:5000", "http://127.0.0.1:5000/")
    True
    >>> same_origin("https://evil.example", "http://127.0.0.1:5000/")
    False
    """
    a, b = urlsplit(origin), urlsplit(host_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _check_cross_site() -> tuple[Response, int] | None:
    if request.method not in UNSAFE_METHODS or not request.path.startswith("/api/"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and not same_origin(origin, request.host_url):
        return jsonify({"error": f"Cross-site request from {origin!r} refused"}), 403
    if request.path == "/api/plans" and not request.is_json:
        msg = f"Send the plan as JSON (Content-Type: application/json), not {request.mimetype or 'nothing'!r}"
        return jsonify({"error": msg}), 415
    return None


def init_app(app: Flask) -> None:
    """Install the headers and the cross-site check on an app."""
    app.before_request(_check_cross_site)
    app.after_request(_add_headers)
