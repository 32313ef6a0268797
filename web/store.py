"""Answers kept in memory, by kind, each bounded in bytes.

* ``PageStore``: permalinks (``@policy.permalink``), rendered once per language and held whole,
  with their gzip and brotli variants compressed once. Nothing is ever evicted: the keys are the
  catalog's own pages (only 200 answers of views that declared themselves permalinks, at most
  ``MAX_ORIGINS`` origins), and a byte budget (``LSE_PAGE_STORE_BYTES``) stops additions if a bug
  ever made them unbounded.
* ``AnswerCache``: search answers (``@policy.answer``), least recently used dropped past
  ``LSE_ANSWER_CACHE_BYTES``; keyed by the endpoint and the declared parameters only. It cannot
  evict a page: the two never share a budget.
* ``FastPath``: a WSGI layer in front of Flask serving stored permalinks without the Flask request
  chain (what makes a code page cheaper than a bare Flask page), falling through to Flask whenever
  the request needs more (a language cookie to set, Markdown asked for, an unknown query argument).
"""
from __future__ import annotations

import gzip
import logging
import sys
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from urllib.parse import parse_qsl

from werkzeug.datastructures import Accept
from werkzeug.http import generate_etag, http_date, parse_accept_header, parse_cookie, parse_etags

import i18n

from . import policy as policies
from .origin import origin_key

log = logging.getLogger("lse.web")

COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml",
                      "application/opensearchdescription+xml", "application/x-suggestions+json", "image/svg+xml")
MIN_COMPRESS = 512  # bytes: smaller answers are sent as they are
HOLD_PLAIN_BELOW = 4096  # bytes: larger pages are held compressed only
MAX_ORIGINS = 4  # distinct origins pages are kept for (one when LSE_SITE_URL is set)
ENTRY_OVERHEAD = 600  # bytes per entry for its key and headers, counted in the budgets
DROP_HEADERS = frozenset({"set-cookie", "content-length", "date", "etag", "content-encoding"})
DYNAMIC_GZIP_LEVEL = 6  # a search answer is compressed once, when it is made: cheap levels
DYNAMIC_BROTLI_QUALITY = 4


def compressible(content_type: str | None) -> bool:
    return bool(content_type) and content_type.startswith(COMPRESSIBLE_TYPES)


def etag_of(body: bytes) -> str:
    """The ETag Werkzeug's Response.add_etag gives the same bytes (so stored and fresh answers agree)."""
    return generate_etag(body)


def gzip_bytes(data: bytes, level: int = 9) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def brotli_bytes(data: bytes, quality: int = 9) -> bytes | None:
    try:
        import brotli
    except ImportError:  # pragma: no cover - Brotli is pinned in requirements.txt
        return None
    return brotli.compress(data, quality=quality)


class _Memo:
    """A bounded memo of a pure function of one header value (cleared when full)."""

    def __init__(self, func, max_entries: int = 256):
        self.func, self.max_entries, self.values = func, max_entries, {}

    def __call__(self, value: str):
        found = self.values.get(value)
        if found is None:
            found = self.func(value)
            if len(self.values) >= self.max_entries:
                self.values.clear()
            self.values[value] = found
        return found


def _encodings(header: str) -> tuple[str, ...]:
    """The encodings to try for an Accept-Encoding header, best first (always ending with identity)."""
    accept = parse_accept_header(header, Accept)
    order = [enc for enc in ("br", "gzip") if accept[enc] > 0 or (enc not in accept and accept["*"] > 0)]
    return tuple(order) + ("identity",)


encodings_for = _Memo(_encodings)


def _cookie_language(header: str) -> str | None:
    """The language cookie's value ("" without one); None for a header that is not UTF-8."""
    try:
        return parse_cookie(header).get(i18n.COOKIE, "")
    except UnicodeDecodeError:  # Flask reads such a header with replacement characters: let it answer
        return None


cookie_language = _Memo(_cookie_language)


