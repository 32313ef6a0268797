"""Interface language: Flask-Babel catalogs, chosen by ?lang=, then a cookie, then the browser."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}  # each in its own language, never translated
OG_LOCALES = {"ko": "ko_KR", "en": "en_US"}


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
    """Persist an explicit ?lang= choice so later pages keep it; say what the language depended on."""
    if request.endpoint != "static" and "lang" in g:
        response.vary.update(("Accept-Language", "Cookie"))
    lang = requested_language()
    if lang and request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def switch_url(lang: str) -> str:
    """This page (same path, same query) in another language: what the language switch links to."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
    return f"{quote(request.path)}?{urlencode(args)}"


def page_url() -> str:
    """The absolute URL of this page without any ?lang= (what og:url shows when there is no canonical)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.base_url + (f"?{urlencode(args)}" if args else "")


def with_language(url: str, lang: str | None) -> str:
    """An absolute page URL carrying ?lang= (for hreflang alternates and shared links)."""
    if not lang:
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def localized(value) -> str:
    """Template filter: a catalog Localized value in the interface language (`{{ entry.summary|loc }}`)."""
    return value.get(select_language()) if value is not None else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["loc"] = localized
    Babel(app, locale_selector=select_language, default_translation_directories="translations")
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        current_language=select_language, LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
        OG_LOCALES=OG_LOCALES, switch_url=switch_url, page_url=page_url, with_language=with_language)
