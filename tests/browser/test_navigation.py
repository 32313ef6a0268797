"""A person browsing: home → category → code page, and the search form without JavaScript."""
import re

from playwright.sync_api import expect


def test_home_to_category_to_code(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.get_by_role("link", name=re.compile("^Channels")).click()
    expect(page).to_have_url(re.compile(r"/categories/channel$"))
    page.get_by_role("link", name="250104").click()
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    expect(page.locator("h1")).to_contain_text("CHANNEL_NAME_IS_WRONG")
    expect(page.locator("blockquote.message").first).to_contain_text("Special character “_” allowed.")


def test_search_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(live_server + "/")
    page.locator("#home-q").fill("250104")
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    context.close()


# A support person copies what the customer sent (a raw HTTP response, or only its message with the
# placeholders filled in) and pastes it into the search box with the keyboard: the right code comes
# first, and one click lands on its page.
PASTES = [
    ("HTTP/1.1 404 Not Found\nContent-Type: application/json;charset=UTF-8\n\n"
     '{"error":{"errorCode":250100,"message":"Channel is not found.","errorName":"CHANNEL_NOT_FOUND"}}', "250100"),
    ('{"error": {"errorCode": "210", "message": "Permission Denied", "details": "No permission."}}', "210"),
    ("The short clip file clip-7 is being created. (Snapshot ID: 4242)", "250164"),
]


def paste(page, selector, text):
    """Put text on the clipboard and paste it with the keyboard, as a person would."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator(selector).click()
    page.keyboard.press("Control+V")


def test_pasting_an_error_lands_on_its_code(browser, live_server):
    context = browser.new_context(locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        for text, code in PASTES:
            page.goto(live_server + "/?lang=en")
            paste(page, "#home-q", text)
            # a one-line box: the browser turns the line breaks into nothing or spaces, the words stay
            assert page.locator("#home-q").input_value().split() == "".join(text.splitlines()).split() or \
                page.locator("#home-q").input_value().split() == text.split()
            page.locator("form.search.big button[type=submit]").click()
            expect(page).to_have_url(re.compile(rf"/codes/{code}(\?|$)"))
            expect(page.locator("h1")).to_contain_text(code)
    finally:
        context.close()


def test_pasting_works_without_javascript(browser, live_server):
    context = browser.new_context(locale="ko-KR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        text, code = PASTES[0]
        page.goto(live_server + "/?lang=ko")
        page.locator("#home-q").fill(text)  # no script: no clipboard API to stage it, the box takes it as is
        page.locator("#home-q").press("Enter")
        expect(page.locator(f'article[data-code="{code}"]')).to_be_visible()
        expect(page.locator("#your-error")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "ko")
    finally:
        context.close()
