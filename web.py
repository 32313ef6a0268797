"""The HTTP layer: caching, conditional requests, security headers, static assets and error pages.

Everything here is generic and sits around the views without changing them:

* **Pre-rendered pages.** Permalinks (home, categories, codes, the code JSON) are rendered from
  immutable data, so each is rendered once per language and host and then served from memory.
* **ETag + Cache-Control.** Every buffered response gets a strong ETag (a hash of its body) and a
  Cache-Control fitting its kind; ``If-None-Match`` answers ``304 Not Modified`` without a body.
  HTML varies with ``Accept-Language`` and ``Cookie`` (the language comes from them).
* **Security headers** on every response, static files included, and no redirect off the site.
* **Static assets** get content-hashed names (``/static/style.3f2a….css``), built at start-up into
  ``STATIC_BUILD_DIR`` with gzip and brotli variants, and are served by WhiteNoise as immutable.
* **Errors** never leak a traceback: 4xx answer with JSON under ``/api/`` and HTML elsewhere, and
  anything unexpected is logged and answered with a plain 500 page.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("lse.web")

# ------------------------------------------------------------------------- policies

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

PAGE_CACHE = "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400"
SEARCH_CACHE = "public, max-age=60, stale-while-revalidate=300"
NOT_FOUND_CACHE = "public, max-age=60"
PERMANENT_REDIRECT_CACHE = "public, max-age=86400"
NO_STORE = "no-store"
STATIC_IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_MUTABLE_MAX_AGE = 300

#: endpoints whose answers depend on a query and change with the search index: short lifetimes
SEARCH_ENDPOINTS = frozenset({"search.search_page", "search.api_search", "search.suggest",
                              "search.api_suggest", "search.api_match", "search.match"})


def _digits(args: dict) -> bool:
    ident = args.get("ident", "")
    return ident.isascii() and ident.isdigit()


def _html_code_page(args: dict) -> bool:
    """A code page asked for as HTML (Accept: text/markdown gets the Markdown, rendered per request)."""
    return _digits(args) and request.accept_mimetypes.best_match(("text/html", "text/markdown")) != "text/markdown"


#: endpoint → predicate on view_args deciding whether a 200 answer is a permalink worth keeping.
#: Only code numbers are kept (not names, whose case variants are endless); anything that is
#: not a 200 (404s, redirects) is never kept.
PRERENDER_ENDPOINTS = {
    "pages.home": None,
    "pages.category_page": None,
    "pages.code_page": _html_code_page,
    "pages.code_json_page": _digits,
    "pages.sitemap": None,
    "pages.robots": None,
    "pages.opensearch": None,
    "api.api_codes": None,
    "api.api_code": _digits,
    "api.api_codes_csv": None,
    "tools.code_markdown": _digits,
    "tools.llms_txt": None,
    "tools.changes_feed": None,
}
#: query arguments that do not stop a page from being served pre-rendered (the language is in the key)
PRERENDER_ARGS = frozenset({"lang"})
#: search answers are as deterministic as pages (same data, same index): the popular ones are kept
#: too, keyed by the whole query string, in the same bounded cache
QUERY_CACHE_ENDPOINTS = frozenset({"search.search_page", "search.api_search", "search.suggest", "search.api_suggest"})
QUERY_CACHE_MAX_KEY = 512

MESSAGES = {
    400: ("Bad request", "잘못된 요청",
          "The request could not be understood: a parameter is missing or malformed.",
          "요청을 이해할 수 없습니다. 매개변수가 없거나 형식이 잘못되었습니다."),
    405: ("Method not allowed", "허용되지 않는 메서드",
          "This address only answers {allow}.", "이 주소는 {allow} 요청에만 응답합니다."),
    413: ("Request too large", "요청이 너무 큼",
          "The request is larger than this site accepts.", "요청이 이 사이트가 받는 크기보다 큽니다."),
    414: ("Address too long", "주소가 너무 김",
          "The address is longer than this site accepts.", "주소가 이 사이트가 받는 길이보다 깁니다."),
    500: ("Something went wrong", "문제가 발생했습니다",
          "The server could not answer this request. The error has been logged.",
          "서버가 이 요청에 응답하지 못했습니다. 오류가 기록되었습니다."),
}


# ----------------------------------------------------------------------- static files

HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")
COMPRESSIBLE = {".css", ".js", ".mjs", ".json", ".svg", ".html", ".txt", ".xml", ".map", ".ico", ".webmanifest"}


def _hashed(relpath: str, data: bytes) -> str:
    stem, dot, ext = relpath.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{relpath}.{digest}"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that concurrent readers (other workers, other apps) never see half of it."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _compressed_variants(data: bytes) -> dict[str, bytes]:
    out = {".gz": gzip.compress(data, compresslevel=9, mtime=0)}
    try:
        import brotli
        out[".br"] = brotli.compress(data)
    except ImportError:  # pragma: no cover - brotli is pinned in requirements.txt
        pass
    return {suffix: blob for suffix, blob in out.items() if len(blob) <= 0.95 * len(data)}


def build_static(src: str | Path, out: str | Path) -> dict[str, str]:
    """Copy every file under src into out under its own name and a content-hashed name, with
    gzip/brotli variants, rewriting relative url() references in CSS to the hashed names.

    Returns the manifest {original relative path: hashed relative path}. Safe to run from
    several processes at once: every file is written atomically and deterministically.
    """
    src, out = Path(src).resolve(), Path(out).resolve()
    files = sorted(p for p in src.rglob("*") if p.is_file() and out not in p.parents
                   and not any(part.startswith(".") for part in p.relative_to(src).parts))
    contents = {p.relative_to(src).as_posix(): p.read_bytes() for p in files}
    manifest: dict[str, str] = {}
    # CSS last, so that its url() references can point at the already hashed names.
    for rel in sorted(contents, key=lambda r: (r.endswith(".css"), r)):
        data = contents[rel]
        if rel.endswith(".css"):
            data = _rewrite_css(rel, data, manifest)
        manifest[rel] = _hashed(rel, data)
        for name in (rel, manifest[rel]):
            _write_atomic(out / name, data)
            if Path(name).suffix.lower() in COMPRESSIBLE:
                for suffix, blob in _compressed_variants(data).items():
                    _write_atomic(out / (name + suffix), blob)
    return manifest


def _rewrite_css(rel: str, data: bytes, manifest: dict[str, str]) -> bytes:
    base = rel.rpartition("/")[0]

    def swap(match: re.Match) -> str:
        quote, target = match.group(1), match.group(2)
        if target.startswith(("data:", "http:", "https:", "//", "/", "#")):
            return match.group(0)
        path, _, suffix = target.partition("?")
        path, _, frag = path.partition("#")
        resolved = os.path.normpath(os.path.join(base, path)).replace(os.sep, "/")
        if resolved not in manifest:
            return match.group(0)
        new = os.path.relpath(manifest[resolved], base or ".").replace(os.sep, "/")
        new += ("?" + suffix if suffix else "") + ("#" + frag if frag else "")
        return f"url({quote}{new}{quote})"

    return CSS_URL.sub(swap, data.decode("utf-8")).encode("utf-8")


def _static_headers(headers, path: str, url: str) -> None:
    """WhiteNoise hook: security headers and a content ETag on every static file."""
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if HASHED_NAME.search(url):
        headers["Cache-Control"] = STATIC_IMMUTABLE
    try:
        with open(path, "rb") as fh:
            headers["ETag"] = '"%s"' % hashlib.sha256(fh.read()).hexdigest()[:32]
    except OSError:  # pragma: no cover - the file vanished between the scan and now
        pass


def init_static(app: Flask) -> None:
    """Build the hashed assets, make url_for('static', ...) point at them and serve them."""
    from whitenoise import WhiteNoise

    src = Path(app.static_folder)
    out = Path(app.config.get("STATIC_BUILD_DIR") or src / "dist")
    try:
        manifest = build_static(src, out)
    except OSError as exc:  # a read-only checkout: build next to the temp files instead
        fallback = Path(tempfile.gettempdir()) / f"lse-static-{os.getuid()}"
        log.warning("cannot write static build dir %s (%s); using %s", out, exc, fallback)
        try:
            out, manifest = fallback, build_static(src, fallback)
        except OSError as exc2:  # nowhere to write: plain names, served by Flask, short-lived
            log.error("cannot build hashed static files (%s); serving %s as they are", exc2, src)
            return
    app.extensions["static_manifest"] = manifest
    app.config["STATIC_BUILD_DIR"] = str(out)

    @app.url_defaults
    def hashed_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            name = values.get("filename")
            if name in manifest:
                values["filename"] = manifest[name]

    prefix = (app.static_url_path or "/static").rstrip("/") + "/"
    app.wsgi_app = WhiteNoise(
        app.wsgi_app, root=str(out), prefix=prefix, max_age=STATIC_MUTABLE_MAX_AGE,
        immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
        add_headers_function=_static_headers, allow_all_origins=True,
    )


# ------------------------------------------------------------------ pre-rendered pages

@dataclass(frozen=True)
class Rendered:
    """A finished 200 answer: its body and every header but the per-request ones (cookies)."""
    body: bytes
    headers: tuple[tuple[str, str], ...]
    cache_control: str  # the shared-cache policy; made private when a cookie is set


class PageCache:
    """Finished answers kept in memory, least recently used dropped past max_entries.

    Keyed by (endpoint, arguments, language, scheme+host): the pages hold absolute permalinks, so
    the host is part of the key, and the bound keeps a flood of made-up Host headers harmless.
    """

    def __init__(self, max_entries: int = 1024):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: Rendered) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def size_bytes(self) -> int:
        with self._lock:
            return sum(len(e.body) for e in self._entries.values())


class _LanguageMemo:
    """select_language() is a pure function of ?lang=, the lang cookie and Accept-Language; parsing
    Accept-Language on every request is most of its cost, so remember a bounded set of answers."""

    def __init__(self, max_entries: int = 512):
        self.max_entries, self._answers = max_entries, {}

    def __call__(self) -> str:
        from i18n import COOKIE, select_language
        if "lang" in g:
            return g.lang
        env = request.environ
        inputs = (request.args.get("lang", ""), request.cookies.get(COOKIE, ""), env.get("HTTP_ACCEPT_LANGUAGE", ""))
        lang = self._answers.get(inputs)
        if lang is None:
            lang = select_language()
            if len(self._answers) >= self.max_entries:
                self._answers.clear()
            self._answers[inputs] = lang
        g.lang = lang
        return lang


_language_of_request = _LanguageMemo()


def _prerender_key() -> tuple | None:
    """The cache key of this request, or None if it must be rendered afresh."""
    endpoint = request.endpoint
    if endpoint in PRERENDER_ENDPOINTS:
        if any(name not in PRERENDER_ARGS for name in request.args):
            return None
        args = request.view_args or {}
        accept = PRERENDER_ENDPOINTS[endpoint]
        if accept is not None and not accept(args):
            return None
        args_key = tuple(args.items())
    elif endpoint in QUERY_CACHE_ENDPOINTS:
        # search answers are as deterministic as pages for a given query: keep the popular ones
        if len(request.query_string) > QUERY_CACHE_MAX_KEY:
            return None
        args_key = (request.query_string,)
    else:
        return None
    if request.method not in ("GET", "HEAD") or not current_app.config["PRERENDER"]:
        return None
    lang = None if endpoint.startswith("api.") else _language_of_request()
    env = request.environ
    host = (env.get("wsgi.url_scheme"), env.get("HTTP_HOST") or env.get("SERVER_NAME"), env.get("SCRIPT_NAME", ""))
    return (endpoint, args_key, lang, host)


def etag_of(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _serve_prerendered():
    key = _prerender_key()
    if key is None:
        return None
    g.prerender_key = key
    entry = current_app.extensions["page_cache"].get(key)
    if entry is None:
        return None
    g.prerender_hit = entry
    return current_app.response_class(entry.body, status=200, headers=list(entry.headers))


def _keep_prerendered(response: Response) -> None:
    """Keep a finished 200 answer: body and headers, minus what belongs to this request only."""
    key = g.get("prerender_key")
    if key is None or response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return
    headers = tuple((k, v) for k, v in response.headers.items()
                    if k.lower() not in ("set-cookie", "content-length", "date"))
    current_app.extensions["page_cache"].put(key, Rendered(response.get_data(), headers, response.headers["Cache-Control"]))


# --------------------------------------------------------------- headers on responses

def _cache_control_for(response: Response) -> str:
    status = response.status_code
    endpoint = request.endpoint or ""
    if status >= 500 or status in (400, 401, 403, 405, 413, 414, 429, 431):
        return NO_STORE
    if status in (404, 410):
        return NOT_FOUND_CACHE
    if status in (301, 308):
        return PERMANENT_REDIRECT_CACHE
    if endpoint in SEARCH_ENDPOINTS or endpoint.startswith("search."):
        return SEARCH_CACHE
    if 300 <= status < 400:
        return SEARCH_CACHE
    if 200 <= status < 300:
        return PAGE_CACHE
    return NO_STORE


def _language_dependent(response: Response) -> bool:
    return response.mimetype == "text/html" and not request.path.startswith("/api/")


def _is_own_location(location: str) -> bool:
    """Only paths on this site (or absolute URLs to this very host) may be redirected to."""
    if not location or "\\" in location or any(ord(ch) < 0x21 for ch in location):
        return False
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == request.host
    return location.startswith("/") and not location.startswith("//")


def finalize_response(response: Response) -> Response:
    """Runs after every other after_request hook (see init_app): sees the final response."""
    hit = g.get("prerender_hit")
    if hit is not None:  # served from memory: its headers are complete but for this request's cookie
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = _private(hit.cache_control)
        return _conditional(response)

    if response.location is not None and not _is_own_location(response.location):
        log.warning("refused redirect from %s to off-site %r", request.path, response.location)
        response = error_response(400, "Refusing to redirect off this site.")

    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = _cache_control_for(response)
    if _language_dependent(response):
        response.vary.update(("Accept-Language", "Cookie"))

    if (request.method in ("GET", "HEAD") and not response.is_streamed and not response.direct_passthrough
            and response.status_code < 500 and headers["Cache-Control"] != NO_STORE):
        if "ETag" not in headers:
            response.set_etag(etag_of(response.get_data()))
        _keep_prerendered(response)

    if "Set-Cookie" in headers:
        headers["Cache-Control"] = _private(headers["Cache-Control"])
    return _conditional(response)


def _private(policy: str) -> str:
    """A response that sets a cookie is for this browser only: no shared cache may keep it."""
    return policy if policy == NO_STORE else policy.replace("public", "private")


def _conditional(response: Response) -> Response:
    if response.status_code == 200 and "HTTP_IF_NONE_MATCH" in request.environ and request.method in ("GET", "HEAD"):
        etag, _weak = response.get_etag()
        if etag and request.if_none_match.contains_weak(etag):
            return _not_modified(response)
    return response


def _not_modified(response: Response) -> Response:
    keep = ("ETag", "Cache-Control", "Vary", "Content-Location", "Expires", "Date", "Set-Cookie",
            *SECURITY_HEADERS)
    result = current_app.response_class(status=304)
    result.headers.clear()
    for name in keep:
        for value in response.headers.getlist(name):
            result.headers.add(name, value)
    return result


# ----------------------------------------------------------------------------- errors

ERROR_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }} · {{ _("Live Station Error Codes") }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<p>{{ text }}</p>
<p><a href="{{ url_for('pages.home') }}">{{ _("Browse all categories") }}</a></p>
{% endblock %}"""

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


