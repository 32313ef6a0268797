"""Search pages: /search (GET for words and shareable links, POST for pasted errors), /api/search
(GET), /api/match (POST: a pasted error, its code) and /suggest (OpenSearch suggestions, which
/opensearch.xml in views.py points browsers at). Thin views over the search service in
app.extensions["search"] (the search package) and the paste matcher (matcher.py); nothing here knows
about Whoosh. What a query leads to (results, pinned codes, a jump to one code) is decided in
one place, lookup.lookup(); the words a query matched come back as spans and are marked up here
(the `marked` template filter)."""
from __future__ import annotations

import functools
import json
import math
import re
import threading
from types import SimpleNamespace

from flask import (Blueprint, Flask, Response, abort, current_app, get_template_attribute, redirect, render_template,
                   request, url_for)
from flask_babel import force_locale
from markupsafe import Markup, escape

import i18n
from lookup import Lookup, identify, is_paste, lookup
from search import Marked
from views import api_error, get_catalog, no_store, render_code_page, value_args
from web import errors, policy
from web.origin import origin_key

search = Blueprint("search", __name__)
PAGE_SIZE = 20  # results per HTML page
API_LIMIT = 10  # default results per API call
MAX_LIMIT = 100
SUGGESTIONS = 10
MAX_PASTE_BYTES = 64 * 1024  # a whole `curl -v` dump or log excerpt
MAX_BODY_BYTES = 1024 * 1024  # a 64 KB paste form- or JSON-encoded, with room to say "too long" ourselves
CODE_LIKE = re.compile(r"^[A-Za-z#]{0,6}[\s:#-]*(\d[\d,.\s_-]{1,12}\d)$")


def get_search():
    return current_app.extensions["search"]


# ------------------------------------------------------------------------------ lookup

def find(query: str, limit: int, page: int = 1, category: str | None = None, paste: bool | None = None) -> Lookup:
    """lookup() over this app's search service and matcher; a search that could not run is a 503."""
    found = lookup(query, search=get_search(), matcher=current_app.extensions["matcher"], limit=limit, page=page,
                   category=category, paste=paste)
    if found.degraded:  # a failed search is answered as such, and never kept as an answer
        policy.incomplete()
        unavailable = errors.error_response(503)
        unavailable.headers["Retry-After"] = "5"
        abort(unavailable)
    return found


MAX_PLAIN = 8 * 1024  # texts kept escaped and encoded: every shown field of the catalog (5 per code); cleared if ever passed
MAX_MARKED = 1024  # (text, spans) pairs kept marked up (~1 KB each): a query word on a code comes back; cleared if ever passed
_plain_cache: dict[str, tuple[str, str, str]] = {}
_marked_cache: dict[tuple, tuple[str, str, str]] = {}


def marked_pieces(marked: Marked) -> tuple[str, str, str]:
    """A field's marked-up HTML, the same as a JSON string, and its spans as JSON, made once per text and spans."""
    # Most shown fields of a hit match nothing: those are kept by text alone, apart from the marked
    # ones, so that the many different marked fields of unique queries never push them out.
    spans = marked.spans
    if not spans:
        made = _plain_cache.get(marked.text)
        if made is None:
            html = str(escape(marked.text))
            made = (html, _encode(html), "[]")
            if len(_plain_cache) >= MAX_PLAIN:
                _plain_cache.clear()
            _plain_cache[marked.text] = made
        return made
    key = (marked.text, spans)
    made = _marked_cache.get(key)
    if made is None:
        html = _mark_up(marked.text, spans)
        made = (html, _encode(html), _encode([list(span) for span in spans]))
        if len(_marked_cache) >= MAX_MARKED:
            _marked_cache.clear()
        _marked_cache[key] = made
    return made


def _mark_up(text: str, spans) -> str:
    """text escaped, with each span in <mark>."""
    if not spans:
        return str(escape(text))
    out, pos = [], 0
    for start, end in spans:
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)  # every piece of text went through escape()


