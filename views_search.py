"""Search pages: /search (HTML), /api/search (JSON) and /suggest (OpenSearch suggestions, which
/opensearch.xml in views.py points browsers at). Thin views over the search service in
app.extensions["search"] (search.py); nothing here knows about Whoosh."""
from __future__ import annotations

import dataclasses
import json

from flask import (Blueprint, Flask, Response, current_app, get_template_attribute, redirect, render_template,
                   request, url_for)
from flask_babel import force_locale
from markupsafe import Markup

import i18n
from views import api_error, get_catalog

search = Blueprint("search", __name__)
PAGE_SIZE = 20  # results per HTML page
API_LIMIT = 10  # default results per API call
MAX_LIMIT = 100
SUGGESTIONS = 10


def get_search():
    return current_app.extensions["search"]


def find(query: str, limit: int, page: int, category: str | None):
    """Search, with the codes a pasted message or error body matches pinned at the top.

    Returns (results, paste analysis or None). Words typed into the box go straight to search:
    a catch-all template would otherwise claim them ("channel not found" fits "{0} not found.").
    """
    matcher = current_app.extensions["matcher"]
    analysis = matcher.analyse(query) if matcher.looks_like_paste(query) else None
    if analysis is not None:
        # A template that is all placeholder ("{0}") fits any text: the last resort, never pinned above
        # what the words find, unless the body's errorCode or errorName named it.
        real = tuple(m for m in analysis.matches if m.specificity > 0 or m.source != "message")
        if len(real) != len(analysis.matches):
            analysis = dataclasses.replace(analysis, matches=real, segments=analysis.segments if real else ())
    pinned = [(m.code, m.as_json()) for m in analysis.matches] if analysis else ()
    if category and pinned:
        cat = get_catalog()
        pinned = [(code, match) for code, match in pinned if cat.get(code).category == category]
    results = get_search().search(analysis.text if analysis else query, limit=limit, page=page,
                                  category=category, pinned=pinned if page == 1 else ())
    return results, analysis


def _int_arg(name: str, default: int) -> int | None:
    """A positive integer query argument no larger than MAX_LIMIT (None if it is anything else)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_LIMIT else None


def result_json(hit, entry) -> dict:
    return {
        "code": hit.code, "name": entry.name, "message": entry.message, "description_ko": entry.description_ko,
        "category": entry.category, "url": url_for("pages.code_page", ident=hit.code, _external=True),
        "score": hit.score, "highlights": {k: str(v) for k, v in hit.highlights.items()}, "match": hit.match,
    }


@search.route("/search")
def search_page():
    cat = get_catalog()
    query = request.args.get("q", "").strip()
    page = _int_arg("page", 1) or 1
    category = request.args.get("category", "").strip()
    if category and cat.category(category) is None:
        category = ""  # an unknown filter is dropped on the page (the API answers 400)
    if not query:
        return render_template("search.html", query="", results=None, category=category,
                               categories=cat.categories)
    results, paste = find(query, PAGE_SIZE, page, category or None)
    if len(results.exact_codes) == 1 and not category and page == 1 and paste is None:
        # one code or one unambiguous name (or alias): address-bar searches jump straight there
        return redirect(url_for("pages.code_page", ident=results.exact_codes[0]), 302)
    entries = [(hit, cat.get(hit.code)) for hit in results.hits if cat.get(hit.code) is not None]
    return render_template("search.html", query=query, results=results, entries=entries, category=category,
                           categories=cat.categories, category_titles={c.slug: c for c in cat.categories},
                           paste=paste, paste_entry=cat.get(paste.matches[0].code) if paste and paste.matches else None)


@search.route("/api/search")
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
    results, paste = find(query, limit, page, category or None)
    body = {
        "query": query, "total": results.total, "page": results.page, "limit": results.limit,
        "results": [result_json(hit, cat.get(hit.code)) for hit in results.hits if cat.get(hit.code)],
        "did_you_mean": results.did_you_mean,
    }
    if paste is not None:
        body["paste"] = paste_json(paste)
    return body


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
def suggest():
    """OpenSearch suggestions: [query, [completions], [descriptions], [urls]]; never an error."""
    query = request.args.get("q", "")
    suggestions = get_search().suggest(query, limit=SUGGESTIONS) if query.strip() else []
    body = [query, [s.completion for s in suggestions], [s.description for s in suggestions],
            [url_for("pages.code_page", ident=s.code, _external=True) for s in suggestions]]
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/x-suggestions+json")


def init_app(app: Flask) -> None:
    app.register_blueprint(search)
