"""Codes a reader may mix up with a given code: same message, or a near-identical name (no Flask).

NCP publishes names with typos (CNANNEL_..., DUPICATE_...), pairs that differ only by a `_GB`
suffix or an `OPEN_API_` prefix, and different codes sharing one message. Support staff asked
"is it 250135 or 250136?" need these side by side, with the reason they look alike. Only names
that are the same, or nearly, once a published typo is read right count: a misspelt name is
not confused with every name that starts with the same words. Reasons are data (a kind, the two
names, the typos); templates word them.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

# Why two codes look alike, strongest first (the order a page lists them in).
REASONS = ("same_message", "same_name", "gb_suffix", "open_api_prefix", "typo", "word_order", "similar_name")
MAX_NAME_DISTANCE = 2
MIN_NAME_LENGTH = 8  # below this, two letters apart is a different word, not a near-identical name
MIN_TYPO_TOKEN = 6
# Real words that merely resemble another word used in the names (INTERNAL is not a typo of INTERVAL).
REAL_WORDS = frozenset({"INTERNAL"})


@dataclass(frozen=True)
class Confusable:
    """Another code that looks like this one, and why."""

    code: object  # the ErrorCode it may be confused with
    reason: str  # one of REASONS
    names: tuple[str, str] = ("", "")  # the two names compared (this code's, the other's), when names decided
    typos: tuple[tuple[str, str], ...] = ()  # published misspellings read right: (("CNANNEL", "CHANNEL"),)


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

    def _name_reason(self, a: str, b: str) -> Confusable | None:
        """Why name a looks like name b (without the code), or None."""
        if not a or not b or a == b:
            return None
        names = (a, b)
        if a.removesuffix("_GB") == b.removesuffix("_GB"):
            return Confusable(None, "gb_suffix", names)
        if a.removeprefix("OPEN_API_") == b.removeprefix("OPEN_API_"):
            return Confusable(None, "open_api_prefix", names)
        ca, cb = self.corrected(a), self.corrected(b)
        typos = tuple(self.typos_in(a) + self.typos_in(b))
        if typos and (ca == cb or self._strip(ca) == self._strip(cb)):
            return Confusable(None, "typo", names, typos)
        if sorted(ca.split("_")) == sorted(cb.split("_")):
            return Confusable(None, "word_order", names, typos)
        if min(len(a), len(b)) >= MIN_NAME_LENGTH and edit_distance(
                self._strip(ca), self._strip(cb), MAX_NAME_DISTANCE) <= MAX_NAME_DISTANCE:
            return Confusable(None, "similar_name", names, typos)
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
            other_names = [n for n in (other.name, *other.name_aliases) if n]
            reason = None
            if other.message == entry.message:
                reason = Confusable(other, "same_message", (entry.name, other.name))
            elif shared := sorted(set(names) & set(other_names)):
                reason = Confusable(other, "same_name", (shared[0], shared[0]))
            else:
                for a in names:
                    for b in other_names:
                        reason = reason or self._name_reason(a, b)
            if reason:
                found[other.code] = replace(reason, code=other)
        result = tuple(sorted(found.values(), key=lambda c: (REASONS.index(c.reason), int(c.code.code))))
        self._cache[entry.code] = result
        return result

