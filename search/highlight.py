"""Highlighting: stored texts analysed once, matched terms wrapped in <mark>, everything escaped."""
from __future__ import annotations

from typing import Any, Sequence

from markupsafe import Markup, escape



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


def highlight(text: str, analyzers: Sequence[tuple[Any, set]]) -> Markup:
    """text with every token whose term is in the set for its analyzer wrapped in <mark>; all escaped."""
    if not text:
        return Markup("")
    marks = []
    for analyzer, terms in analyzers:
        if terms:
            marks.extend((start, end) for term, start, end in _spans(analyzer, text) if term in terms)
    if not marks:
        return escape(text)
    marks.sort()
    merged = [list(marks[0])]
    for start, end in marks[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append("<mark>")
        out.append(escape(text[start:end]))
        out.append("</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return Markup("".join(out))  # every piece of text went through escape()
