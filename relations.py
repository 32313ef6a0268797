"""Codes a reader may mix up with a given code: same message, or a near-identical name (no Flask).

NCP publishes names with typos (CNANNEL_..., DUPICATE_...), pairs that differ only by a `_GB`
suffix or an `OPEN_API_` prefix, and different codes sharing one message. Support staff asked
"is it 250135 or 250136?" need these side by side, with the reason they look alike.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Why two codes look alike, strongest first (the order a page lists them in).
REASONS = ("same_message", "same_name", "gb_suffix", "open_api_prefix", "typo", "word_order", "similar_name")
MAX_NAME_DISTANCE = 2
MIN_NAME_LENGTH = 8  # below this, two letters apart is a different word, not a near-identical name
MIN_TYPO_TOKEN = 6
# Real words that merely resemble another word used in the names (INTERNAL is not a typo of INTERVAL).
REAL_WORDS = frozenset({"INTERNAL"})
TYPO_SHARED_PREFIX = 2  # words a misspelt name must share, from the start, with a neighbour


@dataclass(frozen=True)
class Confusable:
    code: object  # the ErrorCode it may be confused with
    reason: str  # one of REASONS
    detail: str = ""  # e.g. "CNANNEL → CHANNEL" for a typo


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps.

    With `limit`, returns limit + 1 as soon as the distance is known to exceed it.
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _words(text: str) -> list[str]:
    """Lower-case words of a message, with camelCase split (targetPlatform → target, platform)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text)]


class Relations:
    """Pre-computed "often confused with" lists for every code of a catalog."""

    def __init__(self, codes):
        self.codes = tuple(codes)
        names = [n for c in self.codes for n in (c.name, *c.name_aliases) if n]
        self.token_counts = Counter(t for n in set(names) for t in n.split("_") if t)
        self.vocabulary = {w for c in self.codes for w in _words(c.message)} | {
            t.lower() for t, n in self.token_counts.items() if n >= 2}
        self.corrections = self._find_typos()
        self._cache: dict[str, tuple[Confusable, ...]] = {}

    # -------------------------------------------------------------------------- names
    def _find_typos(self) -> dict[str, str]:
        """Name tokens that look like misspellings of a word used elsewhere: {"CNANNEL": "CHANNEL"}."""
        messages: dict[str, set[str]] = {}
        for c in self.codes:
            for n in (c.name, *c.name_aliases):
                for t in n.split("_") if n else ():
                    messages.setdefault(t, set()).update(_words(c.message))
        out = {}
        for token in self.token_counts:
            if len(token) < MIN_TYPO_TOKEN or token in REAL_WORDS or token.lower() in self.vocabulary:
                continue
            candidates = sorted(
                (edit_distance(token.lower(), w, 2), -self.token_counts.get(w.upper(), 0), w)
                for w in self.vocabulary
                if w[0] == token[0].lower() and abs(len(w) - len(token)) <= 1 and len(w) >= MIN_TYPO_TOKEN)
            if not candidates or candidates[0][0] > (1 if len(token) < 7 else 2):
                continue
            word = candidates[0][2]
            # A real word that merely resembles another (INTERNAL/INTERVAL) is not a typo: the intended
            # word must be in the code's own message or spelt that way in at least two other names.
            if word in messages.get(token, ()) or self.token_counts.get(word.upper(), 0) >= 2:
                out[token] = word.upper()
        return out

    def corrected(self, name: str) -> str:
        return "_".join(self.corrections.get(t, t) for t in name.split("_"))

    def typos_in(self, name: str) -> list[tuple[str, str]]:
        return [(t, self.corrections[t]) for t in name.split("_") if t in self.corrections]

    @staticmethod
    def _strip(name: str) -> str:
        name = name[len("OPEN_API_"):] if name.startswith("OPEN_API_") else name
        return name[:-3] if name.endswith("_GB") else name

    def _name_reason(self, a: str, b: str) -> tuple[str, str] | None:
        """Why name a looks like name b, or None."""
        if not a or not b or a == b:
            return None
        if a.removesuffix("_GB") == b.removesuffix("_GB"):
            return "gb_suffix", ""
        if a.removeprefix("OPEN_API_") == b.removeprefix("OPEN_API_"):
            return "open_api_prefix", ""
        ca, cb = self.corrected(a), self.corrected(b)
        typos = self.typos_in(a) + self.typos_in(b)
        if typos and (ca == cb or self._strip(ca) == self._strip(cb)):
            return "typo", ", ".join(f"{t} → {c}" for t, c in typos)
        if sorted(ca.split("_")) == sorted(cb.split("_")):
            return "word_order", ""
        if min(len(a), len(b)) >= MIN_NAME_LENGTH and edit_distance(
                self._strip(ca), self._strip(cb), MAX_NAME_DISTANCE) <= MAX_NAME_DISTANCE:
            return "similar_name", ""
        if typos:  # a misspelt name sits next to the correctly spelt names it was meant to match
            wa, wb = ca.split("_"), cb.split("_")
            prefix = next((i for i, (x, y) in enumerate(zip(wa, wb)) if x != y), min(len(wa), len(wb)))
            fixed = {c for _, c in typos}
            if fixed & set(wa[:prefix]) and prefix >= TYPO_SHARED_PREFIX:
                return "typo", ", ".join(f"{t} → {c}" for t, c in typos)
        return None

    # ------------------------------------------------------------------------ public
    def confused_with(self, entry) -> tuple[Confusable, ...]:
        """Codes that look like this one, strongest reason first, each code once."""
        if entry.code in self._cache:
            return self._cache[entry.code]
        found: dict[str, Confusable] = {}
        names = [n for n in (entry.name, *entry.name_aliases) if n]
        for other in self.codes:
            if other is entry or other.code == entry.code:
                continue
            reason = None
            if other.message == entry.message:
                reason = ("same_message", "")
            other_names = [n for n in (other.name, *other.name_aliases) if n]
            if reason is None and set(names) & set(other_names):
                reason = ("same_name", "")
            if reason is None:
                for a in names:
                    for b in other_names:
                        reason = reason or self._name_reason(a, b)
            if reason:
                found[other.code] = Confusable(other, *reason)
        result = tuple(sorted(found.values(), key=lambda c: (REASONS.index(c.reason), int(c.code.code))))
        self._cache[entry.code] = result
        return result

