"""Faults: the search index directory deleted, emptied or corrupted before the start or while the
site runs, and a data file with an error. Search keeps answering (rebuilt on disk, or from the
last good index, or from an index in memory), the fault is logged, and nothing answers 500;
bad data stops the start with a message naming the file and the code."""
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from app import create_app
from catalog import CatalogError

import search

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["channel", "채널", "recording", "CHANNEL_NOT_FOUND", "quality set", "250104", "권한"]


# ------------------------------------------------------------------------------ helpers

def make_app(index_dir, **config):
    # PRERENDER off: every search must really reach the index, not a kept answer
    settings = {"TESTING": True, "SEARCH_INDEX_DIR": str(index_dir), "PRERENDER": False}
    settings.update(config)
    return create_app(settings)


def codes_for(client, q):
    response = client.get("/api/search", query_string={"q": q, "limit": 20})
    assert response.status_code == 200, (q, response.status_code, response.get_data(as_text=True)[:300])
    return [r["code"] for r in response.get_json()["results"]]


def answers(client):
    """Every query through the JSON API and the HTML page: all must succeed."""
    out = {}
    for q in QUERIES:
        out[q] = codes_for(client, q)
        page = client.get("/search", query_string={"q": q})
        assert page.status_code in (200, 302), (q, page.status_code)
        suggest = client.get("/suggest", query_string={"q": q[:3]})
        assert suggest.status_code < 500
    return out


def in_new_threads(func, count=3):
    """Run func in fresh threads: they hold no open searcher, so they must open the index anew."""
    results, errors = [], []

    def run():
        try:
            results.append(func())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


def delete(root: Path):
    shutil.rmtree(root)


