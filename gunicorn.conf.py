"""gunicorn settings for a small machine; the Procfile and `make run` both use this file.

Worker class: gevent. Every connection is a greenlet, so clients that trickle their headers or
read slowly hold a few KB each, not a worker: bench/slow_clients.py measured, with 500 trickling
connections, gthread (2 workers x 4 threads) answering no normal request at all while they
trickled, and gevent answering with a p99 of a few milliseconds. Searches are CPU-bound: the app
yields to the other greenlets before each one (web.store.cooperative_yield). GUNICORN_WORKER_CLASS
overrides (e.g. gthread, with GUNICORN_THREADS), WEB_CONCURRENCY sets the number of workers.
"""
import multiprocessing
import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count())))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
threads = int(os.environ.get("GUNICORN_THREADS", 4))  # gthread only
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 2000))  # gevent: greenlets per worker
# Load the catalog, compile the translations, build the static assets and pre-render the pages
# once in the master: the workers share them copy-on-write.
preload_app = True
timeout = 30
graceful_timeout = 10
keepalive = 5
# A safety net against slow leaks; every cache in the app is bounded in bytes, so recycle rarely.
max_requests = 100_000
max_requests_jitter = 10_000
# Heartbeat files on tmpfs: a slow disk must not make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Request limits (gunicorn answers 400/414/431 itself past them): long pastes come by POST.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# No runtime control socket: unused here, and several gunicorns on one host (the benchmark runs
# three) would fight over its single default path.
control_socket_disable = True


def when_ready(server):
    """Once, before the first fork: give back to the OS what building the app (and pre-rendering
    every page) allocated and freed, so the workers do not inherit it as resident memory."""
    import ctypes
    import gc

    import search

    search.release_build_memory()  # mecab and wordfreq, if the index was built in this process
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def pre_fork(server, worker):
    """Move everything the preloaded app allocated out of the garbage collector's reach, so that the
    workers' collections do not write to (and so un-share) the pages they inherited."""
    import gc

    gc.freeze()
