"""Copy buttons put the exact text on the clipboard, and say so in an aria-live region."""
import json
import re

import pytest
from playwright.sync_api import expect


def clipboard(page) -> str:
    return page.evaluate("() => navigator.clipboard.readText()")


def expected_reply(app, live_server, code, lang):
    """The reply text as the server composes it, for a request to the live server's host."""
    from views import reply_text
    with app.test_request_context(f"/codes/{code}", base_url=live_server):
        return reply_text(app.extensions["catalog"].get(code), lang)


@pytest.mark.parametrize("label, expected", [
    ("Copy link", "{base}/codes/250144"), ("Copy code", "250144"), ("Copy name", "CHANNEL_REACH_LIMIT"),
])
def test_copy_short_fields(page, live_server, clip, label, expected):
    page.goto(live_server + "/codes/250144?lang=en")
    page.get_by_role("button", name=label).click()
    expect(page.locator("#status")).to_have_text("Copied")
    assert clipboard(page) == expected.format(base=live_server)


def test_copy_message_keeps_its_line_breaks(page, live_server, clip, app):
    entry = app.extensions["catalog"].get("250144")
    page.goto(live_server + "/codes/250144?lang=en")
    page.get_by_role("button", name="Copy message").click()
    expect(page.locator("#status")).to_have_text("Copied")
    assert clipboard(page) == entry.message and "\n" in entry.message


def test_copy_example_json(page, live_server, clip, app):
    entry = app.extensions["catalog"].get("250021")
    page.goto(live_server + "/codes/250021?lang=en")
    page.get_by_role("button", name="Copy JSON").click()
    expect(page.locator("#status")).to_have_text("Copied")
    assert json.loads(clipboard(page)) == entry.example_body()


@pytest.mark.parametrize("ui", ["en", "ko"])
def test_copy_both_replies(page, live_server, clip, ui, app):
    page.goto(live_server + f"/codes/250104?lang={ui}")
    for lang, label in (("ko", "한국어"), ("en", "English")):
        name = f"Copy reply ({label})" if ui == "en" else f"답변 복사 ({label})"
        page.get_by_role("button", name=name).click()
        expect(page.locator("#status")).to_have_text("Copied" if ui == "en" else "복사했습니다")
        text = clipboard(page)
        assert text == expected_reply(app, live_server, "250104", lang)
        assert f"{live_server}/codes/250104?lang={lang}" in text and "<" not in text


def test_copy_falls_back_without_the_clipboard_api(page, live_server, clip):
    page.add_init_script("Object.defineProperty(navigator.clipboard, 'writeText', {value: undefined})")
    page.goto(live_server + "/codes/250104?lang=en")
    page.get_by_role("button", name="Copy code").click()
    expect(page.locator("#status")).to_have_text("Copied")
    expect(page.get_by_role("button", name="Copy code")).to_be_focused()
    assert page.evaluate("() => navigator.clipboard.readText()") == "250104"


def test_status_is_a_polite_live_region_and_goes_away(page, live_server, clip):
    page.clock.install()  # the page's timers on a clock the test moves on, instead of waiting 3 s
    page.goto(live_server + "/codes/250104?lang=en")
    status = page.locator("#status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)  # from here on time moves only when told
    button = page.get_by_role("button", name="Copy code")
    button.click()
    # the clipboard answers on real time: move the page's clock only once the copy has been confirmed
    expect(button).to_have_class(re.compile(r"\bdone\b"))
    page.clock.run_for(100)
    expect(status).to_have_text("Copied")
    page.clock.run_for(2800)
    expect(status).to_have_text("Copied")  # still there a moment later...
    page.clock.run_for(200)
    expect(status).to_have_text("")  # ...and gone 3 s after the click


def test_copy_buttons_are_keyboard_operable(page, live_server, clip):
    page.goto(live_server + "/codes/250104?lang=en")
    page.get_by_role("button", name="Copy name").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Copied")
    assert clipboard(page) == "CHANNEL_NAME_IS_WRONG"


def test_section_anchor_links_are_focusable_and_work(page, live_server):
    page.goto(live_server + "/codes/250021?lang=en")
    link = page.get_by_role("link", name="Link to this section: Placeholders")
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/250021\?lang=en#placeholders$"))
