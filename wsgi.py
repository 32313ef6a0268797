"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`.

A data file with an error stops the start: the message names the file and the code, and the
process exits non-zero instead of serving a half-loaded catalog.
"""
import sys

from app import create_app
from catalog import CatalogError

try:
    app = create_app()
except CatalogError as exc:
    print(f"Live Station Error Codes cannot start: {exc}", file=sys.stderr, flush=True)
    sys.exit(1)
