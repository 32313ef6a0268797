"""Pages and JSON for the catalog: thin views over the loaded catalog."""
from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

from flask import (Blueprint, Flask, Response, abort, current_app, jsonify, redirect, render_template, request,
                   send_file, send_from_directory, url_for)
from flask_babel import force_locale

from catalog import PLACEHOLDER_RE, Catalog, ErrorCode
from relations import Relations
from share_images import ShareImages
from web import policy

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
CSV_FIELDS = ("code", "name", "message", "description_ko", "category", "source", "http_status", "url",
              "summary_en", "summary_ko", "retry", "who_acts", "next_steps_en", "next_steps_ko", "states",
              "request_fields")
CSV_FILENAME = "livestation-error-codes.csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_VALUE = 300  # longest placeholder value shown from a link (?v0=...)
YEAR = 365 * 24 * 3600
NO_STORE = "no-store"  # answers that show a visitor's own error: never kept by any cache


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
    with force_locale(lang):  # a part of the code page, not a page: no template signal of its own
        template = current_app.jinja_env.get_template("reply.txt")
        return template.render(entry=entry, reply_lang=lang, url=permalink(entry.code, lang)).strip()


# ------------------------------------------------------------------------------- pages

@pages.route("/")
@policy.permalink
def home():
    cat = get_catalog()
    counts = {c.slug: len(cat.in_category(c.slug)) for c in cat.categories}
    return render_template("home.html", categories=cat.categories, counts=counts, total=len(cat),
                           canonical=url_for("pages.home", _external=True))


@pages.route("/categories/<slug>")
@policy.permalink
def category_page(slug: str):
    cat = get_catalog()
    category = cat.category(slug)
    if category is None:
        abort(404)
    return render_template("category.html", category=category, codes=cat.in_category(slug),
                           canonical=url_for("pages.category_page", slug=slug, _external=True))


@pages.route("/codes")
@policy.permalink
def all_codes():
    """Every code on one page, by category: the index a person can scan or search with Ctrl+F."""
    cat = get_catalog()
    return render_template("all_codes.html", groups=[(c, cat.in_category(c.slug)) for c in cat.categories],
                           total=len(cat), canonical=url_for("pages.all_codes", _external=True))


@pages.route("/codes/<ident>.json")
@policy.permalink(by_language=False)
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
@policy.permalink(by_accept=True, accept=policy.digits_only)
def code_page(ident: str):
    if request.accept_mimetypes.best_match(("text/html", "text/markdown")) == "text/markdown":
        return current_app.view_functions["tools.code_markdown"](ident)  # the same as /codes/<code>.md
    cat = get_catalog()
    if ident.endswith("/") and ident.strip("/"):  # /codes/250104/ is /codes/250104
        return redirect(url_for("pages.code_page", ident=ident.strip("/"), **request.args), 301)
    if ident.isascii() and ident.isdigit():
        entry = cat.get(ident)
        if entry is not None:
            values = link_values(entry)
            response = render_code_page(entry, values)
            return no_store(response) if values else response
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


def render_code_page(entry: ErrorCode, values: dict[int, str] | None = None, from_paste: bool = False) -> str:
    """A code's page; with `values` (what a pasted error carried) or from a paste, a "your error" panel on top."""
    cat = get_catalog()
    confused = get_relations().confused_with(entry)
    shown = {c.code.code for c in confused}
    return render_template(
        "code.html", entry=entry, category=cat.category(entry.category),
        related=[r for r in (cat.get(code) for code in entry.related) if r and r.code not in shown],
        confused=confused, canonical=permalink(entry.code), share_image=share_image_url(entry),
        replies=[("ko", "한국어", reply_text(entry, "ko")), ("en", "English", reply_text(entry, "en"))],
        example_json=json.dumps(entry.example_body(), ensure_ascii=False, indent=2),
        pasted=message_pieces(entry.message, values or {}) if values or from_paste else None, values=values or {},
        from_paste=from_paste)


def link_values(entry: ErrorCode) -> dict[int, str]:
    """Placeholder values carried by a link from a pasted error: /codes/250021?v0=pageNo&v1=Integer."""
    values = {}
    for index in entry.placeholder_indexes:
        value = request.args.get(f"v{index}", "").strip()
        if value:
            values[index] = value[:MAX_VALUE]
    return values


def value_args(values: dict) -> dict[str, str]:
    """The query arguments that carry placeholder values to a code page (see link_values)."""
    return {f"v{index}": value for index, value in sorted(values.items(), key=lambda kv: int(kv[0]))}


def message_pieces(message: str, values: dict[int, str]) -> list[tuple[str, int | None]]:
    """The message with its placeholders filled: (text, placeholder index or None) pieces."""
    pieces: list[tuple[str, int | None]] = []
    for i, part in enumerate(PLACEHOLDER_RE.split(message)):
        if i % 2 == 0:
            if part:
                pieces.append((part, None))
        else:
            index = int(part)
            pieces.append((values.get(index, "{%d}" % index), index))
    return pieces


def no_store(response):
    """Keep a visitor's own error out of every cache (the browser's, proxies', the site's)."""
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = NO_STORE
    return response


def not_found(nearest=(), ident: str = ""):
    """The 404 page, offering the nearest existing codes when the request looked like a code."""
    return render_template("404.html", nearest=nearest, ident=ident[:100]), 404


# ------------------------------------------------------------- browsers, crawlers, sharing

