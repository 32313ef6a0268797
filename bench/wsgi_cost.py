"""CPU per request at WSGI level (in process, no HTTP): the unique-query targets of bench/load.py.

    python bench/wsgi_cost.py                    # ms per request for /api/search and /search, and the floor
    python bench/wsgi_cost.py --profile api      # cProfile of /api/search, the top functions by own time

Each request is the environ wrk would make (a GET with a Host header only) for two catalog words,
a different pair every time, exactly as bench/load.py's unique targets send them.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from werkzeug.test import EnvironBuilder  # noqa: E402

from load import catalog_words  # noqa: E402

HOST = "127.0.0.1:18000"


def unique_paths(prefix: str, words: list[str], count: int, start: int = 0) -> list[str]:
    """The paths of load.py's wrk script: prefix + a pair of words, a different pair every request."""
    out = []
    for n in range(start + 1, start + count + 1):
        a = words[n % len(words)]
        b = words[((n // len(words)) * 31 + n * 7) % len(words)]
        out.append(prefix + quote(a) + "+" + quote(b))
    return out


def environ_for(path: str) -> dict:
    path, _, query = path.partition("?")
    env = EnvironBuilder(path=path, query_string=query, base_url=f"http://{HOST}").get_environ()
    # only what wrk sends: no Accept, Accept-Encoding, Accept-Language nor cookie
    for name in [k for k in env if k.startswith("HTTP_") and k != "HTTP_HOST"]:
        del env[name]
    return env


def run(app, paths: list[str]) -> tuple[float, set]:
    """Seconds of CPU per request, and the statuses seen."""
    environs = [environ_for(p) for p in paths]
    statuses = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    gc.collect()
    started = time.process_time()
    for env in environs:
        body = app(env, start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()
    return (time.process_time() - started) / len(paths), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", choices=("api", "html"), help="cProfile one target instead")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LSE_SITE_URL", f"http://{HOST}")
    os.environ.setdefault("LSE_PRERENDER_AT_START", "0")
    from wsgi import app as site
    from floor_app import app as floor

    words = catalog_words()
    targets = {"api": "/api/search?q=", "html": "/search?q="}
    run(site, unique_paths(targets["api"], words, 300, 10**6) + unique_paths(targets["html"], words, 300, 10**6))
    if args.profile:
        import cProfile
        import pstats
        paths = unique_paths(targets[args.profile], words, args.requests)
        environs = [environ_for(p) for p in paths]
        profiler = cProfile.Profile()
        profiler.enable()
        for env in environs:
            for _ in site(env, lambda *a: None):
                pass
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
        return 0
    for name, prefix in targets.items():
        costs = []
        for r in range(args.rounds):
            cost, statuses = run(site, unique_paths(prefix, words, args.requests, start=r * args.requests))
            costs.append(cost)
        print(f"{prefix:16} {sorted(costs)[len(costs) // 2] * 1000:.3f} ms per request  {sorted(statuses)}")
    floor_cost, _ = run(floor, ["/floor-json/3000"] * args.requests)
    print(f"{'floor-json':16} {floor_cost * 1000:.3f} ms per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
