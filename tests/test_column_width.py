"""No rendered page holds a run of text that cannot wrap and is wider than a 360 px phone's column.

Which elements may wrap anywhere, which never wrap and which are clipped is read from static/style.css
(the rules that apply on a phone), so the check follows the stylesheet; the browser tests look at the
widest pages of each template, this looks at every page the site renders."""
import functools
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from support import ROOT

PHONE_WIDTH = 360
GUTTER = 2 * 0.9 * 16  # main and header padding on a phone (@media (max-width:40rem)): .9em each side
COLUMN = PHONE_WIDTH - GUTTER
NARROW, WIDE = 10.5, 16.0  # px per character at 16 px: a generous Latin average, a full-width (Hangul) glyph
NO_BREAK = "\u00a0\u2007\u202f\u2060\u2011\ufeff"  # white space and hyphens a line may not break at
BLOCKS = {"html", "body", "header", "footer", "main", "nav", "section", "article", "aside", "div", "p", "ul", "ol",
          "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
          "form", "fieldset", "legend", "blockquote", "pre", "figure", "figcaption", "details", "summary", "br",
          "hr", "input", "button", "select", "textarea", "label", "img", "svg"}
NEVER_SHOWN = {"head", "script", "style", "template", "noscript", "option", "textarea", "svg"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SIMPLE = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?P<rest>(?:[.#][\w-]+|:lang\([a-z]+\)|:first-child)*)$")


def phone_rules(css: str) -> list[tuple[str, dict]]:
    """(selector, {property: value}) for white-space, overflow-wrap, word-break and overflow, in stylesheet order."""
    rules, media = [], []  # media: for each open @media block, whether it applies on a phone screen
    for m in re.finditer(r"@media([^{]*)\{|@[\w-]+[^{]*\{[^{}]*\}|\}|([^{}@]+)\{([^{}]*)\}",
                         re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        if m.group(1) is not None:
            media.append("print" not in m.group(1) and "prefers-color-scheme" not in m.group(1))
        elif m.group(0) == "}":
            media.pop()
        elif m.group(2) is not None and all(media):
            declarations = (d.split(":", 1) for d in m.group(3).split(";") if ":" in d)
            wanted = {k.strip(): v.strip().removesuffix("!important") for k, v in declarations
                      if k.strip() in ("white-space", "overflow-wrap", "overflow", "word-break")}
            if wanted:
                rules += [(selector.strip(), wanted) for selector in m.group(2).split(",")]
    return rules


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.parent, self.children_seen = tag, parent, 0
        self.classes = set((attrs.get("class") or "").split())
        self.id = attrs.get("id")
        self.lang = attrs.get("lang") or (parent.lang if parent else "")
        self.first_child = parent is not None and parent.children_seen == 0
        self.hidden = "hidden" in attrs or (parent is not None and parent.hidden) or tag in NEVER_SHOWN
        self.style = {}


@functools.cache
def compound_parts(compound: str) -> tuple:
    """(tag, classes, id, lang, first-child) of one compound selector."""
    m = SIMPLE.match(compound)
    if not m:
        raise AssertionError(f"style.css selector part {compound!r} is not understood by this test: teach it")
    parts = re.findall(r"[.#][\w-]+|:lang\([a-z]+\)|:first-child", m.group("rest"))
    return (m.group("tag"), frozenset(p[1:] for p in parts if p[0] == "."),
            next((p[1:] for p in parts if p[0] == "#"), None), next((p[6:-1] for p in parts if p[0] == ":" and
                                                                    p != ":first-child"), None), ":first-child" in parts)


def matches_compound(compound: str, el: Element) -> bool:
    tag, classes, ident, lang, first_child = compound_parts(compound)
    return ((not tag or tag == el.tag) and classes <= el.classes and (ident is None or ident == el.id)
            and (lang is None or el.lang == lang or el.lang.startswith(lang + "-"))
            and (not first_child or el.first_child))


def matches(selector: str, el: Element) -> bool:
    """Compound selectors joined by descendant combinators, which is all style.css uses for these properties."""
    *ancestors, last = selector.split()
    if not matches_compound(last, el):
        return False
    node = el.parent
    for compound in reversed(ancestors):
        while node is not None and not matches_compound(compound, node):
            node = node.parent
        if node is None:
            return False
        node = node.parent
    return True


class Runs(HTMLParser):
    """Collects the runs of visible text a line cannot break inside."""

    def __init__(self, rules):
        super().__init__(convert_charrefs=True)
        self.rules, self.stack, self.runs, self.current = rules, [], [], []

    def cut(self):
        if self.current:
            self.runs.append("".join(self.current))
            self.current = []

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else None
        el = Element(tag, dict(attrs), parent)
        inherited = dict(parent.style) if parent else {"white-space": "normal", "overflow-wrap": "normal"}
        inherited.pop("overflow", None)  # not inherited
        for selector, declarations in self.rules:
            if matches(selector, el):
                inherited.update(declarations)
        el.style = inherited
        el.clipped = inherited.get("overflow") == "hidden" or (parent is not None and parent.clipped)
        if parent:
            parent.children_seen += 1
        if tag in BLOCKS:
            self.cut()
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            el = self.stack.pop()
            if el.tag == tag:
                break
        if tag in BLOCKS:
            self.cut()

    def handle_data(self, data):
        el = self.stack[-1] if self.stack else None
        if el is None or el.hidden or el.clipped:
            self.cut()
            return
        nowrap = el.style["white-space"] == "nowrap"
        anywhere = el.style["overflow-wrap"] == "anywhere" or el.style.get("word-break") == "break-all"
        if anywhere and not nowrap:
            self.cut()
            return
        for ch in data:
            if ch.isspace() and ch not in NO_BREAK and not nowrap:
                self.cut()
            else:
                self.current.append(" " if ch.isspace() else ch)


def width(run: str) -> float:
    return sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else NARROW for ch in run)


def widest_run(page: str) -> tuple[float, str]:
    parser = Runs(RULES)
    parser.feed(page)
    parser.close()
    parser.cut()
    return max(((width(r.strip()), r.strip()) for r in parser.runs), default=(0.0, ""))


RULES = phone_rules((ROOT / "static" / "style.css").read_text("utf-8"))


def every_page(cat) -> list[str]:
    paths = (["/", "/codes", "/nope", "/codes/999999", "/search?q=channel", "/search?q=zzzqqq",
              "/search?q=" + quote("채널"), "/search?q=" + quote("CH-1 not found."),
              "/codes/250021?v0=pageNo&v1=Integer", "/codes/OPEN_API_UNAUTHORIZED"]
             + [f"/categories/{c.slug}" for c in cat.categories] + [f"/codes/{c.code}" for c in cat.codes]
             + [f"/codes/{r.code}" for r in cat.retired])
    return [f"{path}{'&' if '?' in path else '?'}lang={lang}" for lang in ("en", "ko") for path in paths]


def test_the_stylesheet_rules_the_check_relies_on_are_read():
    """The parts of style.css that decide wrapping are found (a renamed rule must not pass silently)."""
    wraps = {s for s, d in RULES if d.get("overflow-wrap") == "anywhere"}
    never = {s for s, d in RULES if d.get("white-space") == "nowrap"}
    assert {"main", ":lang(ko)", "code", "pre"} <= wraps
    assert "table.codes td:first-child" in never


def test_no_page_has_text_wider_than_a_phone_column_that_cannot_wrap(stateless_client, catalog):
    too_wide = []
    for path in every_page(catalog):
        response = stateless_client.get(path)
        assert response.status_code in (200, 404), path
        px, run = widest_run(response.get_data(as_text=True))
        if px > COLUMN:
            too_wide.append(f"{path}: {run!r} ({px:.0f} px > {COLUMN:.0f})")
    assert too_wide == []


@pytest.mark.parametrize("markup, wider", [
    ('<footer class="site">' + "x" * 40 + "</footer>", True),  # outside main, English: no wrapping anywhere
    ('<footer class="site">' + "x " * 40 + "</footer>", False),  # spaces break it
    ('<footer class="site">' + "x\u00a0" * 40 + "</footer>", True),  # non-breaking spaces do not
    ("<main><p>" + "x" * 400 + "</p></main>", False),  # main wraps anywhere
    ('<main><table class="codes"><tr><td>' + "2 5 " * 20 + "</td></tr></table></main>", True),  # nowrap cell
    ('<footer class="site" lang="ko">' + "가" * 40 + "</footer>", False),  # :lang(ko) wraps anywhere
    ('<footer class="site"><span class="visually-hidden">' + "x" * 99 + "</span></footer>", False),  # clipped
])
def test_the_check_itself(markup, wider):
    assert (widest_run(markup)[0] > COLUMN) is wider