@dataclass
class Stored:
    """A finished 200 answer in every encoding it is worth sending, with the headers for each."""

    variants: dict  # encoding -> (body, headers list)
    etags: dict  # encoding -> etag
    cache_control: str
    by_language: bool
    by_accept: bool
    size: int
    worth_compressing: bool = False

    @classmethod
    def build(cls, body: bytes, headers, pol: policies.Policy, content_type: str | None,
              compress_level: tuple[int, int] = (9, 9), encodings=("gzip", "br")) -> "Stored":
        """`encodings`: the compressed variants to make now (a page: both, once; a search answer:
        only the one this client takes, so that a miss costs one cheap compression)."""
        base = [(k, v) for k, v in headers if k.lower() not in DROP_HEADERS]
        bodies = {"identity": body}
        worth = compressible(content_type) and len(body) >= MIN_COMPRESS
        if worth and "gzip" in encodings:
            gz = gzip_bytes(body, compress_level[0])
            if len(gz) < 0.95 * len(body):
                bodies["gzip"] = gz
        if worth and "br" in encodings:
            br = brotli_bytes(body, compress_level[1])
            if br is not None and len(br) < 0.95 * len(body):
                bodies["br"] = br
        if worth:
            base = _with_vary(base, "Accept-Encoding")
        variants, etags = {}, {}
        for enc, data in bodies.items():
            etag = etag_of(data)
            h = base + [("ETag", f'"{etag}"'), ("Content-Length", str(len(data)))]
            if enc != "identity":
                h.append(("Content-Encoding", enc))
            variants[enc], etags[enc] = (data, h), etag
        if pol.kind == "permalink" and "gzip" in bodies and len(body) >= HOLD_PLAIN_BELOW:
            # held compressed only: a client that takes no encoding gets it decompressed (30 µs for 12 KB)
            variants["identity"] = (None, variants["identity"][1])
            del bodies["identity"]
        cache_control = next((v for k, v in base if k.lower() == "cache-control"), pol.cache_control)
        size = sum(len(d) for d in bodies.values()) + ENTRY_OVERHEAD
        return cls(variants, etags, cache_control, pol.by_language, pol.by_accept, size, worth)

    def body(self, enc: str) -> bytes:
        data = self.variants[enc][0]
        return gzip.decompress(self.variants["gzip"][0]) if data is None else data

    def pick(self, accept_encoding: str) -> str:
        """The best encoding this client takes among the variants made."""
        for enc in encodings_for(accept_encoding or ""):
            if enc in self.variants:
                return enc
        return "identity"

    def wanted(self, accept_encoding: str) -> str:
        """The best encoding this client takes, made or not."""
        if not self.worth_compressing:
            return "identity"
        return encodings_for(accept_encoding or "")[0]


def _with_vary(headers: list, name: str) -> list:
    for i, (k, v) in enumerate(headers):
        if k.lower() == "vary":
            names = [n.strip() for n in v.split(",") if n.strip()]
            if name.lower() not in (n.lower() for n in names):
                headers[i] = (k, ", ".join(names + [name]))
            return headers
    return headers + [("Vary", name)]


class PageStore:
    """Permalinks held whole; past the byte budget new ones are rendered per request (logged once)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: dict[tuple, Stored] = {}
        self._origins: set[str] = set()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0
        self._full_logged = False

    def get(self, key: tuple) -> Stored | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: tuple, entry: Stored) -> bool:
        with self._lock:
            if key in self._entries:
                return True
            origin = key[0]
            if origin not in self._origins and len(self._origins) >= MAX_ORIGINS:
                return False
            if self.bytes + entry.size > self.max_bytes:
                if not self._full_logged:
                    log.warning("page store full (%d bytes): further pages are rendered per request", self.bytes)
                    self._full_logged = True
                return False
            self._origins.add(origin)
            self._entries[key] = entry
            self.bytes += entry.size
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._origins.clear()
            self.bytes = self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


class AnswerCache:
    """Search answers, least recently used dropped past max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Stored] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Stored | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: Stored) -> bool:
        if entry.size > self.max_bytes // 4:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


def normalized(value: str | None) -> str | None:
    return None if value is None else unicodedata.normalize("NFC", value)


def cooperative_yield() -> None:
    """Under gevent, let the other greenlets run before a CPU-bound answer (a search) starts."""
    gevent = sys.modules.get("gevent")
    if gevent is not None:
        monkey = sys.modules.get("gevent.monkey")
        if monkey is not None and monkey.is_module_patched("socket"):
            gevent.sleep(0)


# ----------------------------------------------------------------------- WSGI fast path

LANG_ARGS = {"": None, **{f"lang={code}": code for code in i18n.LANGUAGES}}


