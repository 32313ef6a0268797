"""Layout in a real browser: no page scrolls sideways on a 360 px wide phone or at 200% zoom (one page
per template, with its widest content; tests/test_column_width.py checks the text of every page); the
pages run under the Content-Security-Policy without a single violation; static assets arrive hashed,
compressed and cacheable."""
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from catalog import load_catalog
from support import DATA_DIR

CATALOG = load_catalog(DATA_DIR)
LONGEST_NAME = max(CATALOG.codes, key=lambda c: (len(c.name), c.code))
LONGEST_MESSAGE = max(CATALOG.codes, key=lambda c: (len(c.message), c.code))
BIGGEST_CATEGORY = max(CATALOG.categories, key=lambda cat: (sum(c.category == cat.slug for c in CATALOG.codes), cat.slug))
LONG_VALUE = "ls-" + "0123456789abcdef" * 4  # a pasted value with no break in it
# One page per template, each with the widest content the site has (the server-side check covers every page).
KEY_PAGES = ["/", f"/categories/{BIGGEST_CATEGORY.slug}", f"/codes/{LONGEST_NAME.code}", f"/codes/{LONGEST_MESSAGE.code}",
             "/codes/210", "/search?q=channel", "/search?q=%EC%B1%84%EB%84%90", "/codes/250999", "/nope",
             "/codes/OPEN_API_UNAUTHORIZED", "/codes", "/search?q=zzzqqq",
             f"/codes/250021?v0={LONG_VALUE}&v1=Integer", f"/search?q={quote(LONGEST_MESSAGE.message)}"]
WIDTHS = {"phone-360": ({"width": 360, "height": 740}, 2), "zoom-200": ({"width": 640, "height": 450}, 2),
          "small-320": ({"width": 320, "height": 640}, 2)}
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def overflow(page) -> dict:
    return page.evaluate("""() => {
      const root = document.documentElement, w = root.clientWidth;
      const wide = [...document.body.querySelectorAll('*')]
        .filter(el => el.getBoundingClientRect().right > w + 1 && getComputedStyle(el).position !== 'absolute')
        .filter(el => !el.closest('pre, .visually-hidden'))
        .slice(0, 3).map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 40));
      return {scroll: root.scrollWidth, body: document.body.scrollWidth, width: w, wide};
    }""")


@pytest.mark.parametrize("layout", sorted(WIDTHS))
def test_no_horizontal_scrolling_on_key_pages(browser, live_server, layout):
    viewport, scale = WIDTHS[layout]
    problems = []
    for lang in ("ko", "en"):
        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
        page = context.new_page()
        for path in KEY_PAGES:
            sep = "&" if "?" in path else "?"
            page.goto(f"{live_server}{path}{sep}lang={lang}")
            m = overflow(page)
            if m["scroll"] > viewport["width"] + 1 or m["body"] > viewport["width"] + 1:
                problems.append(f"{path} ({lang}): scrollWidth {m['scroll']} > {viewport['width']}: {m['wide']}")
        context.close()
    assert not problems, "\n".join(problems)


def test_no_sideways_scroll_at_360px_with_the_results_and_the_paste_box_open(browser, live_server):
    """The instant results over a code page, and the search page with its paste box open, in Korean."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(live_server + "/codes/250146?lang=ko")
        page.locator("#q").fill("채널 생성 한도")
        expect(page.locator(".ac [role=option]").first).to_be_visible()
        m = overflow(page)
        assert m["scroll"] <= 361, m
        box = page.locator(".ac").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 361, box
        page.goto(live_server + "/search?q=channel&lang=ko")
        page.locator("details.paste-box summary").click()
        expect(page.locator("details.paste-box textarea")).to_be_visible()
        m = overflow(page)
        assert m["scroll"] <= 361, m
    finally:
        context.close()


def test_pages_run_under_the_csp_without_violations(browser, live_server):
    """Each key page loads, and takes typing in the search box, with no CSP violation, error or failed asset."""
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors, failed, problems = [], [], {}
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "404" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("response", lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 and "/static/" in resp.url else None)
    try:
        for path in KEY_PAGES:
            page.goto(live_server + path)  # returns at "load": every stylesheet, script and image is in
            page.locator("#q").fill("channel")  # exercise the page a little, as a person would
            expect(page.locator("#q")).to_have_attribute("aria-expanded", "true")  # its results are drawn
            found = page.evaluate("window.__csp") + [e for e in errors if "Content Security Policy" in e
                                                     or "Refused" in e or "Uncaught" in e] + failed
            if found:
                problems[path] = found
            errors.clear()
            failed.clear()
    finally:
        context.close()
    assert problems == {}


def test_stylesheet_is_hashed_cached_and_compressed(page, live_server):
    responses = []
    page.on("response", lambda r: responses.append(r) if "/static/" in r.url else None)
    page.goto(live_server + "/codes/250104")  # returns at "load", the stylesheet in
    css = [r for r in responses if r.url.endswith(".css")]
    assert css, "no stylesheet loaded"
    for response in css:
        assert re.search(r"/static/[\w/-]+\.[0-9a-f]{12}\.css$", response.url), response.url
        headers = response.all_headers()
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers.get("content-encoding") in ("br", "gzip")
    # the stylesheet applied: the brand link is bold
    assert page.evaluate("getComputedStyle(document.querySelector('.brand')).fontWeight") == "700"


def test_page_served_from_memory_is_complete_in_the_browser(page, live_server):
    """A pre-rendered page (second visit) looks the same as the first render."""
    page.goto(live_server + "/codes/250104?lang=en")
    first = page.locator("main").inner_text()
    page.reload()
    expect(page.locator("h1")).to_contain_text("250104")
    assert page.locator("main").inner_text() == first


LINE_STARTS = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), range = document.createRange(), breaks = [];
  let lastTop = null, prev = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0], ch = node.data[i];
      if (!rect || !ch.trim()) { prev = ch; continue; }
      if (lastTop !== null && rect.top > lastTop + 2) breaks.push(prev + '|' + ch);
      lastTop = rect.top; prev = ch;
    }
  }
  return breaks;
}"""


def test_korean_lines_break_between_words_not_inside_them(browser, live_server):
    """At 360 px a Korean paragraph wraps at spaces (삭제할, never 삭/제할)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(live_server + "/codes/250109?lang=ko")
        paragraph = page.locator("#explanation p")
        breaks = paragraph.evaluate(LINE_STARTS)
        assert len(breaks) >= 3  # it did wrap
        hangul = re.compile(r"[\uac00-\ud7a3]")
        inside = [b for b in breaks if hangul.match(b[0]) and hangul.match(b[-1])]
        assert inside == [], inside
    finally:
        context.close()