@pages.route("/opensearch.xml")
@policy.permalink
def opensearch():
    xml = render_template("opensearch.xml", search_url=url_for("search.search_page", _external=True))
    return Response(xml, mimetype="application/opensearchdescription+xml")


@pages.route("/sitemap.xml")
@policy.permalink(by_language=False)
def sitemap():
    cat = get_catalog()
    dates = data_dates()
    newest = max(dates.values(), default=None)
    urls = [(url_for("pages.home", _external=True), newest), (url_for("pages.all_codes", _external=True), newest)]
    urls += [(url_for("pages.category_page", slug=c.slug, _external=True), dates.get(c.slug)) for c in cat.categories]
    urls += [(permalink(c.code), dates.get(c.category)) for c in cat.codes]
    urls += [(permalink(r.code), dates.get("retired", newest)) for r in cat.retired]
    xml = render_template("sitemap.xml", urls=urls, languages=current_app.jinja_env.globals["LANGUAGES"])
    return Response(xml, mimetype="application/xml")


def data_dates() -> dict[str, str]:
    """The day each data file last changed (its last commit, else its mtime), keyed by file stem; once per process."""
    dates = current_app.extensions.get("data_dates")
    if dates is None:
        dates = {}
        for path in sorted(Path(current_app.config["DATA_DIR"]).glob("*.toml")):
            dates[path.stem] = _last_commit_day(path) or datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()
        current_app.extensions["data_dates"] = dates
    return dates


def _last_commit_day(path: Path) -> str | None:
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path.name], cwd=path.parent,
                             capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out) else None


@pages.route("/share/<name>")
@policy.permalink(by_language=False)
def share_image(name: str):
    """A code's share image (og:image); its name carries a hash of what it shows, so it is cached for a year."""
    images = current_app.extensions.get("share_images")
    path = images.path_of(name) if images else None
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def share_image_url(entry: ErrorCode) -> str | None:
    images = current_app.extensions.get("share_images")
    name = images.name_of(entry.code) if images else None
    return url_for("pages.share_image", name=name, _external=True) if name else None


@pages.route("/robots.txt")
@policy.permalink(by_language=False)
def robots():
    lines = ["User-agent: *", "Allow: /", "Disallow: /search", "Disallow: /suggest", "Disallow: /api/search",
             "", f"Sitemap: {url_for('pages.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@pages.route("/favicon.ico")
@policy.permalink(by_language=False)
def favicon():
    return send_from_directory(current_app.static_folder, "favicon-32.png", mimetype="image/png")


# --------------------------------------------------------------------------------- api

@api.route("/codes")
@policy.permalink(by_language=False)
def api_codes():
    codes = [code_json(c) for c in get_catalog().codes]
    return jsonify({"count": len(codes), "codes": codes})


@api.route("/codes.csv")
@policy.permalink(by_language=False)
def api_codes_csv():
    """The whole catalog for spreadsheets: UTF-8 with a BOM so Excel reads the Korean correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for entry in get_catalog().codes:
        row = {**entry.as_dict(), "url": permalink(entry.code), **guidance_columns(entry)}
        writer.writerow([_csv_cell(row[f]) for f in CSV_FIELDS])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{CSV_FILENAME}"'})


def guidance_columns(entry: ErrorCode) -> dict:
    """The guidance as flat CSV cells: lists joined by newlines (steps) or commas (names)."""
    g = entry.guidance
    if g is None:
        return dict.fromkeys(("retry", "who_acts", "next_steps_en", "next_steps_ko", "states", "request_fields"), "")
    return {"retry": g.retry, "who_acts": g.who_acts, "next_steps_en": "\n".join(s.en for s in g.next_steps),
            "next_steps_ko": "\n".join(s.ko for s in g.next_steps), "states": ", ".join(g.states),
            "request_fields": ", ".join(g.request_fields)}


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: no formulas from text that starts with = + - @."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@api.route("/codes/<ident>")
@policy.permalink(by_language=False)
def api_code(ident: str):
    entry = get_catalog().get(ident)
    if entry is None:
        return api_error(f"Unknown error code: {ident[:100]}", 404)
    return jsonify(code_json(entry))


def api_error(message: str, status: int):
    return jsonify({"error": {"status": status, "message": message}}), status


def init_app(app: Flask) -> None:
    app.extensions["relations"] = Relations(app.extensions["catalog"].codes)
    app.jinja_env.globals["code_entry"] = lambda code: get_catalog().get(code)
    if app.config.get("SHARE_IMAGES", True):
        build_share_images(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)

    @app.errorhandler(404)
    def handle_404(error):
        if request.path.startswith("/api/"):
            return api_error("Not found", 404)
        return not_found()


def build_share_images(app: Flask) -> None:
    """Render every code's share image once (kept on disk between starts); without them pages use the icon."""
    directory = Path(app.config.get("SHARE_IMAGE_DIR") or Path(app.root_path) / "share_images")
    images = ShareImages(app.extensions["catalog"], directory, app.config.get("SITE_NAME", "Live Station Error Codes"))
    try:
        try:
            images.build()
        except PermissionError:  # a read-only checkout: a directory of our own in the temp dir
            images.directory = Path(tempfile.gettempdir()) / "lse-share-images"
            images.build()
    except Exception:  # noqa: BLE001 - link previews are not worth refusing to start for
        app.logger.exception("share images could not be built in %s", images.directory)
        return
    if images.rendered:
        app.logger.info("rendered %d share images into %s", images.rendered, images.directory)
    app.extensions["share_images"] = images
