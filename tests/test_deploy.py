"""The deployed site is the tested site: the exact Procfile command, started from a fresh clone of
the repository (nothing built: no compiled catalog, no static assets, no index, no share images;
only the requirements installed, the shared virtualenv's), serves the whole site, Korean included;
and with hundreds of connections trickling their headers, normal requests are still answered."""
import socket
import threading
import time

from support import get

TRICKLERS = 300


def test_procfile_from_a_fresh_clone_serves_korean(procfile_server):
    status, headers, body = get(procfile_server, "/codes/250104?lang=ko")
    page = body.decode()
    assert status == 200 and '<html lang="ko">' in page
    assert "검색" in page and ">Search<" not in page  # the interface itself, not only the data
    assert "고객 답변" in page and "Reply to a customer" not in page
    status, _, body = get(procfile_server, "/?lang=ko")
    assert status == 200 and "오류 코드" in body.decode()


def test_procfile_from_a_fresh_clone_serves_hashed_assets(procfile_server):
    _, _, body = get(procfile_server, "/")
    import re
    url = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', body.decode())
    assert url, "the page links no hashed stylesheet"
    status, headers, _ = get(procfile_server, url.group(1), {"Accept-Encoding": "br"})
    assert status == 200 and "immutable" in headers["Cache-Control"] and headers.get("Content-Encoding") == "br"


def test_procfile_refuses_an_unknown_host(procfile_server):
    status, headers, body = get(procfile_server, "/codes//250104", {"Host": "evil.example"})
    assert status == 400 and "Location" not in headers


def test_trickling_clients_do_not_hold_the_workers(procfile_server):
    """300 connections send their headers a byte at a time while normal requests come in."""
    stop_event = threading.Event()
    sockets = []
    for _ in range(TRICKLERS):
        s = socket.create_connection(("127.0.0.1", procfile_server), timeout=5)
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
            status, _, _ = get(procfile_server, path, timeout=10)
            answered += status == 200
        assert answered == 40
    finally:
        stop_event.set()
        thread.join()
        for s in sockets:
            s.close()
