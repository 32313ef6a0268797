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
    return _merge(text, found) if found else Marked(text)


def _merge(text: str, found: list) -> Marked:
    if len(found) == 1:
        return Marked(text, (tuple(found[0]),))
    found.sort()
    merged = []
    start, end = found[0]
    for a, b in found:  # the first one again merges into itself
        if a <= end:
            if b > end:
                end = b
        else:
            merged.append((start, end))
            start, end = a, b
    merged.append((start, end))
    return Marked(text, tuple(merged))


@dataclass(frozen=True)
class DocSpans:
    """One document's shown fields analysed once: each field unmarked, and for each analyzer the spans of its terms."""

    # by field, so marking a hit is one set intersection per analyzer and a list extended per field and term
    plain: dict  # shown field -> Marked(text)
    by_term: dict  # analyzer slot -> {term: ((field, ((start, end), ...)), ...)}


def doc_spans(texts: dict[str, str], slots: dict[str, Any], fields_of: dict[str, Sequence[str]]) -> DocSpans:
    """texts: shown field -> text; slots: name -> analyzer; fields_of: slot -> the fields it marks."""
    by_term: dict = {}
    for slot, analyzer in slots.items():
        terms: dict = {}
        for fieldname in fields_of[slot]:
            for term, spans in _spans(analyzer, texts[fieldname]).items() if texts[fieldname] else ():
                terms.setdefault(term, []).append((fieldname, spans))
        by_term[slot] = {term: tuple(found) for term, found in terms.items()}
    return DocSpans({f: Marked(t) if t else _EMPTY for f, t in texts.items()}, by_term)


def mark_doc(doc: DocSpans, wanted: Sequence[tuple[str, set]]) -> dict[str, Marked]:
    """Every shown field of a document marked as mark() marks it, for (slot, terms) pairs."""
    found: dict[str, list] = {}
    for slot, terms in wanted:
        if terms:
            index = doc.by_term[slot]
            for term in index.keys() & terms:
                for fieldname, spans in index[term]:
                    if fieldname in found:
                        found[fieldname].extend(spans)
                    else:
                        found[fieldname] = list(spans)
    out = dict(doc.plain)
    for fieldname, spans in found.items():
        out[fieldname] = _merge(out[fieldname].text, spans)
    return out
