"""Instant search in a real browser: results as you type, keyboard use, and the "/" shortcut."""
import re

import pytest
from playwright.sync_api import expect

BOX = "#q"


def listbox(page):
    return page.locator("#" + page.locator(BOX).get_attribute("aria-controls"))


def test_search_box_becomes_an_aria_combobox(page, live_server):
    page.goto(live_server + "/codes/250104?lang=en")
    box = page.locator(BOX)
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(listbox(page)).to_have_attribute("role", "listbox")
    expect(listbox(page)).to_be_hidden()


@pytest.mark.parametrize("query, expected", [("channel not found", "250100"), ("채널", "250100"),
                                             ("250104", "250104"), ("channel", "250100")])
def test_results_appear_while_typing(page, live_server, query, expected):
    page.goto(live_server + "/categories/quality?lang=en")
    box = page.locator(BOX)
    box.click()
    box.press_sequentially(query, delay=20)
    options = listbox(page).get_by_role("option")
    expect(listbox(page)).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.filter(has_text=expected).first).to_be_visible()
    assert options.count() <= 10


def test_korean_interface_and_results(page, live_server):
    page.goto(live_server + "/?lang=ko")
    box = page.locator(BOX)
    box.fill("채널")
    expect(listbox(page).get_by_role("option").first).to_be_visible()
    expect(page.locator("form.search p[role=status]").first).to_contain_text("결과")