class FastPath:
    """Serve a stored permalink straight from memory, or hand the request to Flask."""

    def __init__(self, app, store: PageStore, enabled=lambda: True):
        self.app, self.store, self.enabled = app, store, enabled

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "HEAD") and environ.get("QUERY_STRING", "") in LANG_ARGS and self.enabled():
            found = self.lookup(environ)
            if found is not None:
                return self.serve(environ, start_response, *found)
        return self.app(environ, start_response)

    def lookup(self, environ):
        store = self.store
        origin, path = origin_key(environ), environ.get("PATH_INFO", "")
        arg = LANG_ARGS[environ.get("QUERY_STRING", "")]
        cookie = cookie_language(environ["HTTP_COOKIE"]) if "HTTP_COOKIE" in environ else ""
        if cookie is None or (arg is not None and cookie != arg):
            return None  # Flask sets the language cookie
        entry = store._entries.get((origin, path, None))
        if entry is None:
            lang = arg or i18n.choose(None, cookie, environ.get("HTTP_ACCEPT_LANGUAGE", ""))
            entry = store._entries.get((origin, path, lang))
            if entry is None:
                return None
        if entry.by_accept and "markdown" in environ.get("HTTP_ACCEPT", ""):
            return None
        store.hits += 1
        return (entry,)

    @staticmethod
    def serve(environ, start_response, entry: Stored):
        enc = entry.pick(environ.get("HTTP_ACCEPT_ENCODING", ""))
        headers = entry.variants[enc][1]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and parse_etags(inm).contains_weak(entry.etags[enc]):
            kept = [(k, v) for k, v in headers if k.lower() in ("etag", "cache-control", "vary")]
            start_response("304 Not Modified", kept)
            return []
        start_response("200 OK", list(headers))
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body(enc)]


# ------------------------------------------------------------------ WSGI path for search answers

YIELDED = "lse.yielded"  # environ key: this request let the other greenlets run already
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE")


def answer_key(endpoint: str, pol: policies.Policy, args, environ, lang: str | None) -> tuple:
    """An answer's key in the AnswerCache: the declared parameters only, in their declared order, normalized."""
    return (endpoint, origin_key(environ), lang, tuple(normalized(args.get(name)) for name in pol.params))


class AnswerPath:
    """Plain GETs of a search endpoint answered before Flask, with the very answer Flask would give."""

    # For a unique query the request chain (context, hooks, a response object built twice) cost
    # more CPU than the search itself. Kept answers are served, new ones made, kept and served;
    # whatever needs more (a conditional request, a parameter the answer is not keyed by, an
    # error, a paste, HEAD) goes to Flask, as does everything when answers are not kept.

    def __init__(self, app, cache: AnswerCache, answers: dict[str, policies.LeanAnswer], content_type: str,
                 enabled=lambda: True):
        if any(lean.policy.by_language for lean in answers.values()):
            raise ValueError("AnswerPath keys answers without a language: only views declared by_language=False")
        self.app, self.cache, self.answers, self.enabled = app, cache, answers, enabled
        self.content_type = content_type

    def __call__(self, environ, start_response):
        lean = self.answers.get(environ.get("PATH_INFO", ""))
        if lean is not None and environ.get("REQUEST_METHOD") == "GET" and self.enabled():
            served = self.serve(lean, environ, start_response)
            if served is not None:
                return served
        return self.app(environ, start_response)

    def serve(self, lean: policies.LeanAnswer, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii() or any(name in environ for name in CONDITIONAL):
            return None
        pairs = _query_args(query)
        if pairs is None:
            return None
        args = dict(pairs)
        if not args.keys() <= set(lean.policy.params):
            return None
        cooperative_yield()
        environ[YIELDED] = True  # once per request, should Flask answer it after all
        key = answer_key(lean.endpoint, lean.policy, args, environ, None)
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        entry = self.cache.get(key)
        if entry is None:
            text = lean.make(args, environ)
            if text is None:
                return None
            headers = [("Content-Type", self.content_type), ("Cache-Control", lean.policy.cache_control)]
            entry = Stored.build(text.encode(), headers, lean.policy, self.content_type,
                                 (DYNAMIC_GZIP_LEVEL, DYNAMIC_BROTLI_QUALITY), encodings_for(accept)[:1])
            if not self.cache.put(key, entry):
                return None
        enc = entry.pick(accept)
        if enc == "identity" and entry.wanted(accept) != "identity":  # Flask compresses this one
            return None
        body, headers = entry.variants[enc]
        start_response("200 OK", headers + [("Date", http_date())])
        return [body]


def _query_args(query: str) -> list[tuple[str, str]] | None:
    """The query's arguments as Flask's request.args reads them; None when a name comes twice (Flask answers)."""
    pairs = parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote")
    return pairs if len({name for name, _ in pairs}) == len(pairs) else None