@search.app_template_filter("marked")
def marked_html(marked: Marked) -> Markup:
    """A field's text escaped, with each matched span in <mark>."""
    return Markup(marked_pieces(marked)[0])


HOLE = "\x00"  # never in the catalog's text (checked when a row is made), nor in escape()'s output


class ResultRows:
    """Result rows (templates/result_row.html) made once per code, language and URL root, with holes."""

    # Only the marked fields differ from one query to the next: a result then costs those alone.

    MAX_ENTRIES = 8 * 1024  # 222 codes x 2 languages x a few URL roots; cleared if ever passed

    def __init__(self):
        self._rows: dict[tuple, tuple[str, ...] | None] = {}
        self._lock = threading.Lock()

    def html(self, hit, entry, lang: str, category_titles: dict) -> Markup:
        """The row of one result: the pre-rendered pieces with this hit's marked fields between them."""
        if hit.match is not None:  # a paste pin shows the values it carried: rendered in full
            return self._macro()(hit, entry, lang, category_titles)
        key = (entry.code, lang, request.script_root)
        pieces = self._rows.get(key, False)
        if pieces is False:
            pieces = self._split(entry, lang, category_titles)
            with self._lock:
                if len(self._rows) >= self.MAX_ENTRIES:
                    self._rows.clear()
                self._rows[key] = pieces
        if pieces is None or not all(name in hit.marked for name in pieces[1::2]):
            return self._macro()(hit, entry, lang, category_titles)
        out = list(pieces)
        for i in range(1, len(out), 2):
            out[i] = marked_pieces(hit.marked[out[i]])[0]
        return Markup("".join(out))

    def _split(self, entry, lang: str, category_titles: dict) -> tuple[str, ...] | None:
        """The row cut at a hole per field (static, field, static...), or None if its own text holds one."""
        macro = self._macro()
        empty = SimpleNamespace(marked={name: Marked("") for name in MARKED_FIELDS}, match=None)
        if HOLE in str(macro(empty, entry, lang, category_titles)):
            return None
        holes = SimpleNamespace(marked={name: Marked(f"{HOLE}{name}{HOLE}") for name in MARKED_FIELDS}, match=None)
        return tuple(str(macro(holes, entry, lang, category_titles)).split(HOLE))

    @staticmethod
    def _macro():
        return get_template_attribute("result_row.html", "result_row")


MARKED_FIELDS = ("name", "message", "description_ko", "summary_en", "summary_ko")


def code_hint(query: str):
    """For a query that looks like a code without being one (E250109, 250,109): (digits, entry or None, nearest)."""
    m = CODE_LIKE.match(query.strip())
    digits = re.sub(r"\D", "", m.group(1)) if m else ""
    if not (3 <= len(digits) <= 6) or digits == query.strip():
        return None
    cat = get_catalog()
    entry = cat.get(digits)
    return digits, entry, () if entry else cat.nearest(digits)


# ------------------------------------------------------------------------------- pages

def _int_arg(name: str, default: int) -> int | None:
    """A positive integer query argument no larger than MAX_LIMIT (None if it is anything else)."""
    return _int_value(request.args.get(name), default)


def _int_value(raw: str | None, default: int) -> int | None:
    """_int_arg() of an argument's raw value."""
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_LIMIT else None


def _category(raw: str | None) -> str:
    """A known category slug, or "" (an unknown filter is dropped on the page; the API answers 400)."""
    slug = (raw or "").strip()
    return slug if slug and get_catalog().category(slug) is not None else ""


@search.route("/search", methods=["GET", "POST"])
@policy.answer("q", "category", "page")
def search_page():
    if request.method == "POST":
        return search_post()
    query = request.args.get("q", "").strip()
    page = _int_arg("page", 1) or 1
    category = _category(request.args.get("category"))
    if not query:
        return render_search(query="", found=None, category=category)
    found = find(query, PAGE_SIZE, page, category or None)
    if found.jump:  # one code or name, or a certain paste: address-bar searches jump straight there
        response = redirect(url_for("pages.code_page", ident=found.jump, **value_args(found.values)), 302)
        return no_store(response) if found.paste else response
    response = render_search(query=query, found=found, category=category)
    return no_store(response) if found.paste else response


