"""Static assets: content-hashed names (``/static/style.3f2a….css``) with gzip and brotli variants,
built by ``flask build-static`` (``make run`` calls it; the WSGI start-up runs it when the built
assets are missing, so the Procfile alone serves them) and served by WhiteNoise as immutable.

create_app only reads what was built (``manifest.json`` in the build directory): until assets
are built, pages link the plain names, which Flask serves with a short lifetime.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import fragments
from .policy import STATIC_IMMUTABLE, STATIC_MUTABLE_MAX_AGE

log = logging.getLogger("lse.web")

HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")
COMPRESSIBLE = {".css", ".js", ".mjs", ".json", ".svg", ".html", ".txt", ".xml", ".map", ".ico", ".webmanifest"}
MANIFEST = "manifest.json"


def _hashed(relpath: str, data: bytes) -> str:
    stem, dot, ext = relpath.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{relpath}.{digest}"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that concurrent readers (other workers, other apps) never see half of it."""
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _compressed_variants(data: bytes) -> dict[str, bytes]:
    out = {".gz": gzip.compress(data, compresslevel=9, mtime=0)}
    try:
        import brotli
        out[".br"] = brotli.compress(data)
    except ImportError:  # pragma: no cover - brotli is pinned in requirements.txt
        pass
    return {suffix: blob for suffix, blob in out.items() if len(blob) <= 0.95 * len(data)}


def build_static(src: str | Path, out: str | Path) -> dict[str, str]:
    """Copy every file under src into out under its own name and a content-hashed name, with
    gzip/brotli variants, rewriting relative url() references in CSS to the hashed names, and
    write the manifest {original relative path: hashed relative path} last (out/manifest.json).

    Safe to run from several processes at once: every file is written atomically and deterministically.
    """
    src, out = Path(src).resolve(), Path(out).resolve()
    files = sorted(p for p in src.rglob("*") if p.is_file() and out not in p.parents
                   and not any(part.startswith(".") for part in p.relative_to(src).parts))
    contents = {p.relative_to(src).as_posix(): p.read_bytes() for p in files}
    manifest: dict[str, str] = {}
    # CSS last, so that its url() references can point at the already hashed names.
    for rel in sorted(contents, key=lambda r: (r.endswith(".css"), r)):
        data = contents[rel]
        if rel.endswith(".css"):
            data = _rewrite_css(rel, data, manifest)
        manifest[rel] = _hashed(rel, data)
        for name in (rel, manifest[rel]):
            _write_atomic(out / name, data)
            if Path(name).suffix.lower() in COMPRESSIBLE:
                for suffix, blob in _compressed_variants(data).items():
                    _write_atomic(out / (name + suffix), blob)
    _write_atomic(out / MANIFEST, json.dumps(manifest, sort_keys=True, indent=1).encode())
    return manifest



def _rewrite_css(rel: str, data: bytes, manifest: dict[str, str]) -> bytes:
    base = rel.rpartition("/")[0]

    def swap(match: re.Match) -> str:
        quote, target = match.group(1), match.group(2)
        if target.startswith(("data:", "http:", "https:", "//", "/", "#")):
            return match.group(0)
        path, _, suffix = target.partition("?")
        path, _, frag = path.partition("#")
        resolved = os.path.normpath(os.path.join(base, path)).replace(os.sep, "/")
        if resolved not in manifest:
            return match.group(0)
        new = os.path.relpath(manifest[resolved], base or ".").replace(os.sep, "/")
        new += ("?" + suffix if suffix else "") + ("#" + frag if frag else "")
        return f"url({quote}{new}{quote})"

    return CSS_URL.sub(swap, data.decode("utf-8")).encode("utf-8")




def _static_headers(headers, path: str, url: str) -> None:
    """WhiteNoise hook: a content ETag on every static file (security headers come from the outer layer)."""
    if HASHED_NAME.search(url):
        headers["Cache-Control"] = STATIC_IMMUTABLE
    try:
        with open(path, "rb") as fh:
            headers["ETag"] = '"%s"' % hashlib.sha256(fh.read()).hexdigest()[:32]
    except OSError:  # pragma: no cover - the file vanished between the scan and now
        pass


