"""Browser tools on other origins may read the read-only data, never the pages or the POST endpoints."""
import pytest


@pytest.mark.parametrize("url", [
    "/api/codes", "/api/codes/250104", "/api/codes.csv", "/api/search?q=channel",
    "/codes/250104.json", "/codes/250104.md", "/llms.txt", "/api/codes/999999",
])
def test_read_only_data_answers_any_origin(client, url):
    response = client.get(url, headers={"Origin": "https://tool.example"})
    assert response.headers.get("Access-Control-Allow-Origin") == "*"


def test_a_kept_answer_still_carries_the_header(client):
    first = client.get("/api/codes/250104")
    again = client.get("/api/codes/250104", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers.get("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("method, url, kwargs", [
    ("get", "/codes/250104", {}),
    ("get", "/", {}),
    ("post", "/api/match", {"json": {"text": "Channel not found."}}),
    ("post", "/search", {"data": {"q": "channel"}}),
])
def test_pages_and_posts_stay_same_origin(client, method, url, kwargs):
    response = getattr(client, method)(url, headers={"Origin": "https://tool.example"}, **kwargs)
    assert "Access-Control-Allow-Origin" not in response.headers