def test_arrow_down_and_enter_open_a_result(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("250104")
    first = listbox(page).get_by_role("option").first
    expect(first).to_contain_text("250104")
    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    expect(page.locator("h1")).to_contain_text("CHANNEL_NAME_IS_WRONG")


def test_arrow_keys_move_and_wrap(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("channel")
    options = listbox(page).locator("a[role=option]")
    expect(options.first).to_be_visible()
    count = options.count()
    assert count >= 2
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    box.press("ArrowUp")
    expect(options.nth(count - 1)).to_have_attribute("aria-selected", "true")


def test_enter_without_a_highlighted_result_submits_the_form(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("channel")
    expect(listbox(page).get_by_role("option").first).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=channel$"))


def test_escape_closes_then_clears(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("channel")
    expect(listbox(page)).to_be_visible()
    box.press("ArrowDown")
    box.press("Escape")
    expect(listbox(page)).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    expect(box).to_have_value("channel")
    box.press("Escape")
    expect(box).to_have_value("")


def test_clicking_a_result_opens_it(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.locator(BOX).fill("250144")
    listbox(page).get_by_role("option").filter(has_text="250144").first.click()
    expect(page).to_have_url(re.compile(r"/codes/250144$"))


def test_no_results_says_so(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.locator(BOX).fill("zzzqqqxxx")
    expect(listbox(page)).to_contain_text("No matching codes")
    assert listbox(page).locator("a").count() in (0, 1)  # at most a "did you mean"


def test_slash_focuses_the_search_box(page, live_server):
    page.goto(live_server + "/codes/250104?lang=en")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator(BOX)).to_be_focused()
    expect(page.locator(BOX)).to_have_value("")  # the "/" itself is not typed


def test_slash_on_home_focuses_the_big_box(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.keyboard.press("/")
    expect(page.locator("#home-q")).to_be_focused()


def test_slash_while_typing_in_a_field_is_just_a_slash(page, live_server):
    page.goto(live_server + "/?lang=en")
    home = page.locator("#home-q")
    home.click()
    page.keyboard.type("a/b")
    expect(home).to_have_value("a/b")
    expect(home).to_be_focused()


def test_home_box_is_instant_too(page, live_server):
    page.goto(live_server + "/?lang=en")
    home = page.locator("#home-q")
    home.fill("250104")
    box = page.locator("#" + home.get_attribute("aria-controls"))
    expect(box.get_by_role("option").first).to_contain_text("250104")


def test_pasted_multiline_error_is_matched_with_its_line_breaks_and_posted(page, live_server, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/?lang=en")
    pasted = '{"error": {"errorCode": 250104,\n "message": "Channel names"}}'
    page.evaluate("t => navigator.clipboard.writeText(t)", pasted)
    box = page.locator(BOX)
    with page.expect_request(lambda r: "/api/match" in r.url) as request:
        box.focus()
        page.keyboard.press("Control+V")
    assert request.value.method == "POST" and request.value.post_data_json == {"text": pasted}
    expect(box).to_have_value(re.sub(r"\s*\n\s*", " ", pasted))
    expect(listbox(page).get_by_role("option").first).to_contain_text("250104")
    with page.expect_request(lambda r: r.url.endswith("/search")) as submitted:
        box.press("Enter")
    assert submitted.value.method == "POST" and "250104%2C%0D%0A" in submitted.value.post_data  # line breaks and all
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    expect(page.locator("#your-error")).to_be_visible()


# ------------------------------------------------------------- results are real links

def test_results_are_links_a_modifier_or_middle_click_opens_in_a_new_tab(page, live_server, context):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("channel")
    link = listbox(page).get_by_role("option").first
    expect(link).to_have_attribute("href", re.compile(r"^/codes/\d+$"))
    href = link.get_attribute("href")
    for click in (lambda: link.click(modifiers=["ControlOrMeta"]), lambda: link.click(button="middle")):
        with context.expect_page() as opened:
            click()
        tab = opened.value
        tab.wait_for_load_state()
        assert tab.url == live_server + href
        tab.close()
        expect(page).to_have_url(live_server + "/?lang=en")  # this tab stays where it was...
        expect(listbox(page)).to_be_visible()  # ...with the results still open
        expect(box).to_be_focused()


def test_hover_and_keyboard_share_one_highlight(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.fill("channel")
    options = listbox(page).locator("a[role=option]")
    expect(options.nth(2)).to_be_visible()
    options.nth(2).hover()
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(2).get_attribute("id"))
    box.press("ArrowDown")  # the keyboard carries on from where the mouse left it
    expect(options.nth(3)).to_have_attribute("aria-selected", "true")
    expect(listbox(page).locator("[aria-selected=true]")).to_have_count(1)
    colours = [o.evaluate("e => getComputedStyle(e).backgroundColor") for o in (options.nth(2), options.nth(3))]
    assert colours[0] != colours[1]  # the mouse no longer paints a second highlight of its own


def test_enter_that_commits_a_korean_syllable_does_not_open_a_result(page, live_server):
    page.goto(live_server + "/?lang=ko")
    box = page.locator(BOX)
    box.fill("채널")
    first = listbox(page).get_by_role("option").first
    expect(first).to_be_visible()
    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    for init in ("{key: 'Enter', code: 'Enter', isComposing: true}", "{key: 'Process', code: 'Enter', keyCode: 229}"):
        prevented = box.evaluate(f"e => !e.dispatchEvent(new KeyboardEvent('keydown', {{...{init}, bubbles: true, cancelable: true}}))")
        assert prevented is False  # no handler acted on it
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(listbox(page)).to_be_hidden()  # ...and the next real keys work as usual
    box.press("ArrowDown")
    expect(listbox(page)).to_be_visible()
    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"/\?lang=ko$"))


def test_korean_interface_shows_korean_text_ours_marked_and_the_matched_words(page, live_server):
    page.goto(live_server + "/?lang=ko")
    page.locator(BOX).fill("access denied")
    option = listbox(page).get_by_role("option").filter(has_text="250015").first
    expect(option).to_contain_text("접근 거부")  # our Korean summary: NCP gives no Korean text
    expect(option.locator(".badge.ours")).to_have_text("자체 작성")
    expect(option.locator("mark").first).to_be_visible()
    page.locator(BOX).fill("권한")
    official = listbox(page).get_by_role("option").filter(has_text="250006").first
    expect(official.locator(".m mark").first).to_have_text("권한")
    assert official.locator(".badge").count() == 0  # NCP's own Korean description


def test_stale_responses_never_overwrite_newer_ones(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator(BOX)
    box.press_sequentially("25010", delay=5)
    box.press_sequentially("4", delay=5)
    expect(listbox(page).get_by_role("option").first).to_contain_text("250104")
    page.wait_for_timeout(400)
    expect(listbox(page).get_by_role("option").first).to_contain_text("250104")


def test_without_javascript_there_is_no_combobox(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(live_server + "/codes/250104")
    assert page.locator("[role=combobox]").count() == 0
    assert page.locator("button.copy:visible").count() == 0
    page.locator(BOX).fill("channel")
    page.locator(BOX).press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=channel$"))
    context.close()
