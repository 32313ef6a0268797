"""For tools and feed readers: each code as Markdown, /llms.txt, and the change log as an Atom feed."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from changes import ChangeLog, load_changes
from i18n import select_language
from views import NAME_LIKE, get_catalog, permalink
from web import policy

tools = Blueprint("tools", __name__)

MARKDOWN = "text/markdown"
# CommonMark: any ASCII punctuation may be backslash-escaped; these are the ones that can start markup inline
# ("live_event_01" and "Q&A" stay as they are: no emphasis inside words, no entity without a ";")
MD_INLINE = re.compile(r"([\\`*\[\]<>|~]|(?<!\w)_|_(?!\w)|&(?=#?\w+;))")
# ...and these only at the start of a line (headings, quotes, lists, thematic breaks, setext underlines)
MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))", re.M)

RETRY_LABELS = {
    "no": _l("no, the same request will fail again"),
    "after_fix": _l("after fixing the request"),
    "after_wait": _l("after waiting for a change"),
    "yes": _l("yes, with backoff"),
}
WHO_LABELS = {
    "caller": _l("you, the caller"),
    "account": _l("an account administrator"),
    "operator": _l("whoever runs the stream or resource"),
    "ncp": _l("NCP support"),
}
KIND_LABELS = {"added": _l("Added"), "changed": _l("Changed"), "retired": _l("Retired")}
FIELD_LABELS = {"name": _l("Error name"), "message": _l("Message"), "description_ko": _l("Korean description"),
                "http_status": _l("HTTP status")}


def get_changes() -> ChangeLog:
    return current_app.extensions["changes"]


def md_escape(text: str) -> str:
    """Text that a Markdown renderer shows exactly as written (official text keeps its * _ [ ] and line starts)."""
    escaped = MD_INLINE.sub(r"\\\1", text or "")
    return MD_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match) -> str:
    indent, mark = match.groups()
    return indent + (mark + "\\" if mark[0].isdigit() else "\\" + mark)  # "1\." but "\#"


def md_lines(text: str, prefix: str = "") -> str:
    """Escaped text whose line breaks survive rendering (hard breaks), each line after prefix."""
    return "\\\n".join(prefix + md_escape(line) if line else prefix for line in (text or "").split("\n"))


def md_fence(text: str, info: str = "") -> str:
    """A fenced code block longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def wants_markdown() -> bool:
    """Did the client ask for Markdown rather than HTML (Accept: text/markdown)?"""
    return request.accept_mimetypes.best_match(("text/html", MARKDOWN)) == MARKDOWN


def markdown_response(body: str) -> Response:
    return Response(re.sub(r"\n{3,}", "\n\n", body), mimetype=MARKDOWN)  # templates leave extra blank lines


def _vary_on_accept(response: Response) -> Response:
    """A code page answers HTML or Markdown by Accept: caches must keep them apart."""
    if request.endpoint in ("pages.code_page", "tools.code_markdown"):
        response.vary.add("Accept")
    return response


@tools.route("/codes/<ident>.md")
@policy.permalink(accept=policy.digits_only)
def code_markdown(ident: str):
    """One code as Markdown: NCP's fields verbatim, then ours, then the example body."""
    cat = get_catalog()
    entry = cat.get(ident)
    if entry is not None:
        body = render_template(
            "code.md", entry=entry, category=cat.category(entry.category), link=permalink(entry.code),
            example_json=json.dumps(entry.example_body(), ensure_ascii=False, indent=2),
            related=[r for r in (cat.get(code) for code in entry.related) if r],
            history=get_changes().for_code(entry.code))
        return markdown_response(body)
    retired = cat.get_retired(ident)
    if retired is not None:
        body = render_template("retired.md", retired=retired, link=permalink(retired.code),
                               replaced_by=[cat.get(c) for c in retired.replaced_by if cat.get(c)],
                               history=get_changes().for_code(retired.code))
        return markdown_response(body)
    named = cat.by_name(ident) if NAME_LIKE.match(ident) else ()
    if len(named) == 1:
        return redirect(url_for("tools.code_markdown", ident=named[0].code), 301)
    abort(404)


@tools.route("/llms.txt")
@policy.permalink
def llms_txt():
    """What the site is and every code's Markdown, in the llms.txt convention."""
    cat = get_catalog()
    sections = [(c, cat.in_category(c.slug)) for c in cat.categories]
    lang_arg = {"lang": "ko"} if select_language() == "ko" else {}  # Korean readers get Korean Markdown
    body = render_template("llms.txt", sections=sections, total=len(cat), retired=cat.retired, lang_arg=lang_arg)
    return Response(body, mimetype="text/plain")


@tools.route("/changes.atom")
@policy.permalink
def changes_feed():
    """The change log as an Atom feed, newest first, so support teams can subscribe."""
    log = get_changes()
    cat = get_catalog()
    body = render_template("changes.atom.xml", changes=log.newest_first(), updated=log.updated, catalog=cat)
    return Response(body, mimetype="application/atom+xml")


def init_app(app: Flask) -> None:
    app.extensions["changes"] = load_changes(app.config["DATA_DIR"], app.extensions["catalog"])
    app.jinja_env.filters.update(md=md_escape, md_lines=md_lines, md_fence=md_fence)
    app.jinja_env.globals.update(RETRY_LABELS=RETRY_LABELS, WHO_LABELS=WHO_LABELS, KIND_LABELS=KIND_LABELS,
                                 FIELD_LABELS=FIELD_LABELS, change_history=lambda code: get_changes().for_code(code))
    app.register_blueprint(tools)
    app.after_request(_vary_on_accept)
