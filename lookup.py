"""What a query or a pasted error leads to: the results with the pasted error's codes pinned first,
and the one code to jump to when there is no doubt. Every rule about pinning, catch-all templates
and jumping lives here (no Flask: the views pass the search service and the matcher)."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

SHORT_QUERY = 256  # characters: longer text, or text with line breaks, is a paste (sent by POST, never in a URL)
MIN_CERTAIN_SPECIFICITY = 10  # fixed characters a message must have to identify its code alone ("{0} not found." has 8)
MIN_CERTAIN_PARTIAL = 20  # ... and found inside longer text (a log line)


@dataclass(frozen=True)
class Pasted:
    """What the matcher made of a pasted error, and the match it identifies beyond doubt (or None)."""

    analysis: object  # matcher.PasteAnalysis, catch-all templates left out
    certain: object | None  # matcher.Match


@dataclass(frozen=True)
class Lookup:
    """What a query or a paste leads to."""

    results: object  # search.SearchResults, pinned codes first
    paste: object | None  # matcher.PasteAnalysis when the text was a pasted error
    jump: str | None = None  # a code to go straight to: an exact code or name, or a certain paste
    values: dict = field(default_factory=dict)  # {"0": "pageNo"}: what the certain paste's placeholders held

    @property
    def pinned(self) -> int:
        """How many results the paste matcher found (they come first)."""
        return sum(1 for hit in self.results.hits if hit.match is not None)

    @property
    def degraded(self) -> bool:
        """Nothing was searched (no index, or the search failed): an answer not to keep."""
        return self.results.degraded


def lookup(query: str, *, search, matcher, limit: int, page: int = 1, category: str | None = None,
           paste: bool | None = None) -> Lookup:
    """Search, with the codes a pasted message or error body matches pinned at the top, and the jump.

    Words typed into the box go straight to search: a catch-all template would otherwise claim them
    ("channel not found" fits "{0} not found."). `paste=True` analyses the text whatever it looks like.
    Pinned codes outside the category are dropped by the search, like every other result.
    """
    pasted = identify(query, matcher) if (paste if paste is not None else matcher.looks_like_paste(query)) else None
    analysis = pasted.analysis if pasted else None
    pinned = [(m.code, m.as_json()) for m in analysis.matches if earns_pin(m, analysis, query)] if analysis else []
    results = search.search(words_of(query, analysis), limit=limit, page=page, category=category,
                            pinned=pinned if page == 1 else ())
    if results.degraded:
        return Lookup(results, analysis)
    if pasted is None:
        exact = results.exact_codes[0] if len(results.exact_codes) == 1 and not category and page == 1 else None
        return Lookup(results, None, exact)
    certain = pasted.certain
    return Lookup(results, analysis, certain.code if certain else None, dict(certain.params) if certain else {})


def identify(text: str, matcher) -> Pasted:
    """A pasted error read by the matcher, without a catch-all template ("{0}") unless the body's
    fields named it, and the match it identifies beyond doubt."""
    analysis = matcher.analyse(text)
    real = tuple(m for m in analysis.matches if m.specificity > 0 or m.source != "message")
    if len(real) != len(analysis.matches):
        analysis = dataclasses.replace(analysis, matches=real, segments=analysis.segments if real else ())
    return Pasted(analysis, certain_match(analysis))


def is_paste(text: str, matcher) -> bool:
    """Text that must not go into an address: long, several lines, or a message or body."""
    return len(text) > SHORT_QUERY or "\n" in text or matcher.looks_like_paste(text)


def earns_pin(match, analysis, text: str) -> bool:
    """A match goes above the search results only with evidence: an error body or its fields, the
    code's number in the text, or enough of the message's fixed words that it is not a coincidence
    ("CH-1 not found." fits "{0} not found." with 8 fixed characters: searched, not pinned)."""
    if match.source != "message" or analysis.body is not None:
        return True
    if re.search(rf"(?<!\d){match.code}(?!\d)", text):
        return True
    return match.specificity >= MIN_CERTAIN_SPECIFICITY


def certain_match(analysis):
    """The match a paste identifies beyond doubt, or None when a person should choose among several."""
    if not analysis.matches or analysis.conflicts:
        return None
    first, rest = analysis.matches[0], analysis.matches[1:]
    if first.source == "errorCode":
        return first
    if first.source == "errorName":
        return None if any(m.source == "errorName" for m in rest) else first
    if any(n.kind == "same_message" for n in first.notes) or first.specificity < MIN_CERTAIN_SPECIFICITY:
        return None
    if first.exact:
        return None if any(m.exact for m in rest) else first
    return first if not rest and first.specificity >= MIN_CERTAIN_PARTIAL else None


def words_of(query: str, analysis) -> str:
    """What to search by words: the query, or for a long paste the body's message, else its end."""
    if analysis is None or len(query) <= SHORT_QUERY:
        return query
    message = (analysis.body or {}).get("error", {}).get("message")
    return message if isinstance(message, str) and message.strip() else query[-SHORT_QUERY:]
