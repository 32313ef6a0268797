"""Interface language: Flask-Babel catalogs, chosen by ?lang=, then a cookie, then the browser."""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def requested_language() -> str | None:
    """The language asked for explicitly in the query string, if it is one we speak."""
    lang = request.args.get("lang", "")
    return lang if lang in LANGUAGES else None


def select_language() -> str:
    """Pick the interface language for this request."""
    if "lang" not in g:
        g.lang = (requested_language()
                  or (request.cookies.get(COOKIE) if request.cookies.get(COOKIE) in LANGUAGES else None)
                  or request.accept_languages.best_match(LANGUAGES)
                  or DEFAULT_LANGUAGE)
    return g.lang


def _remember_choice(response):
    """Persist an explicit ?lang= choice so later pages keep it."""
    lang = requested_language()
    if lang and request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories="translations")
    app.after_request(_remember_choice)
    app.jinja_env.globals["current_language"] = select_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
