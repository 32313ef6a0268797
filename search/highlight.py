"""Highlighting as data: stored texts analysed once, the character spans of the matched terms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class Marked:
    """A field's plain text and the [start, end) character spans of the words a query matched."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()  # sorted, never overlapping nor touching


_SPANS: dict = {}  # (analyzer, text) -> [(term, start, end)]: stored texts are analysed once
_SPANS_MAX = 50_000


def _spans(analyzer, text: str) -> list[tuple[str, int, int]]:
    key = (id(analyzer), text)
    spans = _SPANS.get(key)
    if spans is None:
        spans = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="index")]
        if len(_SPANS) >= _SPANS_MAX:
            _SPANS.clear()
        _SPANS[key] = spans
    return spans


def mark(text: str, analyzers: Sequence[tuple[Any, set]]) -> Marked:
    """text with the spans of every token whose term is in the set for its analyzer, merged."""
    if not text:
        return Marked("")
    found = []
    for analyzer, terms in analyzers:
        if terms:
            found.extend((start, end) for term, start, end in _spans(analyzer, text) if term in terms)
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
