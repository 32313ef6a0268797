"""Scores over cached postings, the same Whoosh's matchers give: concepts take their best field, queries add up."""
from __future__ import annotations

import heapq
import sys
from array import array
from typing import Iterable

from whoosh import matching
from whoosh import query as Q


TOP_POSTINGS = 500  # postings per term used to rank the first pages (all of them below this)
TIEBREAK = 0.2  # a concept scores its best field plus this much of the others


def _combine_max(weighted: Iterable[tuple[dict, float]]) -> dict:
    """Per document: the best of the (scores times boost) plus TIEBREAK times the rest."""
    best: dict[int, float] = {}
    total: dict[int, float] = {}
    for scores, boost in weighted:
        if not best:  # the first field: every document starts here (sc * 1.0 is sc exactly)
            best = {doc: sc * boost for doc, sc in scores.items()} if boost != 1.0 else dict(scores)
            total = dict(best)
            continue
        get = best.get
        for doc, sc in scores.items():
            sc *= boost
            b = get(doc)
            if b is None:
                best[doc] = total[doc] = sc
            else:
                total[doc] += sc
                if sc > b:
                    best[doc] = sc
    # a document found in one field only keeps its score as it is (b + TIEBREAK * 0.0 is b)
    return {doc: b + TIEBREAK * (total[doc] - b) for doc, b in best.items()}


def _combine_sum(weighted: Iterable[tuple[dict, float]]) -> dict:
    """Per document: the sum of the (scores times boost), in the order given (scores: a dict or a Combined)."""
    out: dict[int, float] = {}
    for scores, boost in weighted:
        if not out:  # the first concept: nothing to add to (0.0 + x is x exactly)
            out = {doc: sc * boost for doc, sc in scores.items()} if boost != 1.0 else scores.copy()
            continue
        get = out.get
        if boost == 1.0:
            for doc, sc in scores.items():
                out[doc] = get(doc, 0.0) + sc
        else:
            for doc, sc in scores.items():
                out[doc] = get(doc, 0.0) + sc * boost
    return out


class Combined:
    """A concept's scores kept between queries, read as _combine_sum reads a dict."""

    # documents and scores in two arrays: 16 bytes a document, a fifth of what a dict of them takes
    __slots__ = ("_ids", "_scores")

    def __init__(self, scores: dict):
        # through lists: an array fills from a list at about two thirds of the cost of from a dict view
        self._ids, self._scores = array("l", list(scores)), array("d", list(scores.values()))

    def __len__(self) -> int:
        return len(self._ids)

    def items(self):
        return zip(self._ids, self._scores)

    def copy(self) -> dict:
        return dict(zip(self._ids, self._scores))

    def nbytes(self) -> int:
        return sys.getsizeof(self) + sys.getsizeof(self._ids) + sys.getsizeof(self._scores)


def best_first(scores: dict, n: int) -> list[tuple[int, float]]:
    """The n best (docnum, score) pairs, best first, equal scores by docnum: heapq.nlargest's by (score, -docnum)."""
    if len(scores) > n > 0:
        # the n-th best score, found without a key tuple per document: only documents at or above it rank
        floor = heapq.nlargest(n, scores.values())[-1]
        found = [(doc, sc) for doc, sc in scores.items() if sc >= floor]
    else:
        found = list(scores.items())
    found.sort(key=lambda x: (-x[1], x[0]))
    return found[:n]


def _drain(matcher) -> dict:
    """Every (docnum, score) a Whoosh matcher yields."""
    out = {}
    while matcher.is_active():
        out[matcher.id()] = matcher.score()
        matcher.next()
    return out


class _Postings:
    """One term's scored postings: a dict when there are few, compact arrays plus a dict of the
    best TOP_POSTINGS when there are many (what a catalog of 100k codes has for common words)."""

    __slots__ = ("top", "_ids", "_scores", "_bits")

    def __init__(self, scores: dict):
        if len(scores) <= TOP_POSTINGS:
            self.top, self._ids, self._scores = scores, None, None
        else:
            self.top = dict(heapq.nlargest(TOP_POSTINGS, scores.items(), key=lambda x: x[1]))
            self._ids, self._scores = array("l", scores.keys()), array("d", scores.values())
        self._bits = None

    def __len__(self) -> int:
        return len(self.top) if self._ids is None else len(self._ids) + len(self.top)

    def full(self) -> dict:
        return self.top if self._ids is None else dict(zip(self._ids, self._scores))

    def docs(self):
        return self.top.keys() if self._ids is None else self._ids

    def bits(self) -> int:
        """Its documents as a bit set (bit d set for document d), made on first use: unions and
        counts over many long lists then cost a few machine words per 64 documents."""
        if self._bits is None:
            self._bits = bitset(self.docs())
        return self._bits


def bitset(docs: Iterable[int]) -> int:
    """An int with bit d set for every document number d."""
    docs = list(docs)
    if not docs:
        return 0
    flags = bytearray((max(docs) >> 3) + 1)
    for doc in docs:
        flags[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(flags, "little")


class _ScoredMatcher(matching.Matcher):
    """A matcher over postings that are already scored (sorted doc ids and their scores)."""

    def __init__(self, ids, scores, i=0):
        self._ids, self._scores, self._i = ids, scores, i

    def is_active(self):
        return self._i < len(self._ids)

    def id(self):
        return self._ids[self._i]

    def score(self):
        return self._scores[self._i]

    weight = score

    def next(self):
        self._i += 1
        return False

    def skip_to(self, target):
        while self._i < len(self._ids) and self._ids[self._i] < target:
            self._i += 1

    def copy(self):
        return _ScoredMatcher(self._ids, self._scores, self._i)

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return max(self._scores[self._i:], default=0.0)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()


class Concept(Q.CompoundQuery):
    """One thing the user asked for (a word, its stem, parts and translations) over several fields.

    A document scores by its best field for it plus a little of the others (TIEBREAK), so a word
    found in every field does not outweigh a second word of the query, and matching more of the
    query's words ranks higher. (Whoosh's own DisjunctionMax ignores document ids when scoring.)
    """

    JOINT = " | "

    def _matcher(self, subs, searcher, context):
        scores = _combine_max((_drain(q.matcher(searcher, context)), 1.0) for q in subs)
        ids = sorted(scores)
        m = _ScoredMatcher(ids, [scores[d] for d in ids])
        return matching.WrappingMatcher(m, self.boost) if self.boost != 1.0 else m
