"""Search pages: /search (HTML) and /api/search (JSON)."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for

from views import api_error, get_catalog

search = Blueprint("search", __name__)
MAX_QUERY = 4096


def simple_find(query: str):
    """Codes whose code, name, message or Korean description contain the query (case-insensitive)."""
    needle = query.casefold()
    return [c for c in get_catalog().codes
            if needle in f"{c.code} {c.name} {c.message} {c.description_ko}".casefold()]


@search.route("/search")
def search_page():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    cat = get_catalog()
    if query:
        exact = cat.get(query) or (cat.by_name(query)[0] if len(cat.by_name(query)) == 1 else None)
        if exact:
            return redirect(url_for("pages.code_page", ident=exact.code), 302)
    results = simple_find(query) if query else []
    return render_template("search.html", query=query, results=results)


@search.route("/api/search")
def api_search():
    query = request.args.get("q")
    if query is None or not query.strip():
        return api_error("Missing required parameter q", 400)
    results = simple_find(query.strip()[:MAX_QUERY])
    return {"query": query, "total": len(results), "results": [
        {"code": c.code, "name": c.name, "message": c.message, "description_ko": c.description_ko,
         "category": c.category, "url": url_for("pages.code_page", ident=c.code, _external=True),
         "score": 1.0, "highlights": {}, "match": None} for c in results], "did_you_mean": None}


def init_app(app: Flask) -> None:
    app.register_blueprint(search)
