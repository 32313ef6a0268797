"""Faults: the search index on disk deleted, emptied, corrupted, truncated or overwritten in place,
before the start or while the site runs, and a data file with an error.

A running worker holds its verified index in memory, so damage on disk never changes its answers
and is not even seen; a start finds the damage through the manifest, says so in one warning line
and rebuilds. Every fault: the same answers as before, no 500, no traceback, no ERROR line.
Bad data stops the start with a message naming the file and the code."""
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from catalog import CatalogError

import search
from support import QUERIES, ROOT, answers, codes_for, free_port, search_app

def in_new_threads(func, count=3):
    """Run func in fresh threads: they hold no searcher yet, so they must open one anew."""
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


def index_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")) if root.is_dir() else []


def segments(root: Path) -> list[Path]:
    return [p for p in index_files(root) if p.suffix == ".seg"]


def delete(root: Path):
    shutil.rmtree(root)


def empty(root: Path):
    for child in root.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def corrupt(root: Path):
    """Every file overwritten with garbage of another length (the manifest included)."""
    for path in index_files(root):
        size = path.stat().st_size
        path.write_bytes(b"\x00garbage\xff" * max(1, size // 20))


def truncate(root: Path):
    """Every index file cut to half its length, the manifest left intact."""
    for path in index_files(root):
        if path.name != search.MANIFEST:
            with open(path, "r+b") as fh:
                fh.truncate(path.stat().st_size // 2)


def overwrite_in_place(root: Path):
    """A segment's bytes rewritten in place, same size, same modification time: only a checksum tells."""
    for path in segments(root):
        stat = path.stat()
        data = path.read_bytes()
        half = len(data) // 2
        with open(path, "r+b") as fh:  # the same inode: a reader holding it open sees the change too
            fh.write(data[half:] + data[:half])
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_size == stat.st_size and path.read_bytes() != data


def replaced_by_a_file(root: Path):
    shutil.rmtree(root)
    root.write_text("not a directory")


FAULTS = {"deleted": delete, "emptied": empty, "corrupted": corrupt, "truncated": truncate,
          "overwritten-in-place": overwrite_in_place, "replaced-by-a-file": replaced_by_a_file}
DAMAGE = {"corrupted", "truncated", "overwritten-in-place"}  # a missing index is simply built


def assert_quiet_about_failures(caplog):
    """Nothing logged as an error, no traceback: a fault is handled, not crashed through."""
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]
    assert "Traceback" not in caplog.text, caplog.text[-3000:]


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def assert_fresh_start_reuses(fault_index, healthy_answers, caplog):
    """The index is good on disk again: a fresh start uses it without rebuilding or warning."""
    assert index_files(fault_index), "the index was not rebuilt on disk"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert answers(search_app(fault_index).test_client()) == healthy_answers
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or " built" in r.getMessage()], \
        caplog.text[-2000:]


# ------------------------------------------------------------------- before the start

@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_before_start(fault_index, healthy_answers, caplog, fault):
    assert segments(fault_index)  # a good index on disk
    FAULTS[fault](fault_index)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        app = search_app(fault_index)
        client = app.test_client()
        assert answers(client) == healthy_answers
        assert in_new_threads(lambda: answers(app.test_client())) == [healthy_answers] * 3
    assert_quiet_about_failures(caplog)
    said = warnings(caplog)
    if fault in DAMAGE:  # reported once, with what was wrong, and rebuilt
        assert len(said) == 1 and "rebuilding" in said[0], said
        assert "does not match its checksum" in said[0] or "unreadable" in said[0], said
    elif fault == "replaced-by-a-file":  # nowhere to keep it: built in memory, said once
        assert len(said) == 1 and "memory" in said[0], said
    else:
        assert said == []
    if fault != "replaced-by-a-file":
        assert_fresh_start_reuses(fault_index, healthy_answers, caplog)


def test_an_index_built_in_memory_touches_no_shared_scratch_path(tmp_path, monkeypatch, healthy_answers, caplog):
    """Whoosh's RamStorage keeps its scratch segments at one fixed path in the temp dir (MAIN.tmp),
    which two starts building in memory at once (two workers, two test runs) delete under each
    other: the in-memory build must keep everything in memory, so a temp dir that cannot even be
    created changes nothing, and two such starts side by side give the same answers."""
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("the temp dir is a file: nothing can be created under it")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    fault_index = tmp_path / "index"
    fault_index.write_text("not a directory")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        apps = in_new_threads(lambda: search_app(fault_index), count=2)
        assert [answers(app.test_client()) for app in apps] == [healthy_answers] * 2
    assert_quiet_about_failures(caplog)
    assert [w for w in warnings(caplog) if "memory" in w] and len(warnings(caplog)) == 2, warnings(caplog)


def test_a_file_changed_before_the_start_is_found_by_the_manifest(fault_index, healthy_answers, caplog):
    """One byte of the spelling word list changed: the index still opens, only its checksum tells."""
    words = fault_index / search.LIVE / search.SPELL_FILE
    data = bytearray(words.read_bytes())
    data[len(data) // 2] ^= 0x01
    words.write_bytes(bytes(data))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        app = search_app(fault_index)
        assert answers(app.test_client()) == healthy_answers
    assert_quiet_about_failures(caplog)
    said = warnings(caplog)
    assert len(said) == 1 and search.SPELL_FILE in said[0] and "checksum" in said[0], said
    assert any(" built" in r.getMessage() for r in caplog.records)
    assert words.read_bytes() != bytes(data)  # repaired on disk
    assert_fresh_start_reuses(fault_index, healthy_answers, caplog)


# ------------------------------------------------------------------- while running

@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_while_running(fault_index, healthy_answers, caplog, fault):
    app = search_app(fault_index)
    client = app.test_client()
    assert answers(client) == healthy_answers  # this thread now holds a searcher
    FAULTS[fault](fault_index)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert answers(client) == healthy_answers
        # threads that never had a searcher answer from the same index in memory
        assert in_new_threads(lambda: answers(app.test_client())) == [healthy_answers] * 3
        assert answers(client) == healthy_answers
    assert_quiet_about_failures(caplog)
    assert warnings(caplog) == []  # a running worker never reads the disk again
    if fault != "replaced-by-a-file":  # the next start repairs the disk, the one after is quiet
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert answers(search_app(fault_index).test_client()) == healthy_answers
        assert_quiet_about_failures(caplog)
        assert len(warnings(caplog)) == (1 if fault in DAMAGE else 0), warnings(caplog)
        assert_fresh_start_reuses(fault_index, healthy_answers, caplog)


def test_repeated_faults_while_running(fault_index, healthy_answers, caplog):
    app = search_app(fault_index)
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        for fault in ["overwritten-in-place", "corrupted", "deleted", "truncated", "emptied", "corrupted"]:
            if index_files(fault_index):
                FAULTS[fault](fault_index)
            else:  # another worker's start rebuilt it meanwhile
                search_app(fault_index)
                FAULTS[fault](fault_index)
            assert answers(client) == healthy_answers, fault
            assert in_new_threads(lambda: answers(app.test_client()), count=2) == [healthy_answers] * 2, fault
    assert_quiet_about_failures(caplog)


def test_fault_with_kept_answers_on(fault_index, healthy_answers):
    """With pre-rendering on (as in production) the site answers the same through a fault."""
    app = search_app(fault_index, PRERENDER=True)
    client = app.test_client()
    codes = {q: codes_for(client, q) for q in QUERIES}
    assert codes == {q: healthy_answers[q] for q in QUERIES}
    overwrite_in_place(fault_index)
    delete(fault_index)
    assert {q: codes_for(client, q) for q in QUERIES} == codes
    assert in_new_threads(lambda: {q: codes_for(app.test_client(), q) for q in QUERIES}, count=2) == [codes] * 2


# --------------------------------------------------------------- no usable index at all

def test_no_usable_index_answers_503_never_kept_and_recovers(tmp_path, monkeypatch, caplog):
    """When no index can be built anywhere, search says so (503, no-store, never kept), and answers
    again by itself once one can be built."""
    real_write = search.service.write_index

    def cannot_build(storage, catalog):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search.service, "write_index", cannot_build)
    with caplog.at_level(logging.INFO):
        app = search_app(tmp_path / "index", PRERENDER=True, SEARCH_BUILD_ON_START=False)
        service = app.extensions["search"]
        service.retry_interval = 0.0
        client = app.test_client()
        for path in ("/api/search?q=recording", "/search?q=recording", "/api/search?q=recording&limit=5"):
            for _ in range(2):
                failed = client.get(path)
                assert failed.status_code == 503, (path, failed.status_code)
                assert failed.headers["Cache-Control"] == "no-store" and failed.headers["Retry-After"] == "5"
        assert client.get("/api/search?q=recording").get_json()["error"]["status"] == 503
        assert "try again" in client.get("/search?q=recording").get_data(as_text=True)
        assert len(app.extensions["answer_cache"]) == 0
        assert client.get("/suggest?q=rec").status_code == 200  # suggestions: simply none
        assert client.get("/codes/250104").status_code == 200  # the rest of the site is unaffected
    assert "Traceback" not in caplog.text
    monkeypatch.setattr(search.service, "write_index", real_write)
    recovered = client.get("/api/search?q=recording")
    assert recovered.status_code == 200 and recovered.get_json()["total"] > 0
    assert client.get("/search?q=recording").status_code == 200
    assert len(app.extensions["answer_cache"]) >= 1


# --------------------------------------------------------------- a real server, two workers

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def search_codes(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return [hit["code"] for hit in json.loads(r.read())["results"]]


def test_gunicorn_keeps_answering_while_the_index_is_destroyed(tmp_path):
    fault_index, port = tmp_path / "index", free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", LSE_SEARCH_INDEX_DIR=str(fault_index), WEB_CONCURRENCY="2",
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
        statuses, found = [], {}
        n = 0

        def burst(count=2 * len(QUERIES)):
            nonlocal n
            for _ in range(count):
                n += 1  # another limit each time: no kept answer can hide the index
                q = QUERIES[n % len(QUERIES)]
                statuses.append(get(f"{base}/api/search?q={quote(q)}&limit={1 + n % 30}"))
                statuses.append(get(f"{base}/search?q={quote(q)}&page={1 + n % 3}"))
                found.setdefault(q, set()).add(tuple(search_codes(f"{base}/api/search?q={quote(q)}&limit={20 + n % 81}")[:20]))

        burst()
        before = {q: set(v) for q, v in found.items()}
        for fault in ("overwritten-in-place", "corrupted", "deleted", "truncated", "emptied", "corrupted"):
            if index_files(fault_index):
                FAULTS[fault](fault_index)
            burst()
        assert statuses and all(s in (200, 302) for s in statuses), sorted(set(statuses))
        assert found == before and all(len(v) == 1 for v in found.values())  # the same answers throughout
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.seek(0)
    text = log.read()
    assert "Traceback" not in text and "ERROR" not in text and " 500 " not in text, text[-3000:]


# ---------------------------------------------------------------------- bad data stops it

def broken_data(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    quality = data / "quality.toml"
    quality.write_text(quality.read_text("utf-8").replace('code = "250301"', 'code = "250300"'), "utf-8")
    return data


def test_create_app_refuses_broken_data(tmp_path):
    with pytest.raises(CatalogError) as info:
        search_app(tmp_path / "index", DATA_DIR=str(broken_data(tmp_path)))
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
