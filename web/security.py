"""Security headers on every answer (WhiteNoise's and the origin check's included), and redirects
that never leave the site."""
from __future__ import annotations

from urllib.parse import urlsplit

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
])
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
SECURITY_NAMES = frozenset(name.lower() for name, _ in SECURITY_HEADERS)
# The read-only data (JSON, CSV, Markdown) may be read by browser tools on any origin; it carries
# no credentials and nothing private, so a wildcard is safe. Pages and POST endpoints stay same-origin.
CORS_HEADER = ("Access-Control-Allow-Origin", "*")
DATA_SUFFIXES = (".json", ".csv", ".md")


def is_public_data(environ) -> bool:
    """A GET or HEAD for the read-only API or a code's data file."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    path = environ.get("PATH_INFO", "")
    return path.startswith("/api/") or path.endswith(DATA_SUFFIXES) or path == "/llms.txt"


class SecurityHeadersMiddleware:
    """The outermost layer: whatever answered (Flask, WhiteNoise, the origin check, the page store),
    the answer carries every security header."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        cors = is_public_data(environ)

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            if not SECURITY_NAMES <= present:
                headers = list(headers) + [(k, v) for k, v in SECURITY_HEADERS if k.lower() not in present]
            if cors and "access-control-allow-origin" not in present:
                headers = list(headers) + [CORS_HEADER]
            return start_response(status, headers, exc_info)
        return self.app(environ, start)


def is_own_location(location: str, host: str) -> bool:
    """Only paths on this site (or absolute URLs to this very host) may be redirected to."""
    if not location or "\\" in location or any(ord(ch) < 0x21 for ch in location):
        return False
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == host and not parts.path.startswith("//")
    return location.startswith("/") and not location.startswith("//")