def read_manifest(out: str | Path) -> dict[str, str] | None:
    try:
        return json.loads((Path(out) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None


class StaticLayer:
    """WSGI layer serving the built assets with WhiteNoise once they are there; until then a pass-through."""

    def __init__(self, app, prefix: str):
        self.app, self.prefix = app, prefix
        self.whitenoise = None
        self._lock = threading.Lock()

    def activate(self, root: str) -> None:
        from whitenoise import WhiteNoise

        with self._lock:
            self.whitenoise = WhiteNoise(
                self.app, root=root, prefix=self.prefix, max_age=STATIC_MUTABLE_MAX_AGE,
                immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
                add_headers_function=_static_headers, allow_all_origins=True)

    def __call__(self, environ, start_response):
        served = self.whitenoise
        if served is not None:
            return served(environ, start_response)
        return self.app(environ, start_response)


def default_build_dir(app: Flask) -> Path:
    return Path(app.config.get("STATIC_BUILD_DIR") or Path(app.static_folder) / "dist")


def init_app(app: Flask, layer: StaticLayer) -> None:
    """Link and serve what `flask build-static` built, if it did (never builds anything itself)."""
    app.extensions["static_layer"] = layer
    app.extensions["static_manifest"] = {}

    @app.url_defaults
    def hashed_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            name = values.get("filename")
            hashed = current_app.extensions["static_manifest"].get(name)
            if hashed:
                values["filename"] = hashed

    out = default_build_dir(app)
    manifest = read_manifest(out)
    if manifest is not None and _current(app, out, manifest):
        _activate(app, out, manifest)


def _fallback_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"lse-static-{os.getuid()}"


def _current(app: Flask, out: Path, manifest: dict) -> bool:
    """Does the built directory hold today's static files (same names, same content)?"""
    src = Path(app.static_folder)
    for rel, hashed in manifest.items():
        source = src / rel
        if not source.exists() or not (out / hashed).exists():
            return False
        if not rel.endswith(".css") and _hashed(rel, source.read_bytes()) != hashed:
            return False
    current = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file() and out not in p.parents
               and not any(part.startswith(".") for part in p.relative_to(src).parts)}
    return current <= set(manifest) | {p for p in current if p.startswith("dist/")}


def _activate(app: Flask, out: Path, manifest: dict) -> None:
    app.config["STATIC_BUILD_DIR"] = str(out)
    app.extensions["static_manifest"] = manifest
    app.extensions["static_layer"].activate(str(out))
    fragments.forget(app)  # they link the static files by their hashed names
    store = app.extensions.get("page_store")
    if store is not None:  # pages rendered before linked the plain names
        store.clear()


def ensure_built(app: Flask) -> Path | None:
    """Build the assets if they are missing or stale and serve them (the start-up step)."""
    if app.extensions["static_layer"].whitenoise is not None:
        return Path(app.config["STATIC_BUILD_DIR"])
    src, out = Path(app.static_folder), default_build_dir(app)
    try:
        manifest = build_static(src, out)
    except OSError as exc:  # a read-only checkout: build next to the temp files instead
        fallback = _fallback_dir()
        log.warning("cannot write static build dir %s (%s); using %s", out, exc, fallback)
        try:
            out, manifest = fallback, build_static(src, fallback)
        except OSError as exc2:  # nowhere to write: plain names, served by Flask, short-lived
            log.error("cannot build hashed static files (%s); serving %s as they are", exc2, src)
            return None
    _activate(app, out, manifest)
    return out


@click.command("build-static")
@with_appcontext
def build_static_command() -> None:
    """Build the content-hashed static assets (with gzip and brotli variants)."""
    out = ensure_built(current_app._get_current_object())
    if out is None:
        raise click.ClickException("static assets could not be built")
    click.echo(f"static assets built in {out} ({len(current_app.extensions['static_manifest'])} files)")
