"""The deployed site is the tested site: the exact Procfile command, started from a fresh clone of
the repository (nothing built: no compiled catalog, no static assets, no index, no share images;
only the requirements installed, the shared virtualenv's), serves the whole site, Korean included;
and with hundreds of connections trickling their headers, normal requests are still answered."""
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests_paths import ROOT

PORTS = range(18080, 18100)
TRICKLERS = 300


def procfile_command() -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    return shlex.split(line.split(":", 1)[1])


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    pytest.skip("no free port in 18080-18099")


def get(port: int, path: str, headers=None, timeout: float = 20.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    target = tmp_path_factory.mktemp("deploy") / "site"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True)
    # the clone holds what is committed: the working tree's uncommitted edits are not deployed
    for built in ("translations/ko/LC_MESSAGES/messages.mo", "static/dist", "share_images"):
        assert not (target / built).exists(), built
    return target


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


@pytest.fixture(scope="module")
def server(clone):
    port = free_port()
    proc = start(clone, port)
    yield port
    stop(proc)


def test_procfile_from_a_fresh_clone_serves_korean(server):
    status, headers, body = get(server, "/codes/250104?lang=ko")
    page = body.decode()
    assert status == 200 and '<html lang="ko">' in page
    assert "검색" in page and ">Search<" not in page  # the interface itself, not only the data
    assert "고객 답변" in page and "Reply to a customer" not in page
    status, _, body = get(server, "/?lang=ko")
    assert status == 200 and "오류 코드" in body.decode()


def test_procfile_from_a_fresh_clone_serves_hashed_assets(server):
    _, _, body = get(server, "/")
    import re
    url = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', body.decode())
    assert url, "the page links no hashed stylesheet"
    status, headers, _ = get(server, url.group(1), {"Accept-Encoding": "br"})
    assert status == 200 and "immutable" in headers["Cache-Control"] and headers.get("Content-Encoding") == "br"


def test_procfile_refuses_an_unknown_host(server):
    status, headers, body = get(server, "/codes//250104", {"Host": "evil.example"})
    assert status == 400 and "Location" not in headers


def test_trickling_clients_do_not_hold_the_workers(server):
    """300 connections send their headers a byte at a time while normal requests come in."""
    stop_event = threading.Event()
    sockets = []
    for _ in range(TRICKLERS):
        s = socket.create_connection(("127.0.0.1", server), timeout=5)
        s.sendall(b"GET /codes/250104 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(s)

    def trickle():
        while not stop_event.is_set():
            for s in sockets:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            stop_event.wait(0.5)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1)
        answered = 0
        for path in ["/codes/250104", "/api/search?q=recording+fail", "/codes/250100?lang=ko", "/api/codes/250104"] * 10:
            status, _, _ = get(server, path, timeout=10)
            answered += status == 200
        assert answered == 40
    finally:
        stop_event.set()
        thread.join()
        for s in sockets:
            s.close()
