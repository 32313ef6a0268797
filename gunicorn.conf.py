"""gunicorn settings for a small machine; the Procfile and `make run` both use this file."""
import multiprocessing
import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Two cores here: 2 workers x 4 threads keeps memory low and CPU busy; override with WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# Load the catalog once in the master and share it copy-on-write with the workers.
preload_app = True
timeout = 30
graceful_timeout = 10
keepalive = 5
max_requests = 10000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
errorlog = "-"
