"""Every kind of page in a real browser: no console errors, no CSP problems, readable at 360 px, prints on a page."""
import re

import pytest
from playwright.sync_api import expect

PAGES = ["/", "/?lang=ko", "/categories/channel", "/categories/api-gateway?lang=ko", "/codes/250104",
         "/codes/250144?lang=ko", "/codes/210", "/codes/250109", "/search?q=channel", "/search?q=%EC%B1%84%EB%84%90",
         "/codes/open_api_unauthorized", "/codes/999999", "/no/such/page"]


@pytest.mark.parametrize("path", PAGES)
def test_no_console_errors_under_a_strict_csp(strict_page, live_server, path):
    strict_page.goto(live_server + path)  # returns at "load": every stylesheet, script and image is in
    strict_page.keyboard.press("/")
    strict_page.keyboard.type("chan")
    expect(strict_page.locator("[role=combobox][aria-expanded=true]")).to_have_count(1)  # results drawn
    for button in strict_page.locator("button.copy").all()[:2]:
        button.click()
    assert strict_page.problems == []
    assert strict_page.evaluate("() => document.querySelectorAll('[role=combobox]').length") >= 1


@pytest.mark.parametrize("path", ["/codes/250144", "/", "/categories/channel"])
def test_readable_on_a_360px_phone(browser, live_server, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
    page = context.new_page()
    page.goto(live_server + path)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scroll: {width}px"
    expect(page.locator("#q")).to_be_visible()
    context.close()


def test_focus_is_visible(page, live_server):
    page.goto(live_server + "/codes/250104?lang=en")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


@pytest.mark.parametrize("code", ["250104", "250144", "250146", "250021", "210"])
def test_code_page_prints_cleanly_on_one_page(page, live_server, code):
    page.goto(f"{live_server}/codes/{code}?lang=en")
    page.emulate_media(media="print")
    for hidden in ("header.site", "footer.site", "#reply", "button.copy >> nth=0", "a.anchor >> nth=0"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#official")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"{code} prints on {pages} pages"


def test_dark_theme_follows_the_system(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(live_server + "/codes/250104")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 18, 22)"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(browser, live_server, scheme):
    """axe-core (WCAG 2.x A/AA rules) on every kind of page, with the search popup open and copy buttons shown."""
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    context = browser.new_context(color_scheme=scheme, locale="ko-KR")
    page = context.new_page()
    page.goto(live_server + "/codes/250104")  # so that the home page shows recently viewed codes
    found = {}
    for path in ["/", "/codes/250144?lang=en", "/codes/210", "/categories/channel", "/search?q=channel",
                 "/codes/open_api_unauthorized", "/codes/999999"]:
        page.goto(live_server + path)
        page.locator("#q").fill("chan")
        page.wait_for_selector(".ac [role=option]")
        page.keyboard.press("ArrowDown")
        violations = axe.run(page).response["violations"]
        if violations:
            found[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    context.close()
    assert found == {}


def test_home_search_box_is_wide_and_under_its_label(page, live_server):
    page.goto(live_server + "/?lang=ko")
    label = page.locator("label[for=home-q]").bounding_box()
    box = page.locator("#home-q").bounding_box()
    assert box["y"] >= label["y"] + label["height"] - 1 and box["width"] > 600