def search_post():
    """A pasted error from a form: its code's page (with the values it carried) or the results, never in a URL."""
    request.max_content_length = request.max_form_memory_size = MAX_BODY_BYTES
    text = request.form.get("q", "")
    category = _category(request.form.get("category"))
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PASTE_BYTES:
        return no_store((render_search(query="", found=None, category=category, too_long=len(text.encode("utf-8",
                                       "surrogatepass"))), 413))
    query = text.strip()
    if not query:
        return redirect(url_for("search.search_page"), 303)
    if not is_paste(query, current_app.extensions["matcher"]):  # typed words: the ordinary, shareable search address
        return redirect(url_for("search.search_page", q=query, category=category or None), 303)
    found = find(query, PAGE_SIZE, 1, category or None, paste=True)
    if found.jump:
        entry = get_catalog().get(found.jump)
        return no_store(render_code_page(entry, {int(k): v for k, v in found.values.items()}, from_paste=True))
    return no_store(render_search(query=query, found=found, category=category, pasted_form=True))


def render_search(query: str, found: Lookup | None, category: str, pasted_form: bool = False, too_long: int = 0):
    cat = get_catalog()
    results = found.results if found else None
    category_titles = {c.slug: c for c in cat.categories}
    rows = []
    if found:
        made, lang = current_app.extensions["result_rows"], i18n.select_language()
        rows = [made.html(hit, entry, lang, category_titles) for hit in results.hits
                if (entry := cat.get(hit.code)) is not None]
    paste = found.paste if found else None
    return render_template(
        "search.html", query=query, results=results, rows=rows, category=category,
        categories=cat.categories, category_titles=category_titles,
        paste=paste, paste_entry=cat.get(paste.matches[0].code) if paste and paste.matches else None,
        pinned=found.pinned if found else 0, pasted_form=pasted_form, too_long=too_long,
        hint=code_hint(query) if query and not (paste and paste.matches) else None, **category_listing(cat))


_listing: tuple = (None, {})  # the catalog last listed, and its listing


def category_listing(cat) -> dict:
    """Each category's code range and count (the no-results page lists them), made once per catalog."""
    global _listing
    listed, listing = _listing
    if listed is not cat:
        listing = {"ranges": code_ranges(cat), "counts": {c.slug: len(cat.in_category(c.slug)) for c in cat.categories}}
        _listing = (cat, listing)
    return listing


def code_ranges(cat) -> dict[str, tuple[str, str]]:
    """The lowest and highest code of each category."""
    out = {}
    for c in cat.categories:
        codes = sorted((e.code for e in cat.in_category(c.slug)), key=int)
        if codes:
            out[c.slug] = (codes[0], codes[-1])
    return out


# --------------------------------------------------------------------------------- API

def _json_default(value):
    return current_app.json.default(value)


# JSON as the app's provider writes an answer (UTF-8 text, keys in their order, compact); one
# encoder made once, since json.dumps() with any option builds a new one per call
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode


def entry_json(entry) -> dict:
    """The fields a result shows: official text, our one-line summaries, the permalink."""
    return _entry_made(entry)[0]


def _entry_made(entry, made: dict | None = None, origin: str | None = None) -> tuple[dict, str]:
    """entry_json() and the same encoded without its closing brace, made once per code and origin."""
    # The catalog is immutable: callers copy the dict before adding to it.
    if made is None:
        made, origin = current_app.extensions["entry_json"], origin_key(request.environ)
    key = (entry.code, origin)
    found = made.get(key)
    if found is None:
        fields = {
            "code": entry.code, "name": entry.name, "message": entry.message, "description_ko": entry.description_ko,
            "summary_en": entry.summary.en, "summary_ko": entry.summary.ko, "category": entry.category,
            "http_status": entry.http_status, "url": url_for("pages.code_page", ident=entry.code, _external=True),
        }
        found = (fields, _encode(fields)[:-1])
        if len(made) >= ResultRows.MAX_ENTRIES:
            made.clear()
        made[key] = found
    return found


