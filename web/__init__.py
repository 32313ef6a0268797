"""The HTTP layer, by concern:

* ``web.origin``: the public origin from configuration, trusted hosts, ProxyFix;
* ``web.policy``: each view's caching policy, declared on the view (``@policy.permalink``);
* ``web.store``: pre-rendered permalinks and search answers, each bounded in bytes, and the WSGI
  fast path serving stored pages;
* ``web.security``: security headers on every answer, redirects that stay on the site;
* ``web.assets``: content-hashed static files (``flask build-static``) served by WhiteNoise;
* ``web.errors``: one JSON error shape and one error page.

The WSGI layers, outermost first: security headers, ProxyFix (when configured), the origin check,
the page store's fast path, WhiteNoise, Flask.
"""
from __future__ import annotations

import logging
import re
import time
from collections import deque
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, errors, fragments, origin, policy, security, store
from .policy import (NO_STORE, NOT_FOUND_CACHE, PAGE_CACHE, PERMANENT_REDIRECT_CACHE, SEARCH_CACHE,
                     STATIC_IMMUTABLE)

__all__ = ["init_app", "policy", "NO_STORE", "NOT_FOUND_CACHE", "PAGE_CACHE", "PERMANENT_REDIRECT_CACHE",
           "SEARCH_CACHE", "STATIC_IMMUTABLE"]

log = logging.getLogger("lse.web")

DEFAULT_PAGE_STORE_BYTES = 64 * 1024 * 1024
DEFAULT_ANSWER_CACHE_BYTES = 1024 * 1024  # a few hundred answers: the popular queries; more costs a worker its 100 MB
NO_STORE_STATUSES = frozenset({400, 401, 403, 405, 413, 414, 429, 431})
DYNAMIC_GZIP_LEVEL, DYNAMIC_BROTLI_QUALITY = store.DYNAMIC_GZIP_LEVEL, store.DYNAMIC_BROTLI_QUALITY


# ----------------------------------------------------------------------- keys

def _page_key(pol: policy.Policy) -> tuple | None:
    """The page store key of this request, or None when it must be rendered afresh."""
    if any(name != "lang" for name in request.args):
        return None
    if pol.accept is not None and not pol.accept(request.view_args or {}):
        return None
    if pol.by_accept and request.accept_mimetypes.best_match(("text/html", "text/markdown")) == "text/markdown":
        return None
    env = request.environ
    lang = _language() if pol.by_language else None
    return (origin.origin_key(env), env.get("PATH_INFO", ""), lang)


def _answer_key(pol: policy.Policy) -> tuple:
    """Keyed by the declared parameters only, in their declared order, normalized."""
    lang = _language() if pol.by_language else None
    return store.answer_key(request.endpoint, pol, request.args, request.environ, lang)


def _language() -> str:
    from i18n import select_language
    return select_language()


# ----------------------------------------------------------------------- hooks

def serve_stored():
    """before_request: a stored answer for this request, if there is one."""
    pol = policy.of_request()
    g.policy = pol
    if pol is None or pol.kind == "private" or request.method not in ("GET", "HEAD"):
        return None
    if pol.kind == "answer" and not request.environ.get(store.YIELDED):
        store.cooperative_yield()
    if not current_app.config["PRERENDER"]:
        return None
    if pol.kind == "permalink":
        key, kept = _page_key(pol), current_app.extensions["page_store"]
    else:
        key, kept = _answer_key(pol), current_app.extensions["answer_cache"]
    if key is None:
        return None
    g.store_key, g.store = key, kept
    entry = kept.get(key)
    if entry is None:
        return None
    g.served_entry = entry
    return _from_entry(entry)


def _from_entry(entry: store.Stored) -> Response:
    accept = request.headers.get("Accept-Encoding", "")
    enc = entry.pick(accept)
    body, headers = entry.body(enc), entry.variants[enc][1]
    response = current_app.response_class(body, status=200, headers=headers)
    if enc == "identity" and entry.wanted(accept) != "identity":  # a variant not made: compress this once
        response.headers.pop("ETag", None)
        _compress(response)
        response.add_etag()
    response.headers["Content-Length"] = str(len(response.get_data()))
    return response