def _texts(status: int, allow: str = "", lang: str | None = None) -> tuple[str, str]:
    en_title, ko_title, en_text, ko_text = MESSAGES.get(status, MESSAGES[400])
    if (lang or _language()) == "ko":
        return ko_title, ko_text.format(allow=allow)
    return en_title, en_text.format(allow=allow)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
        and not request.accept_mimetypes.accept_html)


def error_response(status: int, message: str | None = None, allow: str = "") -> Response:
    """A 4xx answer: JSON under /api/, the site's HTML page elsewhere."""
    as_json = wants_json()
    title, text = _texts(status, allow, "en" if as_json else None)  # the API speaks English
    if message:
        text = message
    if as_json:
        response = jsonify({"error": {"status": status, "message": text}})
    else:
        try:
            body = render_template_string(ERROR_PAGE, title=title, text=text)
        except Exception:  # noqa: BLE001 - fall back to a page that needs no template
            log.exception("error page template failed")
            body = PLAIN_500.format(lang="en", title=html.escape(title), text=html.escape(text))
        response = current_app.response_class(body, mimetype="text/html")
    response.status_code = status
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
    return error_response(error.code, message, allow)


def handle_server_error(error: InternalServerError):
    """The last resort: log everything, show nothing of it."""
    original = getattr(error, "original_exception", None) or error
    log.error("500 on %s %s: %r", request.method, request.full_path[:500], original,
              exc_info=original if isinstance(original, BaseException) else None)
    title, text = _texts(500)
    lang = _language()
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"status": 500, "message": MESSAGES[500][2]}})
    else:
        response = current_app.response_class(
            PLAIN_500.format(lang=lang, title=html.escape(title), text=html.escape(text)), mimetype="text/html")
    response.status_code = 500
    response.headers["Cache-Control"] = NO_STORE
    return response


# ------------------------------------------------------------------------- wiring

def init_app(app: Flask) -> None:
    """Register the HTTP layer; call it last in create_app, after every blueprint."""
    app.config.setdefault("PRERENDER", True)
    app.config.setdefault("PRERENDER_MAX_ENTRIES", 1024)
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:  # files sent by views (/favicon.ico): a day
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 86400
    app.extensions["page_cache"] = PageCache(app.config["PRERENDER_MAX_ENTRIES"])
    _configure_logging(app)

    app.before_request(_serve_prerendered)
    # after_request hooks run in reverse order of registration: put ours first in the list so that
    # it runs last and sees the cookie i18n sets and every header the views add.
    app.after_request_funcs.setdefault(None, []).insert(0, finalize_response)

    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_server_error)

    if app.config.get("STATIC_HASHING", True):
        init_static(app)


def _configure_logging(app: Flask) -> None:
    """Log to stderr (gunicorn's error log) at INFO, once per process."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("lse", app.logger.name):
            logger = logging.getLogger(name)
            if not logger.handlers:
                logger.addHandler(handler)
            logger.setLevel(logging.INFO)
