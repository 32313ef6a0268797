"""Caching policies, declared on each view with a decorator (``@policy.permalink``).

A policy says what kind of answer a view gives, and so how it is kept and for how long:

* ``permalink``: built from immutable data. Every 200 answer is rendered once (per language when it
  depends on the language), held whole in the page store and served from memory afterwards.
* ``answer(params)``: a search answer. Complete 200 answers are kept in the answer cache, bounded in
  bytes, keyed by the named query parameters only, in the order given.
* ``private``: a visitor's own data (a pasted error): never kept by any cache.

A view without a policy is rendered on every request; its Cache-Control follows its status.
The decorators only mark the function: the blueprint registers the very same function.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, request

PAGE_CACHE = "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400"
SEARCH_CACHE = "public, max-age=60, stale-while-revalidate=300"
NOT_FOUND_CACHE = "public, max-age=60"
PERMANENT_REDIRECT_CACHE = "public, max-age=86400"
NO_STORE = "no-store"
STATIC_IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_MUTABLE_MAX_AGE = 300

ATTRIBUTE = "caching_policy"


@dataclass(frozen=True)
class Policy:
    kind: str  # "permalink", "answer" or "private"
    cache_control: str
    by_language: bool = True  # the answer differs with the interface language (HTML, templates)
    by_accept: bool = False  # the answer differs with Accept (a code page: HTML or Markdown)
    params: tuple[str, ...] = ()  # answer: the query parameters the answer depends on, in key order
    accept: Callable[[dict], bool] | None = None  # permalink: which view arguments may be kept


@dataclass(frozen=True)
class LeanAnswer:
    """An answer view whose plain GETs web.store.AnswerPath answers outside Flask's request chain."""

    endpoint: str
    policy: Policy
    make: Callable[[dict, dict], str | None]  # (args, environ) -> the body of a complete 200 answer, or None: the view answers


def _mark(policy: Policy):
    def decorate(view):
        setattr(view, ATTRIBUTE, policy)
        return view
    return decorate


def permalink(view=None, *, by_language: bool = True, by_accept: bool = False, accept=None):
    """An answer made from immutable data: rendered once, then served from the page store."""
    marker = _mark(Policy("permalink", PAGE_CACHE, by_language, by_accept, accept=accept))
    return marker(view) if view is not None else marker


def answer(*params: str, by_language: bool = True):
    """A search answer: complete 200 answers kept in the byte-bounded answer cache, keyed by `params`."""
    return _mark(Policy("answer", SEARCH_CACHE, by_language, params=params))


def private(view):
    """A visitor's own data: never kept by the site, a proxy or the browser."""
    return _mark(Policy("private", NO_STORE, by_language=False))(view)


def digits_only(view_args: dict) -> bool:
    """Keep only code numbers (not names, whose letter-case variants are endless)."""
    ident = str(view_args.get("ident", ""))
    return ident.isascii() and ident.isdigit()


def of_request() -> Policy | None:
    """The policy of the view this request was routed to."""
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, ATTRIBUTE, None)


def incomplete() -> None:
    """Say that this answer is not the whole answer (a degraded or failed search): never keep it."""
    g.answer_incomplete = True
