"""Highlighting as data: stored texts analysed once, the character spans of the matched terms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class Marked:
    """A field's plain text and the [start, end) character spans of the words a query matched."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()  # sorted, never overlapping nor touching


_SPANS: dict = {}  # (analyzer, text) -> {term: ((start, end), ...)}: stored texts are analysed once
_SPANS_MAX = 50_000
_EMPTY = Marked("")


def _spans(analyzer, text: str) -> dict[str, tuple[tuple[int, int], ...]]:
    key = (id(analyzer), text)
    spans = _SPANS.get(key)
    if spans is None:
        by_term: dict[str, list] = {}
        for t in analyzer(text, chars=True, mode="index"):
            by_term.setdefault(t.text, []).append((t.startchar, t.endchar))
        spans = {term: tuple(found) for term, found in by_term.items()}
        if len(_SPANS) >= _SPANS_MAX:
            _SPANS.clear()
        _SPANS[key] = spans
    return spans


def mark(text: str, analyzers: Sequence[tuple[Any, set]]) -> Marked:
    """text with the spans of every token whose term is in the set for its analyzer, merged."""
    if not text:
        return _EMPTY
    found: list = []
    for analyzer, terms in analyzers:
        if terms:
            spans = _spans(analyzer, text)
            # the text's terms met by the query's, in C; usually none, so most fields stop here
            for term in spans.keys() & terms:
                found.extend(spans[term])
    if not found:
        return Marked(text)
    found.sort()
    merged = [list(found[0])]
    for start, end in found[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return Marked(text, tuple((start, end) for start, end in merged))
