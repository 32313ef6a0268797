"""What the tests share besides fixtures: the project's paths, an edit to a copy of the data, a free
port, the answers a search site gives, and the site started by its Procfile."""
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SITE = "https://errors.example.com"  # the public origin the deployed site is configured with
# A Hangul lexicon in the catalog's words; weights as the index would count them.
LEXICON_WORDS = {"녹화": 40, "녹화본": 2, "노고": 0.5, "송출": 30, "중지": 12, "중단": 4, "중": 6, "업로드": 15,
                 "필드": 9, "필드명": 3, "삭제": 20, "입력": 25, "버킷": 10, "시작": 18, "경로": 8, "스냅샷": 14,
                 "채널": 60, "생성": 22, "실패": 9, "스트림": 11, "키": 7, "해상도": 6, "프레임": 5, "개수": 8,
                 "나이": 0.2, "노후": 0.3}


def remove_code(data_dir: Path, file: str, code: str) -> None:
    """Delete a code's entry (the last in its file) and every reference to it."""
    for path in data_dir.glob("*.toml"):
        path.write_text(path.read_text("utf-8").replace(f'"{code}", ', "").replace(f', "{code}"', "")
                        .replace(f'"{code}"]', "]"), "utf-8")
    text = (data_dir / file).read_text("utf-8")
    (data_dir / file).write_text(text[:text.index(f'[[codes]]\ncode = "{code}"')], "utf-8")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, chosen by the system."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -------------------------------------------------------------------- the answers of a search site

QUERIES = ["channel", "채널", "recording", "CHANNEL_NOT_FOUND", "quality set", "250104", "권한",
           "segmnet duration", "버킷 권한 없음", "2503"]


def search_app(index_dir, **config):
    # PRERENDER off: no page is pre-rendered and no answer kept, so every search reaches the index
    settings = {"TESTING": True, "SEARCH_INDEX_DIR": str(index_dir), "PRERENDER": False}
    settings.update(config)
    return create_app(settings)


def codes_for(client, q):
    response = client.get("/api/search", query_string={"q": q, "limit": 20})
    assert response.status_code == 200, (q, response.status_code, response.get_data(as_text=True)[:300])
    return [r["code"] for r in response.get_json()["results"]]


def answers(client):
    """Every query through the JSON API, the HTML page and the suggestions: all must succeed."""
    out = {}
    for q in QUERIES:
        out[q] = codes_for(client, q)
        page = client.get("/search", query_string={"q": q})
        assert page.status_code in (200, 302), (q, page.status_code)
        suggest = client.get("/suggest", query_string={"q": q[:3]})
        assert suggest.status_code == 200, (q, suggest.status_code)
        out["suggest " + q[:3]] = suggest.get_data(as_text=True)
    assert len(client.application.extensions["answer_cache"]) == 0  # nothing answered from a kept copy
    return out


# ---------------------------------------------------------------- the site started by its Procfile

def procfile_command() -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    return shlex.split(line.split(":", 1)[1])


def get(port: int, path: str, headers=None, timeout: float = 20.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def start(clone: Path, port: int, **env):
    command = procfile_command()
    command[0] = str(Path(sys.executable).parent / command[0])  # the requirements' gunicorn, nothing else
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LSE_", "GUNICORN_", "WEB_"))}
    environ.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", **env)
    log = (clone.parent / f"server-{port}.log").open("w")
    proc = subprocess.Popen(command, cwd=clone, env=environ, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail((clone.parent / f"server-{port}.log").read_text()[-3000:])
        try:
            get(port, "/robots.txt", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    pytest.fail("the Procfile command did not start")


def stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
