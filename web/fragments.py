"""Template fragments rendered once per language and origin: ``{% fragment "name" %}...{% endfragment %}``.

The parts of a page that are the same on every request in one language (the stylesheet and
script links, the brand, the footer, the search form's attributes) cost as much to render as the
answer itself on a search page. A fragment's body is rendered the first time, then its output is
reused for the same name, interface language, translation locale and origin (scheme, host and
path prefix). So a fragment may use only those: no block, no query, no argument of the page (a
macro's arguments go into the name, or the name is `none` and the body is rendered every time).
Newly built static files (new hashed names) drop every kept fragment (`forget`).
"""
from __future__ import annotations

import threading

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

MAX_FRAGMENTS = 4096  # names x languages x origins: a handful of each; cleared if ever passed


class FragmentExtension(Extension):
    """The ``fragment`` tag (after Jinja's own fragment cache example)."""

    tags = {"fragment"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragments={}, fragments_lock=threading.Lock())

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", [name]), [], [], body).set_lineno(lineno)

    def _render(self, name: str | None, caller) -> Markup:
        from flask import has_request_context

        if name is None or not has_request_context():  # nothing to key it by: rendered every time
            return Markup(caller())
        key = (name, *fragment_key())
        kept = self.environment.fragments
        found = kept.get(key)
        if found is None:
            found = Markup(caller())
            with self.environment.fragments_lock:
                if len(kept) >= MAX_FRAGMENTS:
                    kept.clear()
                kept[key] = found
        return found


def forget(app) -> None:
    """Drop every kept fragment: what they were made from changed (the static files' names)."""
    kept = getattr(app.jinja_env, "fragments", None)
    if kept is not None:
        with app.jinja_env.fragments_lock:
            kept.clear()


def fragment_key() -> tuple:
    """What a fragment may depend on: the interface language, the translations' locale, the origin."""
    from flask import g, request
    from flask_babel import get_locale

    from i18n import select_language

    # request.root_url is rebuilt on every access; the locale is not kept, force_locale() may change it
    root = g.get("fragment_root")
    if root is None:
        root = g.fragment_root = request.root_url
    return select_language(), str(get_locale()), root