def finalize_response(response: Response) -> Response:
    """after_request, run after every other hook: the final headers, storing, compression, 304."""
    entry = g.get("served_entry")
    if entry is not None:  # complete already, but for this request's cookie
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = _private(entry.cache_control)
        response.make_conditional(request)
        return response

    if response.location is not None and not security.is_own_location(response.location, request.host):
        log.warning("refused redirect from %s to off-site %r", request.path[:200], response.location[:200])
        response = errors.error_response(400, "Refusing to redirect off this site.")

    pol = g.get("policy")
    headers = response.headers
    if g.get("answer_incomplete"):
        headers["Cache-Control"] = NO_STORE
    elif "Cache-Control" not in headers:
        headers["Cache-Control"] = _cache_control_for(response, pol)
    if response.mimetype == "text/html" and not request.path.startswith("/api/"):
        response.vary.update(("Accept-Language", "Cookie"))
    if pol is not None and pol.by_accept:
        response.vary.add("Accept")

    cacheable = (request.method in ("GET", "HEAD") and response.status_code == 200
                 and headers["Cache-Control"] != NO_STORE and not response.is_streamed)
    key = g.get("store_key")
    if cacheable and key is not None:
        if response.direct_passthrough:  # a file (share image, favicon): read it once
            response.direct_passthrough = False
        if pol.kind == "permalink":
            levels, encodings = current_app.config["STORE_COMPRESSION"], ("gzip", "br")
        else:
            levels = (DYNAMIC_GZIP_LEVEL, DYNAMIC_BROTLI_QUALITY)
            encodings = store.encodings_for(request.headers.get("Accept-Encoding", ""))[:1]
        entry = store.Stored.build(response.get_data(), list(headers.items()), pol, response.content_type,
                                   levels, encodings)
        if g.store.put(key, entry):
            stored = _from_entry(entry)
            for value in headers.getlist("Set-Cookie"):
                stored.headers.add("Set-Cookie", value)
            response = stored
            headers = response.headers
    elif not response.direct_passthrough and not response.is_streamed and response.status_code != 304:
        _compress(response)

    if "Set-Cookie" in headers:
        headers["Cache-Control"] = _private(headers["Cache-Control"])
    if cacheable and "ETag" not in headers and not response.direct_passthrough:
        response.add_etag()
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.make_conditional(request)
    return response


def _compress(response: Response) -> None:
    """gzip or brotli for a dynamic text answer, when the client accepts it."""
    if "Content-Encoding" in response.headers or not store.compressible(response.content_type):
        return
    data = response.get_data()
    if len(data) < store.MIN_COMPRESS:
        return
    response.vary.add("Accept-Encoding")
    for enc in store.encodings_for(request.headers.get("Accept-Encoding", "")):
        if enc == "br":
            packed = store.brotli_bytes(data, DYNAMIC_BROTLI_QUALITY)
        elif enc == "gzip":
            packed = store.gzip_bytes(data, DYNAMIC_GZIP_LEVEL)
        else:
            return
        if packed is not None:
            response.set_data(packed)
            response.headers["Content-Encoding"] = enc
            return


def _cache_control_for(response: Response, pol: policy.Policy | None) -> str:
    status = response.status_code
    if status >= 500 or status in NO_STORE_STATUSES:
        return NO_STORE
    if status in (404, 410):
        return NOT_FOUND_CACHE
    if status in (301, 308):
        return PERMANENT_REDIRECT_CACHE
    if pol is not None:
        return pol.cache_control
    if 300 <= status < 400:
        return SEARCH_CACHE
    if 200 <= status < 300:
        return PAGE_CACHE
    return NO_STORE


def _private(value: str) -> str:
    """A response that sets a cookie is for this browser only: no shared cache may keep it."""
    return value if value == NO_STORE else value.replace("public", "private")


# ----------------------------------------------------------------------- wiring

