"""Accessibility in a real browser: axe-core finds zero violations on every kind of page, in both
languages, on a desktop screen, a 360 px phone and at 200% zoom, in light and dark colour schemes;
and a keyboard user always sees where the focus is."""
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGES = {
    "home": "/",
    "category": "/categories/channel",
    "code": "/codes/250104",
    "code-placeholders": "/codes/250021",
    "gateway-code": "/codes/210",
    "search": "/search?q=channel",
    "search-empty": "/search?q=zzzqqq",
    "search-paste": "/search?q=" + quote("There is a restriction set on how many can be created. No more channels can be created."),
    "code-pasted": "/search?q=" + quote("The short clip file clip-7 is being created. (Snapshot ID: 4242)"),
    "all-codes": "/codes",
    "name-choice": "/codes/OPEN_API_UNAUTHORIZED",
    "404-code": "/codes/250999",
    "404": "/no/such/page",
}
# One page of each type, the one with the most on it, checked in every layout; the other variants of
# a type differ in content, not in layout, so they are checked once per language on the desktop.
TYPES = {"home": "home", "category": "category", "code": "code-pasted", "search": "search-paste",
         "all-codes": "all-codes", "name-choice": "name-choice", "404": "404-code"}
VARIANTS = sorted(set(PAGES) - set(TYPES.values()))
LAYOUTS = {
    # name: (viewport, device scale factor). 200% zoom halves the CSS viewport of a 1280x900 window.
    "desktop": ({"width": 1280, "height": 900}, 1),
    "phone-360": ({"width": 360, "height": 740}, 2),
    "zoom-200": ({"width": 640, "height": 450}, 2),
}
AXE = Axe()


def axe_violations(page) -> str:
    results = AXE.run(page)
    if results.violations_count:
        return results.generate_report()
    return ""


def new_page(browser, lang, layout, color_scheme="light"):
    viewport, scale = LAYOUTS[layout]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, color_scheme=color_scheme,
                                  locale="ko-KR" if lang == "ko" else "en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def visit(page, live_server, path, lang):
    sep = "&" if "?" in path else "?"
    response = page.goto(f"{live_server}{path}{sep}lang={lang}")
    assert response is not None and response.status < 500
    page.wait_for_load_state("load")


def open_page(browser, live_server, path, lang, layout, color_scheme="light"):
    context, page = new_page(browser, lang, layout, color_scheme)
    visit(page, live_server, path, lang)
    return context, page


def violations_on(browser, live_server, names, lang, layout, color_scheme="light") -> dict:
    """axe on each named page in turn, in one browser context (one profile per language and layout)."""
    context, page = new_page(browser, lang, layout, color_scheme)
    found = {}
    try:
        for name in names:
            visit(page, live_server, PAGES[name], lang)
            assert page.locator("html").get_attribute("lang") == lang, name
            if color_scheme == "dark":
                assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            if report := axe_violations(page):
                found[name] = report
    finally:
        context.close()
    return found


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_axe_violations(browser, live_server, lang, layout):
    found = violations_on(browser, live_server, sorted(TYPES.values()), lang, layout)
    assert not found, "\n".join(f"{name} ({lang}, {layout}):\n{report}" for name, report in found.items())


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_axe_violations_on_the_other_variants(browser, live_server, lang):
    found = violations_on(browser, live_server, VARIANTS, lang, "desktop")
    assert not found, "\n".join(f"{name} ({lang}, desktop):\n{report}" for name, report in found.items())

@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_axe_violations_in_dark_mode(browser, live_server, lang):
    names = ["home", "code", "gateway-code", "category", "search", "404"]
    found = violations_on(browser, live_server, names, lang, "desktop", color_scheme="dark")
    assert not found, "\n".join(f"{name} ({lang}, dark):\n{report}" for name, report in found.items())


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {tag: el.tagName, text: (el.textContent || el.value || '').trim().slice(0, 40),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
          shadow: s.boxShadow, rect: el.getBoundingClientRect().toJSON()};
}"""
UNFOCUSED_STYLE = """(el) => { const s = getComputedStyle(el); return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; }"""


@pytest.mark.parametrize("layout", ["desktop", "zoom-200"])
@pytest.mark.parametrize("name", ["home", "code", "category", "search"])
def test_keyboard_focus_is_always_visible(browser, live_server, name, layout):
    """Tab through the first focusable elements: each shows an outline (or ring) it lacks unfocused."""
    context, page = open_page(browser, live_server, PAGES[name], "en", layout)
    try:
        seen = 0
        for _ in range(12):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_STYLE)
            if focused["tag"] == "BODY":
                break
            visible = (focused["style"] not in ("none", "hidden") and focused["width"] >= 2) or focused["shadow"] != "none"
            assert visible, f"focus not visible on {focused}"
            rect = focused["rect"]
            assert rect["width"] > 0 and rect["height"] > 0 and rect["right"] > 0 and rect["bottom"] > 0, \
                f"focused element off screen: {focused}"
            handle = page.evaluate_handle("document.activeElement")
            page.evaluate("document.activeElement.blur()")
            unfocused = handle.evaluate(UNFOCUSED_STYLE)
            assert unfocused != {k: focused[k] for k in ("style", "width", "shadow")}, \
                f"{focused['tag']} '{focused['text']}' looks the same focused and unfocused"
            page.evaluate("(el) => el.focus()", handle)
            seen += 1
        assert seen >= 3
    finally:
        context.close()


def test_skip_link_is_first_and_reaches_main(page, live_server):
    page.goto(live_server + "/codes/250104?lang=en")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.getAttribute('href')")
    assert skip == "#main"
    box = page.evaluate("document.activeElement.getBoundingClientRect().toJSON()")
    assert box["left"] >= 0 and box["top"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
