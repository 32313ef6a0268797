"""The framework floor for bench/load.py: a bare Flask app that renders a Jinja page per request.

`GET /floor/<size>` renders, on every request, a precompiled template (escaping included) whose
output is `size` bytes long, about what a real page of that size costs Flask + Jinja at the least.
It runs under the very same gunicorn settings as the site:

    BIND=127.0.0.1:8001 gunicorn -c gunicorn.conf.py bench.floor_app:app
"""
from __future__ import annotations

import json
import threading

from flask import Flask, jsonify

app = Flask(__name__)

ROW = "<tr><td><a href=\"/codes/{{ r.code }}\"><code>{{ r.code }}</code></a></td><td>{{ r.name }}</td><td lang=\"en\">{{ r.message }}</td></tr>\n"
TEMPLATE = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>\n"
            "<body><main><h1>{{ title }}</h1><table>\n{% for r in rows %}" + ROW + "{% endfor %}</table>"
            "<p>{{ tail }}</p></main></body></html>\n")
_compiled = app.jinja_env.from_string(TEMPLATE)
_rows: dict[int, tuple[list[dict], str]] = {}
_lock = threading.Lock()


def rows_for(size: int) -> tuple[list[dict], str]:
    """Rows (and a padding tail) that make the template render to exactly `size` bytes."""
    with _lock:
        if size not in _rows:
            row = {"code": "250104", "name": "CHANNEL_NAME_IS_WRONG",
                   "message": "Channel name is wrong & must be < 30 characters."}
            one = len(_compiled.render(title="Floor", rows=[row], tail="").encode())
            empty = len(_compiled.render(title="Floor", rows=[], tail="").encode())
            count = max(0, (size - empty) // max(1, one - empty))
            rows = [dict(row) for _ in range(count)]
            have = len(_compiled.render(title="Floor", rows=rows, tail="").encode())
            _rows[size] = (rows, "x" * max(0, size - have))
        return _rows[size]


@app.route("/floor/<int:size>")
def floor(size: int):
    rows, tail = rows_for(min(size, 5_000_000))
    return _compiled.render(title="Floor", rows=rows, tail=tail)


@app.route("/floor-json/<int:size>")
def floor_json(size: int):
    """The same for JSON: a dict of about `size` bytes, serialised by jsonify per request."""
    row = {"code": "250104", "name": "CHANNEL_NAME_IS_WRONG",
           "message": "Channel name is wrong & must be < 30 characters."}
    per_row = len(json.dumps(row, separators=(",", ":"))) + 1
    count = max(1, (min(size, 5_000_000) - 30) // per_row)
    return jsonify({"count": count, "codes": [dict(row) for _ in range(count)]})