def init_app(app: Flask) -> None:
    """Register the HTTP layer; call it last in create_app, after every blueprint."""
    config = app.config
    config.setdefault("PRERENDER", True)
    config.setdefault("PAGE_STORE_BYTES", DEFAULT_PAGE_STORE_BYTES)
    config.setdefault("ANSWER_CACHE_BYTES", DEFAULT_ANSWER_CACHE_BYTES)
    config.setdefault("STORE_COMPRESSION", (9, 9))  # gzip level, brotli quality for stored answers
    if config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:  # files sent by views (/favicon.ico): a day
        config["SEND_FILE_MAX_AGE_DEFAULT"] = 86400
    site = origin.Origin(config.get("SITE_URL"), config.get("TRUSTED_HOSTS"))
    config["TRUSTED_HOSTS"] = site.trusted_hosts  # Flask's own check, behind ours
    if site.site_url:
        config.setdefault("PREFERRED_URL_SCHEME", site.scheme)
    app.extensions["origin"] = site
    app.extensions["page_store"] = pages = store.PageStore(int(config["PAGE_STORE_BYTES"]))
    app.extensions["answer_cache"] = store.AnswerCache(int(config["ANSWER_CACHE_BYTES"]))
    _configure_logging(app)

    app.jinja_env.add_extension(fragments.FragmentExtension)
    app.before_request(serve_stored)
    # after_request hooks run in reverse order of registration: put ours first in the list so that
    # it runs last and sees the cookie i18n sets and every header the views add.
    app.after_request_funcs.setdefault(None, []).insert(0, finalize_response)
    app.register_error_handler(HTTPException, errors.handle_http_exception)
    app.register_error_handler(InternalServerError, errors.handle_server_error)

    prefix = (app.static_url_path or "/static").rstrip("/") + "/"
    answers = store.AnswerPath(app.wsgi_app, app.extensions["answer_cache"], app.extensions.get("lean_answers", {}),
                               app.json.mimetype, enabled=lambda: config["PRERENDER"] and not app.debug)
    static = assets.StaticLayer(answers, prefix)
    assets.init_app(app, static)
    wsgi = store.FastPath(static, pages, enabled=lambda: config["PRERENDER"])
    wsgi = origin.OriginMiddleware(wsgi, site)
    proxies = origin.proxy_fix_count(config.get("PROXY_FIX"))
    if proxies:
        wsgi = ProxyFix(wsgi, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    app.wsgi_app = security.SecurityHeadersMiddleware(wsgi)


LINK = re.compile(r'(?:href|src|content)="([^"]+)"|<loc>([^<]+)</loc>|\]\((/[^)\s]+|https?://[^)\s]+)\)')
START = ("/", "/sitemap.xml", "/llms.txt", "/robots.txt", "/opensearch.xml", "/favicon.ico", "/changes.atom",
         "/api/codes", "/api/codes.csv")


def prerender_all(app: Flask, max_pages: int = 10_000) -> int:
    """Render every permalink the site links to (from the home page, the sitemap, llms.txt...), in
    each language it depends on, into the page store: what the workers then serve from memory."""
    started = time.perf_counter()
    site = app.extensions["origin"]
    base = site.site_url or "http://localhost"
    base_parts = urlsplit(base)
    client = app.test_client(use_cookies=False)
    adapter = app.url_map.bind(base_parts.netloc, script_name=base_parts.path or None)
    seen: set[str] = set()
    queue = deque(START)
    rendered = 0
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            endpoint, args = adapter.match(path, method="GET")
        except Exception:  # noqa: BLE001 - not a route (or a redirect): nothing to keep
            continue
        pol = getattr(app.view_functions.get(endpoint), policy.ATTRIBUTE, None)
        if pol is None or pol.kind != "permalink":
            continue
        if args:  # the same thing in its other forms: /codes/<ident> → .json, .md, /api/codes/<ident>
            for other in _permalink_rules(app):
                if other.endpoint != endpoint and set(other.arguments) == set(args):
                    try:
                        queue.append(adapter.build(other.endpoint, args))
                    except Exception:  # noqa: BLE001 - that form does not take these values
                        pass
        for lang in (("en", "ko") if pol.by_language else (None,)):
            response = client.get(base_parts.path + path, base_url=f"{base_parts.scheme}://{base_parts.netloc}",
                                  query_string={"lang": lang} if lang else None)
            if response.status_code != 200:
                continue
            rendered += 1
            if store.compressible(response.content_type) and "Content-Encoding" not in response.headers:
                for match in LINK.finditer(response.get_data(as_text=True)):
                    target = _own_path(next(m for m in match.groups() if m), base_parts)
                    if target and target not in seen:
                        queue.append(target)
    pages = app.extensions["page_store"]
    log.info("pre-rendered %d answers (%d entries, %.1f MB) in %.1f s", rendered, len(pages),
             pages.bytes / 1e6, time.perf_counter() - started)
    return rendered


def _permalink_rules(app: Flask) -> list:
    return [rule for rule in app.url_map.iter_rules()
            if getattr(getattr(app.view_functions.get(rule.endpoint), policy.ATTRIBUTE, None), "kind", None) == "permalink"]


def _own_path(url: str, base) -> str | None:
    """The path of a link to this site (no query, no fragment), or None."""
    parts = urlsplit(url.replace("&amp;", "&"))
    if parts.scheme and (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = parts.path
    if base.path and path.startswith(base.path):
        path = path[len(base.path):]
    if not path.startswith("/") or path.startswith(("//", "/static/")):
        return None
    return path


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
