"""Error answers: one JSON shape ({"error": {"status", "message"}}) under /api/ and for JSON
clients, one page (templates/error.html) elsewhere, their words in the Babel catalog. Client errors
are never logged with a traceback; anything unexpected is logged once and answered with a plain 500."""
from __future__ import annotations

import html
import logging

from flask import Response, current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from .policy import NO_STORE

log = logging.getLogger("lse.web")

TITLES = {
    400: _l("Bad request"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    413: _l("Request too large"),
    414: _l("Address too long"),
    431: _l("Request headers too large"),
    500: _l("Something went wrong"),
    503: _l("Search is unavailable"),
}
TEXTS = {
    400: _l("The request could not be understood: a parameter is missing or malformed."),
    404: _l("There is no page at this address."),
    405: _l("This address only answers %(allow)s."),
    413: _l("The request is larger than this site accepts."),
    414: _l("The address is longer than this site accepts."),
    431: _l("The request headers are larger than this site accepts."),
    500: _l("The server could not answer this request. The error has been logged."),
    503: _l("Search cannot answer right now. Please try again in a moment; code pages still work."),
}

PLAIN_500 = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p><p><a href="/">Live Station Error Codes</a></p></main></body></html>
"""


def _language() -> str:
    try:
        from i18n import select_language
        return select_language()
    except Exception:  # noqa: BLE001 - the error page must never fail itself
        return "en"


def texts(status: int, allow: str = "") -> tuple[str, str]:
    key = status if status in TITLES else 400
    return str(TITLES[key]), str(TEXTS[key]) % {"allow": allow} if key == 405 else str(TEXTS[key])


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
        and not request.accept_mimetypes.accept_html)


def json_error(message: str, status: int) -> Response:
    """The one JSON error shape."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


def error_response(status: int, message: str | None = None, allow: str = "") -> Response:
    """A 4xx answer: JSON under /api/ (in English, like the rest of the API), the site's page elsewhere."""
    if wants_json():
        with force_locale("en"):
            _, text = texts(status, allow)
        response = json_error(message or text, status)
    else:
        title, text = texts(status, allow)
        try:
            body = render_template("error.html", status=status, title=title, text=message or text)
        except Exception:  # noqa: BLE001 - fall back to a page that needs no template
            log.exception("error page template failed")
            body = PLAIN_500.format(lang="en", title=html.escape(title), text=html.escape(message or text))
        response = current_app.response_class(body, status=status, mimetype="text/html")
    if allow:
        response.headers["Allow"] = allow
    response.headers["Cache-Control"] = NO_STORE
    return response


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    allow = ""
    if error.code == 405 and getattr(error, "valid_methods", None):
        allow = ", ".join(sorted(set(error.valid_methods)))
    message = None
    if error.code == 400 and error.description and error.description != error.__class__.description:
        message = error.description
    if error.code == 400:  # a client error: one line, no traceback
        log.info("400 on %s %s: %s", request.method, request.path[:200], (message or "bad request")[:200])
    return error_response(error.code, message, allow)


def handle_server_error(error: InternalServerError):
    """The last resort: log everything, show nothing of it."""
    original = getattr(error, "original_exception", None) or error
    log.error("500 on %s %s: %r", request.method, request.full_path[:500], original,
              exc_info=original if isinstance(original, BaseException) else None)
    lang = _language()
    if wants_json():
        with force_locale("en"):
            _, text = texts(500)
        response = json_error(text, 500)
    else:
        title, text = texts(500)
        response = current_app.response_class(
            PLAIN_500.format(lang=lang, title=html.escape(title), text=html.escape(text)), mimetype="text/html")
        response.status_code = 500
    response.headers["Cache-Control"] = NO_STORE
    return response
