"""gunicorn settings for a small machine; the Procfile and `make run` both use this file."""
import multiprocessing
import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Two cores here: 2 workers x 4 threads keeps memory low and the CPUs busy (bench/load.py measured
# 2x4 gthread against 2x1, 3x2, 4x1 and 4x4: none better, 3x2 and 4x4 worse); WEB_CONCURRENCY and
# GUNICORN_THREADS override. gthread rather than sync: keep-alive connections from a CDN or a
# browser are held without a worker each, and a slow client cannot block a worker.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# Load the catalog (and build the static assets) once in the master, shared copy-on-write.
preload_app = True
timeout = 30
graceful_timeout = 10
keepalive = 5
# A safety net against slow leaks; every cache in the app is bounded, so recycle rarely (a recycled
# worker re-renders its pages on first request).
max_requests = 100_000
max_requests_jitter = 10_000
# Heartbeat files on tmpfs: a slow disk must not make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Request limits (gunicorn answers 400/414/431 itself past them): search queries are cut to 4096
# characters anyway.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# No runtime control socket: unused here, and several gunicorns on one host (the benchmark runs
# three) would fight over its single default path.
control_socket_disable = True


def pre_fork(server, worker):
    """Move everything the preloaded app allocated out of the garbage collector's reach, so that the
    workers' collections do not write to (and so un-share) the pages they inherited."""
    import gc

    gc.freeze()
