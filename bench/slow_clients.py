"""Slow clients: normal requests answered while hundreds of connections trickle their headers.

    python bench/slow_clients.py                     # 500 trickling connections, 20 s, gevent vs gthread
    python bench/slow_clients.py --clients 200 --duration 10 --classes gevent

For each gunicorn worker class (the Procfile's command, GUNICORN_WORKER_CLASS set), on one port of
18000-18099 on 127.0.0.1: open N connections that send a request's headers one byte at a time
(one byte per connection every --interval seconds, never finishing) and N more that send a whole
request for /api/codes and then read the answer one small chunk at a time; meanwhile a normal client
asks for /codes/250104 and /api/search?q=... in turn, one at a time, and records each latency (a
request not answered in 5 s counts as failed). Printed: answered/failed, p50/p99 latency, per class,
side by side in one run. This is not a test: nothing here runs in `make test`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(18040, 18060)
GOAL_P99_MS = 250


def procfile_command() -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.split(":", 1)[1].strip())
    raise SystemExit("Procfile has no web: line")


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit("no free port in 18040-18059")


def start(worker_class: str, port: int):
    command = procfile_command()
    command[0] = str(Path(sys.executable).parent / command[0])
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", GUNICORN_WORKER_CLASS=worker_class,
               LSE_SITE_URL=f"http://127.0.0.1:{port}")
    log = tempfile.NamedTemporaryFile(prefix=f"slow-{worker_class}-", suffix=".log", delete=False)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(Path(log.name).read_text()[-2000:])
        try:
            get(port, "/")
            return proc
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{worker_class} server did not start")


def get(port: int, path: str, timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Tricklers(threading.Thread):
    """N sockets sending a never-ending request head one byte at a time, and N reading slowly."""

    def __init__(self, port: int, clients: int, interval: float):
        super().__init__(daemon=True)
        self.port, self.clients, self.interval = port, clients, interval
        self.stop = threading.Event()
        self.opened = 0

    def run(self) -> None:
        head = b"GET /codes/250104 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 4000
        trickling, reading = [], []
        for i in range(self.clients):
            for kind in (trickling, reading):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                try:
                    s.connect(("127.0.0.1", self.port))
                except OSError:
                    s.close()
                    continue
                s.setblocking(False)
                if kind is reading:
                    s.sendall(b"GET /api/codes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                kind.append(s)
                self.opened += 1
        pos = 0
        while not self.stop.is_set():
            for s in trickling:
                try:
                    s.send(head[pos % len(head):pos % len(head) + 1])
                except OSError:
                    pass
            for s in reading:
                try:
                    s.recv(64)
                except OSError:
                    pass
            pos += 1
            self.stop.wait(self.interval)
        for s in trickling + reading:
            s.close()


def measure(worker_class: str, args) -> dict:
    port = free_port()
    proc = start(worker_class, port)
    try:
        tricklers = Tricklers(port, args.clients, args.interval)
        tricklers.start()
        time.sleep(3)  # let every connection open and start trickling
        latencies, failed = [], 0
        paths = ["/codes/250104", "/api/search?q=channel+recording", "/codes/250100?lang=ko", "/search?q=%EB%85%B9%ED%99%94"]
        deadline = time.time() + args.duration
        n = 0
        while time.time() < deadline:
            started = time.perf_counter()
            try:
                status = get(port, paths[n % len(paths)])
                if status != 200:
                    failed += 1
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
            except OSError:
                failed += 1
            n += 1
        tricklers.stop.set()
        tricklers.join()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    result = {"class": worker_class, "slow_connections": tricklers.opened, "answered": len(latencies), "failed": failed,
              "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
              "p99_ms": round(sorted(latencies)[int(len(latencies) * 0.99) - 1], 1) if len(latencies) >= 100 else
              (round(max(latencies), 1) if latencies else None)}
    print(json.dumps(result), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="trickling connections (and as many slow readers)")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--classes", default="gevent,gthread")
    args = parser.parse_args()
    results = [measure(c, args) for c in args.classes.split(",")]
    print("\n| worker class | slow connections | normal requests answered | failed | p50 ms | p99 ms | p99 < 250 ms |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        ok = r["p99_ms"] is not None and r["p99_ms"] < GOAL_P99_MS and r["failed"] == 0
        print(f"| {r['class']} | {r['slow_connections']} | {r['answered']} | {r['failed']} | {r['p50_ms']} | {r['p99_ms']} "
              f"| {'PASS' if ok else 'FAIL'} |")
    return 0 if all(r["p99_ms"] is not None and r["p99_ms"] < GOAL_P99_MS and r["failed"] == 0
                    for r in results if r["class"] == "gevent") else 1


if __name__ == "__main__":
    sys.exit(main())
