"""The site's public origin comes from configuration, never from the client.

* ``LSE_SITE_URL`` (``https://errors.example.com``) is the origin of every absolute URL the site
  writes (canonical, og:url, hreflang, sitemap, API permalinks, redirects).
* ``LSE_TRUSTED_HOSTS`` (comma-separated, Flask's ``TRUSTED_HOSTS``): the Host headers answered.
  By default the site URL's host; without a site URL, only 127.0.0.1, localhost and ::1, so local
  development works as it is. Any other Host gets a plain 400 and one log line.
* ``LSE_PROXY_FIX`` (a number of proxies, or true for one): honour X-Forwarded-For/-Proto/-Host/
  -Prefix through Werkzeug's ProxyFix. Without it those headers are ignored.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

log = logging.getLogger("lse.web")

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_LABEL = 63
MAX_HOST = 253
#: the answer to an unknown Host: plain (no template, nothing from the request), JSON under /api/
BAD_HOST_HTML = (b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>400 Bad Request</title></head>"
                 b"<body><h1>Bad Request</h1><p>Unknown host.</p></body></html>\n")
BAD_HOST_JSON = b'{"error": {"status": 400, "message": "Unknown host."}}\n'


def as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class Origin:
    """The configured origin: scheme, host and path prefix of every absolute URL."""

    def __init__(self, site_url: str | None, trusted_hosts=None):
        self.site_url = (site_url or "").rstrip("/") or None
        if self.site_url:
            parts = urlsplit(self.site_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"LSE_SITE_URL must be an http(s) URL, not {site_url!r}")
            self.scheme, self.netloc, self.prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")
        else:
            self.scheme = self.netloc = self.prefix = None
        hosts = as_list(trusted_hosts)
        if not hosts:
            hosts = [urlsplit(self.site_url).hostname] if self.site_url else list(LOCAL_HOSTS)
        self.trusted_hosts = hosts

    def check(self, host: str) -> str | None:
        """Why this Host header is refused, or None when it is served."""
        if not host:
            return "no Host header"
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if len(name) > MAX_HOST or any(len(label) > MAX_LABEL for label in name.split(".")):
            return "host name too long"
        try:
            trusted = host_is_trusted(host, self.trusted_hosts)
        except Exception:  # noqa: BLE001 - whatever a client sends, a 400, never a traceback
            trusted = False
        return None if trusted else "untrusted host"


class OriginMiddleware:
    """Refuse untrusted Host headers before anything else runs; give the app the configured origin."""

    def __init__(self, app, origin: Origin):
        self.app, self.origin = app, origin
        self.refused = 0

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or ""
        problem = self.origin.check(host)
        if problem is not None:
            self.refused += 1
            log.warning("400 %s: %r on %s (served: LSE_SITE_URL, LSE_TRUSTED_HOSTS)", problem, host[:100],
                        environ.get("PATH_INFO", "")[:100])
            api = environ.get("PATH_INFO", "").startswith("/api/")
            body = BAD_HOST_JSON if api else BAD_HOST_HTML
            start_response("400 Bad Request", [
                ("Content-Type", "application/json" if api else "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
            return [body]
        if self.origin.site_url:
            environ["HTTP_HOST"] = environ["SERVER_NAME"] = self.origin.netloc
            environ["wsgi.url_scheme"] = self.origin.scheme
            environ["SCRIPT_NAME"] = self.origin.prefix
            environ["SERVER_PORT"] = str(urlsplit(self.origin.site_url).port
                                         or (443 if self.origin.scheme == "https" else 80))
        return self.app(environ, start_response)


def proxy_fix_count(value) -> int:
    if value in (None, "", False, 0, "0", "false", "False", "no"):
        return 0
    if value in (True, "true", "True", "yes"):
        return 1
    return max(0, int(value))


def origin_key(environ) -> str:
    """scheme://host/prefix of this request, after the middleware: part of every stored answer's key."""
    return f"{environ.get('wsgi.url_scheme')}://{environ.get('HTTP_HOST', '')}{environ.get('SCRIPT_NAME', '')}"