def result_json(hit, entry) -> dict:
    """A result: the entry's fields, each shown field's matched spans ("marks") and the same marked up."""
    return {
        **entry_json(entry), "score": hit.score, "highlights": {k: marked_pieces(v)[0] for k, v in hit.marked.items()},
        "marks": {k: [list(span) for span in v.spans] for k, v in hit.marked.items()}, "match": hit.match,
    }


def results_text(shown, made: dict, origin: str) -> str:
    """result_json() of every (hit, entry) encoded and joined, from pieces encoded once per code and per marked field."""
    out = []
    for hit, entry in shown:
        pieces = [(_encoded_key(name), marked_pieces(value)) for name, value in hit.marked.items()]
        highlights = ",".join(key + html for key, (_, html, _) in pieces)
        marks = ",".join(key + spans for key, (_, _, spans) in pieces)
        out.append(f'{_entry_made(entry, made, origin)[1]},"score":{_number(hit.score)},"highlights":{{{highlights}}},'
                   f'"marks":{{{marks}}},"match":{"null" if hit.match is None else _encode(hit.match)}}}')
    return ",".join(out)


def _number(value: float) -> str:
    """A score as the JSON encoder writes it (repr for a finite float) without a call through the encoder."""
    return float.__repr__(value) if type(value) is float and math.isfinite(value) else _encode(value)


_encoded_keys: dict[str, str] = {}


def _encoded_key(name: str) -> str:
    """'"name":', encoded once per field name."""
    found = _encoded_keys.get(name)
    if found is None:
        found = _encoded_keys[name] = _encode(name) + ":"
    return found


@search.route("/api/search")
@policy.answer("q", "limit", "page", "category", by_language=False)
def api_search():
    query = request.args.get("q")
    if query is None or not query.strip():
        return api_error("Missing required parameter q", 400)
    limit, page = _int_arg("limit", API_LIMIT), _int_arg("page", 1)
    if limit is None:
        return api_error(f"limit must be an integer from 1 to {MAX_LIMIT}", 400)
    if page is None:
        return api_error(f"page must be an integer from 1 to {MAX_LIMIT}", 400)
    cat = get_catalog()
    category = request.args.get("category", "").strip()
    if category and cat.category(category) is None:
        return api_error(f"Unknown category: {category[:100]}", 400)
    found = find(query, limit, page, category or None)
    results = found.results
    shown = [(hit, entry) for hit in results.hits if (entry := cat.get(hit.code)) is not None]
    if found.paste is not None or current_app.debug:  # rare answers (and the debugger's indented JSON): as dicts
        body = {
            "query": query, "total": results.total, "page": results.page, "limit": results.limit,
            "results": [result_json(hit, entry) for hit, entry in shown], "did_you_mean": results.did_you_mean,
        }
        if found.paste is None:
            return body
        body["paste"] = paste_json(found.paste)
        return no_store(body)
    text = api_text(query, results, shown, current_app.extensions["entry_json"], origin_key(request.environ))
    return current_app.response_class(text, mimetype=current_app.json.mimetype)


def api_text(query: str, results, shown, made: dict, origin: str) -> str:
    """The answer of api_search() for typed words: the same bytes as returning its dict, each result's fixed parts encoded once."""
    return (f'{{"query":{_encode(query)},"total":{results.total},"page":{results.page},"limit":{results.limit},'
            f'"results":[{results_text(shown, made, origin)}],'
            f'"did_you_mean":{_encode(results.did_you_mean)}}}\n')


