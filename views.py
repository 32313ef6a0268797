"""Pages and JSON for the catalog: thin views over the loaded catalog."""
from __future__ import annotations

import csv
import io
import json
import re

from flask import (Blueprint, Flask, Response, abort, current_app, jsonify, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import force_locale
from flask_babel import gettext as _

from catalog import Catalog, ErrorCode
from relations import Relations

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
CSV_FIELDS = ("code", "name", "message", "description_ko", "category", "source", "http_status", "url",
              "summary_en", "summary_ko")
CSV_FILENAME = "livestation-error-codes.csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def get_catalog() -> Catalog:
    return current_app.extensions["catalog"]


def get_relations() -> Relations:
    return current_app.extensions["relations"]


def permalink(code: str, lang: str | None = None) -> str:
    """The absolute, language-neutral URL of a code's page (with ?lang= when asked)."""
    return url_for("pages.code_page", ident=code, _external=True, **({"lang": lang} if lang else {}))


def code_json(entry: ErrorCode) -> dict:
    """The public JSON object of one code, with its permalink."""
    return {**entry.as_dict(), "url": permalink(entry.code)}


# ---------------------------------------------------------------------- support replies

def reply_text(entry: ErrorCode, lang: str) -> str:
    """A ready-to-send plain-text reply about this code, in Korean or English whatever the UI language."""
    with force_locale(lang):
        name = f" ({entry.name})" if entry.name else ""
        if entry.source == "api-gateway":
            intro = _("The error you received is NAVER Cloud Platform API Gateway error %(code)s%(name)s "
                      "(HTTP %(status)s).", code=entry.code, name=name, status=entry.http_status)
        else:
            intro = _("The error you received is Live Station API error %(code)s%(name)s.",
                      code=entry.code, name=name)
        official = f"\"{entry.message}\""
        if lang == "ko" and entry.description_ko:
            official += f"\n({entry.description_ko})"
        lines = [_("Hello,"), "", intro, official]
        meaning, fix = entry.explanation(lang) or entry.summary(lang), entry.fix(lang)
        if meaning or fix:
            lines.append("")
        if meaning:
            lines.append(_("What it means: %(text)s", text=meaning))
        if fix:
            lines.append(_("What to do: %(text)s", text=fix))
        lines += ["", _("If it keeps happening, please send us the full error response and the time it "
                        "occurred."), "", _("Details: %(url)s", url=permalink(entry.code, lang))]
        return "\n".join(lines)


# ------------------------------------------------------------------------------- pages

@pages.route("/")
def home():
    cat = get_catalog()
    counts = {c.slug: len(cat.in_category(c.slug)) for c in cat.categories}
    return render_template("home.html", categories=cat.categories, counts=counts, total=len(cat),
                           canonical=url_for("pages.home", _external=True))


@pages.route("/categories/<slug>")
def category_page(slug: str):
    cat = get_catalog()
    category = cat.category(slug)
    if category is None:
        abort(404)
    return render_template("category.html", category=category, codes=cat.in_category(slug),
                           canonical=url_for("pages.category_page", slug=slug, _external=True))


@pages.route("/codes/<ident>.json")
def code_json_page(ident: str):
    """One code as JSON next to its page: /codes/250104.json (a unique name redirects to it)."""
    cat = get_catalog()
    entry = cat.get(ident)
    if entry is not None:
        return jsonify(code_json(entry))
    named = cat.by_name(ident) if NAME_LIKE.match(ident) else ()
    if len(named) == 1:
        return redirect(url_for("pages.code_json_page", ident=named[0].code), 301)
    return api_error(f"Unknown error code: {ident[:100]}", 404)


@pages.route("/codes/<path:ident>")
def code_page(ident: str):
    cat = get_catalog()
    if ident.isascii() and ident.isdigit():
        entry = cat.get(ident)
        if entry is not None:
            confused = get_relations().confused_with(entry)
            shown = {c.code.code for c in confused}
            return render_template(
                "code.html", entry=entry, category=cat.category(entry.category),
                related=[r for r in (cat.get(code) for code in entry.related) if r and r.code not in shown],
                confused=confused, canonical=permalink(entry.code),
                replies=[("ko", "한국어", reply_text(entry, "ko")), ("en", "English", reply_text(entry, "en"))],
                example_json=json.dumps(entry.example_body(), ensure_ascii=False, indent=2))
        retired = cat.get_retired(ident)
        if retired is not None:
            return render_template("retired.html", retired=retired, category=cat.category(retired.category),
                                   replaced_by=[cat.get(c) for c in retired.replaced_by if cat.get(c)],
                                   canonical=permalink(retired.code))
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


# ------------------------------------------------------------- browsers, crawlers, sharing

@pages.route("/opensearch.xml")
def opensearch():
    xml = render_template("opensearch.xml", search_url=url_for("search.search_page", _external=True))
    return Response(xml, mimetype="application/opensearchdescription+xml")


@pages.route("/sitemap.xml")
def sitemap():
    cat = get_catalog()
    urls = [url_for("pages.home", _external=True)]
    urls += [url_for("pages.category_page", slug=c.slug, _external=True) for c in cat.categories]
    urls += [permalink(c.code) for c in cat.codes]
    urls += [permalink(r.code) for r in cat.retired]
    xml = render_template("sitemap.xml", urls=urls, languages=current_app.jinja_env.globals["LANGUAGES"])
    return Response(xml, mimetype="application/xml")


@pages.route("/robots.txt")
def robots():
    lines = ["User-agent: *", "Allow: /", "Disallow: /search", "Disallow: /suggest", "Disallow: /api/search",
             "", f"Sitemap: {url_for('pages.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@pages.route("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon-32.png", mimetype="image/png")


# --------------------------------------------------------------------------------- api

@api.route("/codes")
def api_codes():
    codes = [code_json(c) for c in get_catalog().codes]
    return jsonify({"count": len(codes), "codes": codes})


@api.route("/codes.csv")
def api_codes_csv():
    """The whole catalog for spreadsheets: UTF-8 with a BOM so Excel reads the Korean correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for entry in get_catalog().codes:
        row = {**entry.as_dict(), "url": permalink(entry.code)}
        writer.writerow([_csv_cell(row[f]) for f in CSV_FIELDS])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{CSV_FILENAME}"'})


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: no formulas from text that starts with = + - @."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@api.route("/codes/<ident>")
def api_code(ident: str):
    entry = get_catalog().get(ident)
    if entry is None:
        return api_error(f"Unknown error code: {ident[:100]}", 404)
    return jsonify(code_json(entry))


def api_error(message: str, status: int):
    return jsonify({"error": {"message": message}}), status


def init_app(app: Flask) -> None:
    app.extensions["relations"] = Relations(app.extensions["catalog"].codes)
    app.jinja_env.globals["code_entry"] = lambda code: get_catalog().get(code)
    app.register_blueprint(pages)
    app.register_blueprint(api)

    @app.errorhandler(404)
    def handle_404(error):
        if request.path.startswith("/api/"):
            return api_error("Not found", 404)
        return not_found()
