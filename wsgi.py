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
    for problem in exc.problems:
        print(f"cannot start: {problem}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(1)
