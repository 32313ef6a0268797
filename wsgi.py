"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app` (the Procfile).

Everything the site needs is prepared here, so that the Procfile alone serves the whole site on a
host where only `pip install -r requirements.txt` ran: the Korean catalog is compiled when missing
or stale (create_app), the static assets are built when missing, and, with LSE_SITE_URL set, every
permalink is pre-rendered in both languages before the workers fork.

A data file with an error stops the start: the message names the file and the code, and the
process exits non-zero instead of serving a half-loaded catalog.
"""
import os
import sys

import web
from app import create_app
from catalog import CatalogError

# a missing or stale index is built in a forked child, so the workers do not inherit what building
# allocated (7 MB more per worker otherwise); LSE_SEARCH_BUILD_APART=false builds in this process
os.environ.setdefault("LSE_SEARCH_BUILD_APART", "true")
try:
    app = create_app()
except CatalogError as exc:
    for problem in exc.problems:
        print(f"cannot start: {problem}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(1)

web.assets.ensure_built(app)
if app.config.get("SITE_URL") and os.environ.get("LSE_PRERENDER_AT_START", "1") not in ("0", "false", "no"):
    web.prerender_all(app)