def lean_api_search(app: Flask, args: dict, environ) -> str | None:
    """api_search()'s answer to typed words, made outside Flask's request chain (web.store.AnswerPath), or None: the view answers."""
    # None for an error, a paste, a failed search, or a code whose permalink was never made (url_for needs a request)
    query = args.get("q")
    limit, page = _int_value(args.get("limit"), API_LIMIT), _int_value(args.get("page"), 1)
    if query is None or not query.strip() or limit is None or page is None:
        return None
    extensions = app.extensions
    cat, matcher = extensions["catalog"], extensions["matcher"]
    category = args.get("category", "").strip()
    if (category and cat.category(category) is None) or matcher.looks_like_paste(query):
        return None
    found = lookup(query, search=extensions["search"], matcher=matcher, limit=limit, page=page,
                   category=category or None, paste=False)
    if found.degraded:
        return None
    made, origin = extensions["entry_json"], origin_key(environ)
    shown = [(hit, entry) for hit in found.results.hits if (entry := cat.get(hit.code)) is not None]
    if any((entry.code, origin) not in made for _, entry in shown):
        return None
    return api_text(query, found.results, shown, made, origin)


@search.route("/api/match", methods=["POST"])
@policy.private
def api_match():
    """A pasted error ({"text": ...}, up to 64 KB) → the codes it belongs to, the values it carried, notes."""
    request.max_content_length = MAX_BODY_BYTES
    data = request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return no_store(api_error('Send JSON {"text": "the error as you got it"}', 400))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_PASTE_BYTES:
        return no_store(api_error(f"text is {size} bytes; at most {MAX_PASTE_BYTES} are read", 413))
    if not text.strip():
        return no_store(api_error("text is empty", 400))
    cat = get_catalog()
    pasted = identify(text, current_app.extensions["matcher"])
    analysis, certain = pasted.analysis, pasted.certain
    body = {
        "truncated": analysis.truncated,
        "jump": {"code": certain.code, "values": dict(certain.params),
                 "url": url_for("pages.code_page", ident=certain.code, _external=True)} if certain else None,
        "matches": [{**entry_json(cat.get(m.code)), "match": m.as_json(), "notes": [note_json(n) for n in m.notes]}
                    for m in analysis.matches],
        "notes": [note_json(n) for n in analysis.notes],
        "segments": [{"text": piece, "placeholder": index} for piece, index in analysis.segments],
    }
    return no_store(body)


def paste_json(paste) -> dict:
    """What the paste matcher made of the input: notes a tool should show beside the results."""
    return {"truncated": paste.truncated, "matched": [m.code for m in paste.matches],
            "notes": [note_json(n) for n in paste.all_notes()]}


def note_json(note) -> dict:
    """A matcher note as data, with its wording in both languages (templates/paste_notes.html)."""
    word = get_template_attribute("paste_notes.html", "note_text")
    worded = {}
    for lang in i18n.LANGUAGES:
        with force_locale(lang):
            worded[lang] = Markup(word(note)).unescape()
    return {**note.as_json(), **worded}


@search.route("/suggest")
@policy.answer("q", by_language=False)
def suggest():
    """OpenSearch suggestions: [query, [completions], [descriptions], [urls]]; never an error."""
    query = request.args.get("q", "")
    suggestions = get_search().suggest(query, limit=SUGGESTIONS) if query.strip() else []
    body = [query, [s.completion for s in suggestions], [s.description for s in suggestions],
            [url_for("pages.code_page", ident=s.code, _external=True) for s in suggestions]]
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/x-suggestions+json")


def init_app(app: Flask) -> None:
    app.register_blueprint(search)
    app.extensions["result_rows"] = ResultRows()
    app.extensions["entry_json"] = {}
    lean = policy.LeanAnswer("search.api_search", getattr(api_search, policy.ATTRIBUTE),
                             functools.partial(lean_api_search, app))
    app.extensions.setdefault("lean_answers", {})["/api/search"] = lean