def empty(root: Path):
    for child in root.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def corrupt(root: Path):
    """Every file overwritten with garbage of another length (the pointer file included)."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        size = path.stat().st_size
        path.write_bytes(b"\x00garbage\xff" * max(1, size // 20))


def truncate(root: Path):
    """Every index file cut to half its length, the pointer left intact."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.parent != root:
            with open(path, "r+b") as fh:
                fh.truncate(path.stat().st_size // 2)


def dangling_pointer(root: Path):
    for path in root.iterdir():
        if path.is_file() and not path.name.startswith("."):
            try:
                text = path.read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                continue
            if text.startswith("gen-"):
                path.write_text("gen-0123456789abcdef-1-1")
    for gen in root.glob("gen-*"):
        shutil.rmtree(gen)


def replaced_by_a_file(root: Path):
    shutil.rmtree(root)
    root.write_text("not a directory")


FAULTS = {"deleted": delete, "emptied": empty, "corrupted": corrupt, "truncated": truncate,
          "dangling-pointer": dangling_pointer, "replaced-by-a-file": replaced_by_a_file}


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """The answers of a healthy site, to compare the faulty ones with."""
    return answers(make_app(tmp_path_factory.mktemp("healthy") / "index").test_client())


@pytest.fixture
def quick_heal(monkeypatch):
    """Let the service try to rebuild on disk right away instead of every few seconds."""
    if hasattr(search, "HEAL_INTERVAL"):
        monkeypatch.setattr(search, "HEAL_INTERVAL", 0.0)


def logged_about_index(caplog, level=logging.INFO) -> bool:
    """The fault left a trace in the log: a warning or error about the index, or its rebuild."""
    return any(r.levelno >= level and "index" in r.getMessage().lower() for r in caplog.records)


def quiet_start(caplog) -> bool:
    """A start on a good index: nothing rebuilt, nothing warned about."""
    return not any(r.levelno >= logging.WARNING or " built" in r.getMessage() for r in caplog.records)


def index_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


# ------------------------------------------------------------------- before the start


def assert_fresh_start_reuses(index, expected, caplog):
    """The rebuilt index is on disk, and a fresh start uses it without rebuilding again."""
    assert index_files(index), "the index was not rebuilt on disk"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert answers(make_app(index).test_client()) == expected
    assert quiet_start(caplog), caplog.text[-2000:]

@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_before_start(quick_heal, tmp_path, expected, caplog, fault):
    index = tmp_path / "index"
    make_app(index)  # a good index on disk
    assert index_files(index)
    FAULTS[fault](index)
    with caplog.at_level(logging.INFO):
        app = make_app(index)
        client = app.test_client()
        assert answers(client) == expected
        assert in_new_threads(lambda: answers(app.test_client())) == [expected] * 3
    if fault != "deleted":  # a missing index is simply built, a broken one must be reported
        assert logged_about_index(caplog), caplog.text[-2000:]
    if fault != "replaced-by-a-file":
        assert_fresh_start_reuses(index, expected, caplog)


# ------------------------------------------------------------------- while running

@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_while_running(quick_heal, tmp_path, expected, caplog, fault):
    index = tmp_path / "index"
    app = make_app(index)
    client = app.test_client()
    assert answers(client) == expected  # this thread now holds an open searcher
    FAULTS[fault](index)
    with caplog.at_level(logging.INFO):
        assert answers(client) == expected
        # threads that never opened the index must cope with the broken directory too
        assert in_new_threads(lambda: answers(app.test_client())) == [expected] * 3
        assert answers(client) == expected
    if fault not in ("replaced-by-a-file",):
        # the service heals the disk: the next opener finds a good index there
        deadline = time.time() + 20
        while time.time() < deadline and not index_files(index):
            in_new_threads(lambda: codes_for(app.test_client(), "channel"), count=1)
            time.sleep(0.2)
        assert_fresh_start_reuses(index, expected, caplog)


def test_repeated_faults_while_running(quick_heal, tmp_path, expected):
    index = tmp_path / "index"
    app = make_app(index)
    client = app.test_client()
    for fault in ["corrupted", "deleted", "truncated", "emptied", "dangling-pointer", "corrupted"]:
        if index.is_dir() and index_files(index):
            FAULTS[fault](index)
        assert answers(client) == expected, fault
        assert in_new_threads(lambda: answers(app.test_client()), count=2) == [expected] * 2, fault


def test_fault_with_kept_answers_on(quick_heal, tmp_path, expected):
    """With pre-rendering on (as in production) the site answers the same through a fault."""
    index = tmp_path / "index"
    app = make_app(index, PRERENDER=True)
    client = app.test_client()
    assert answers(client) == expected
    delete(index)
    assert answers(client) == expected
    assert in_new_threads(lambda: answers(app.test_client()), count=2) == [expected] * 2


# --------------------------------------------------------------- a real server, two workers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gunicorn_keeps_answering_while_the_index_is_destroyed(tmp_path):
    index, port = tmp_path / "index", free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", LSE_SEARCH_INDEX_DIR=str(index), WEB_CONCURRENCY="2",
               GUNICORN_THREADS="4")
    log = open(tmp_path / "gunicorn.log", "w+")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if get(base + "/") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        statuses = []
        n = 0

        def burst(count=12):
            nonlocal n
            for _ in range(count):
                n += 1  # a new query string each time: no kept answer can hide the index
                q = quote(QUERIES[n % len(QUERIES)])
                statuses.append(get(f"{base}/api/search?q={q}&page=1&n={n}"))
                statuses.append(get(f"{base}/search?q={q}&n={n}"))

        burst()
        for fault in ("corrupted", "deleted", "truncated", "emptied", "corrupted"):
            if index.is_dir() and index_files(index):
                FAULTS[fault](index)
            burst()
        assert statuses and all(s in (200, 302) for s in statuses), sorted(set(statuses))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.seek(0)
    text = log.read()
    assert "index" in text.lower(), text[-3000:]
    assert "Traceback" not in text or "search" in text  # a logged, handled fault, not a crash
    assert " 500 " not in text


# ---------------------------------------------------------------------- bad data stops it

def broken_data(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    quality = data / "quality.toml"
    quality.write_text(quality.read_text("utf-8").replace('code = "250301"', 'code = "250300"'), "utf-8")
    return data


def test_create_app_refuses_broken_data(tmp_path):
    with pytest.raises(CatalogError) as info:
        make_app(tmp_path / "index", DATA_DIR=str(broken_data(tmp_path)))
    assert "quality.toml" in str(info.value) and "250300" in str(info.value)


@pytest.mark.parametrize("command", [
    [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "wsgi:app"],
    [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "routes"],
])
def test_server_exits_nonzero_naming_file_and_code(tmp_path, command):
    env = dict(os.environ, LSE_DATA_DIR=str(broken_data(tmp_path)), BIND="127.0.0.1:0",
               LSE_SEARCH_INDEX_DIR=str(tmp_path / "index"))
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "quality.toml" in result.stderr and "250300" in result.stderr
    assert "cannot start" in result.stderr
