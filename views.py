"""Pages and JSON for the catalog: thin views over the loaded catalog."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, request, url_for

from catalog import Catalog, ErrorCode

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


def get_catalog() -> Catalog:
    return current_app.extensions["catalog"]


def code_json(entry: ErrorCode) -> dict:
    """The public JSON object of one code, with its permalink."""
    return {**entry.as_dict(), "url": url_for("pages.code_page", ident=entry.code, _external=True)}


# ------------------------------------------------------------------------------- pages

@pages.route("/")
def home():
    cat = get_catalog()
    counts = {c.slug: len(cat.in_category(c.slug)) for c in cat.categories}
    return render_template("home.html", categories=cat.categories, counts=counts, total=len(cat))


@pages.route("/categories/<slug>")
def category_page(slug: str):
    cat = get_catalog()
    category = cat.category(slug)
    if category is None:
        abort(404)
    return render_template("category.html", category=category, codes=cat.in_category(slug))


@pages.route("/codes/<path:ident>")
def code_page(ident: str):
    cat = get_catalog()
    if ident.isascii() and ident.isdigit():
        entry = cat.get(ident)
        if entry is not None:
            return render_template("code.html", entry=entry, category=cat.category(entry.category),
                                   related=[cat.get(r) for r in entry.related],
                                   same_message=cat.same_message(entry),
                                   same_name=[c for c in cat.by_name(entry.name) if c is not entry] if entry.name else [],
                                   example_json=json.dumps(entry.example_body(), ensure_ascii=False, indent=2))
        retired = cat.get_retired(ident)
        if retired is not None:
            return render_template("retired.html", retired=retired, category=cat.category(retired.category),
                                   replaced_by=[cat.get(c) for c in retired.replaced_by if cat.get(c)])
        return not_found(nearest=cat.nearest(ident), ident=ident)
    if NAME_LIKE.match(ident):
        named = cat.by_name(ident)
        if len(named) == 1:
            return redirect(url_for("pages.code_page", ident=named[0].code), 301)
        if named:
            return render_template("name_choice.html", name=ident.upper(), codes=named)
    return not_found(ident=ident)


def not_found(nearest=(), ident: str = ""):
    """The 404 page, offering the nearest existing codes when the request looked like a code."""
    return render_template("404.html", nearest=nearest, ident=ident[:100]), 404


# --------------------------------------------------------------------------------- api

@api.route("/codes")
def api_codes():
    codes = [code_json(c) for c in get_catalog().codes]
    return jsonify({"count": len(codes), "codes": codes})


@api.route("/codes/<ident>")
def api_code(ident: str):
    entry = get_catalog().get(ident)
    if entry is None:
        return api_error(f"Unknown error code: {ident[:100]}", 404)
    return jsonify(code_json(entry))


def api_error(message: str, status: int):
    return jsonify({"error": {"message": message}}), status


def init_app(app: Flask) -> None:
    app.register_blueprint(pages)
    app.register_blueprint(api)

    @app.errorhandler(404)
    def handle_404(error):
        if request.path.startswith("/api/"):
            return api_error("Not found", 404)
        return not_found()
