"""Interface language: Flask-Babel catalogs, chosen by ?lang=, then a cookie, then the browser."""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Flask, g, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

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


_CHOSEN: dict[tuple, str] = {}
_CHOSEN_MAX = 512


def choose(arg: str | None, cookie: str | None, accept_language: str) -> str:
    """The language for ?lang=, the lang cookie and Accept-Language (a pure function, remembered:
    parsing Accept-Language is most of its cost)."""
    key = (arg, cookie, accept_language)
    lang = _CHOSEN.get(key)
    if lang is None:
        lang = ((arg if arg in LANGUAGES else None) or (cookie if cookie in LANGUAGES else None)
                or parse_accept_header(accept_language, LanguageAccept).best_match(LANGUAGES)
                or DEFAULT_LANGUAGE)
        if len(_CHOSEN) >= _CHOSEN_MAX:
            _CHOSEN.clear()
        _CHOSEN[key] = lang
    return lang


def select_language() -> str:
    """Pick the interface language for this request."""
    if "lang" not in g:
        g.lang = choose(request.args.get("lang", ""), request.cookies.get(COOKIE, ""),
                        request.environ.get("HTTP_ACCEPT_LANGUAGE", ""))
    return g.lang


def _remember_choice(response):
    """Persist an explicit ?lang= choice so later pages keep it; say what the language depended on."""
    if request.endpoint != "static" and "lang" in g:
        response.vary.update(("Accept-Language", "Cookie"))
    lang = requested_language()
    if lang and request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def _page_args() -> list[tuple[str, str]]:
    """This page's query arguments but the language: for a search answer only the parameters it is
    keyed by, in their order (web.policy), so that a kept answer never names another request's."""
    from web import policy

    declared = policy.of_request()
    if declared is not None and declared.kind == "answer":
        return [(k, request.args[k]) for k in declared.params if k in request.args and k != "lang"]
    return [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]


def switch_url(lang: str) -> str:
    """This page (same path, same query) in another language: what the language switch links to."""
    args = _page_args() + [("lang", lang)]
    return f"{quote(request.path)}?{urlencode(args)}"


def page_url() -> str:
    """The absolute URL of this page without any ?lang= (what og:url shows when there is no canonical)."""
    args = _page_args()
    return request.base_url + (f"?{urlencode(args)}" if args else "")


def with_language(url: str, lang: str | None) -> str:
    """An absolute page URL carrying ?lang= (for hreflang alternates and shared links)."""
    if not lang:
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def localized(value) -> str:
    """Template filter: a catalog Localized value in the interface language (`{{ entry.summary|loc }}`)."""
    return value.get(select_language()) if value is not None else ""


def compile_catalogs(directory: str | Path) -> Path:
    """Compile every translations/<lang>/LC_MESSAGES/messages.po whose .mo is missing or older.

    The .mo files are not in the repository, so a host where only the requirements were installed
    compiles them here, at start-up. Returns the directory holding the compiled catalogs: the given
    one, or one in the temporary directory when the given one cannot be written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    directory = Path(directory)
    stale = [po for po in sorted(directory.glob("*/LC_MESSAGES/messages.po"))
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if not stale:
        return directory
    target = directory
    for po in stale:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        rel = po.relative_to(directory).with_suffix(".mo")
        try:
            _write_atomic(target / rel, catalog, write_mo)
        except OSError:  # a read-only checkout: compile everything next to the temp files instead
            if target == directory:
                target = Path(tempfile.gettempdir()) / f"lse-translations-{os.getuid()}"
                return _compile_all_into(directory, target, read_po, write_mo)
            raise
        logging.getLogger("lse.i18n").info("compiled %s", target / rel)
    return target


def _compile_all_into(directory: Path, target: Path, read_po, write_mo) -> Path:
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        _write_atomic(target / po.relative_to(directory).with_suffix(".mo"), catalog, write_mo)
    return target


def _write_atomic(path: Path, catalog, write_mo) -> None:
    """Write a .mo so that another process starting at the same time never reads half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bound_gettext() -> dict:
    """Context processor: the template's gettext and ngettext bound to this render's translations."""
    # Each string then costs a catalog lookup, not a search for the request's locale; Jinja's own
    # newstyle wrappers keep the output the same. Macros imported without context keep Flask-Babel's.
    from flask_babel import get_translations
    from jinja2.ext import _make_new_gettext, _make_new_ngettext

    translations = get_translations()
    gettext = _make_new_gettext(translations.ugettext)
    return {"gettext": gettext, "_": gettext, "ngettext": _make_new_ngettext(translations.ungettext)}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["loc"] = localized
    translations = compile_catalogs(Path(app.root_path) / "translations")
    Babel(app, locale_selector=select_language, default_translation_directories=str(translations))
    app.context_processor(bound_gettext)
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        current_language=select_language, LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
        OG_LOCALES=OG_LOCALES, switch_url=switch_url, page_url=page_url, with_language=with_language)
