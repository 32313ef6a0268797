"""The catalog's plain objects: frozen dataclasses built once at start-up (no Flask, no I/O)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

DOCS_BASE = "https://api.ncloud-docs.com/docs/"
PLACEHOLDER_RE = re.compile(r"\{(\d+)\}")
LANGUAGES = ("en", "ko")
RETRY_VALUES = ("no", "after_fix", "after_wait", "yes")
WHO_ACTS_VALUES = ("caller", "account", "operator", "ncp")


@dataclass(frozen=True, slots=True)
class Localized:
    """One text in English and Korean; get(lang) falls back to the other language when one is empty."""

    en: str = ""
    ko: str = ""

    def get(self, lang: str) -> str:
        if lang == "ko":
            return self.ko or self.en
        return self.en or self.ko

    def __bool__(self) -> bool:
        return bool(self.en or self.ko)

    def __str__(self) -> str:
        # Printing a Localized without choosing a language would show English in the Korean interface.
        raise TypeError("choose a language: value.get(lang), or |loc in a template")


@dataclass(frozen=True)
class DocLink:
    slug: str
    title: Localized

    @property
    def url(self) -> str:
        return DOCS_BASE + self.slug


@dataclass(frozen=True)
class Placeholder:
    """One {n} argument of a message template, explained by this project."""

    index: int
    meaning: Localized
    example: str

    @property
    def token(self) -> str:
        return "{%d}" % self.index


@dataclass(frozen=True)
class Note:
    kind: str
    text: Localized


@dataclass(frozen=True)
class Guidance:
    """What to do next, for people and programs (ours; `inferred` when the docs do not say so)."""

    retry: str
    who_acts: str
    next_steps: tuple[Localized, ...]
    retry_wait: Localized = Localized()
    states: tuple[str, ...] = ()
    request_fields: tuple[str, ...] = ()
    inferred: bool = True

    def as_dict(self) -> dict:
        return {
            "retry": self.retry, "retry_wait_en": self.retry_wait.en, "retry_wait_ko": self.retry_wait.ko,
            "who_acts": self.who_acts,
            "next_steps_en": [s.en for s in self.next_steps], "next_steps_ko": [s.ko for s in self.next_steps],
            "states": list(self.states), "request_fields": list(self.request_fields), "inferred": self.inferred,
        }


@dataclass(frozen=True)
class Category:
    slug: str
    order: int
    source: str
    title: Localized
    intro: Localized
    docs: tuple[DocLink, ...]
    path: str = field(default="", compare=False)


@dataclass(frozen=True)
class ErrorCode:
    """One error code: NCP's published fields, then the fields this project writes."""

    # official, verbatim from NCP
    code: str
    name: str
    message: str
    description_ko: str
    http_status: int | None
    source: str
    category: str
    name_aliases: tuple[str, ...] = ()
    # ours
    summary: Localized = Localized()
    explanation: Localized = Localized()
    fix: Localized = Localized()
    guidance: Guidance | None = None
    related: tuple[str, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()
    notes: tuple[Note, ...] = ()
    docs: tuple[DocLink, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        """The name, or the message where NCP published no name."""
        return self.name or self.message

    @property
    def placeholder_indexes(self) -> tuple[int, ...]:
        return tuple(sorted({int(i) for i in PLACEHOLDER_RE.findall(self.message)}))

    def example_message(self) -> str:
        """The message with every placeholder replaced by its example value."""
        values = {p.index: p.example for p in self.placeholders}
        return PLACEHOLDER_RE.sub(lambda m: values.get(int(m.group(1)), m.group(0)), self.message)

    def as_dict(self) -> dict:
        """Every field as plain JSON-ready data; official and project-written fields kept apart."""
        return {
            "code": self.code, "name": self.name, "name_aliases": list(self.name_aliases),
            "message": self.message, "description_ko": self.description_ko,
            "category": self.category, "source": self.source, "http_status": self.http_status,
            "placeholders": [
                {"index": p.index, "token": p.token, "meaning_en": p.meaning.en, "meaning_ko": p.meaning.ko,
                 "example": p.example} for p in self.placeholders],
            "summary_en": self.summary.en, "summary_ko": self.summary.ko,
            "explanation_en": self.explanation.en, "explanation_ko": self.explanation.ko,
            "fix_en": self.fix.en, "fix_ko": self.fix.ko,
            "guidance": self.guidance.as_dict() if self.guidance else None,
            "notes": [{"kind": n.kind, "en": n.text.en, "ko": n.text.ko} for n in self.notes],
            "related": list(self.related),
            "docs": [{"url": d.url, "title_en": d.title.en, "title_ko": d.title.ko} for d in self.docs],
            "example_body": self.example_body(),
            "official_fields": ["code", "name", "name_aliases", "message", "description_ko"]
            + (["http_status"] if self.source == "api-gateway" else []),
        }

    def example_body(self) -> dict:
        """The JSON error body this code comes back in, in the documented shape for its source."""
        if self.source == "api-gateway":
            return {"error": {"errorCode": self.code, "message": self.message}}
        return {"error": {"errorCode": int(self.code), "message": self.example_message(),
                          "errorName": self.name}}


@dataclass(frozen=True)
class RetiredCode:
    """A code that was removed from the data: its permalink keeps a page that says so."""

    code: str
    name: str
    message: str
    category: str
    retired_on: str
    note: Localized
    replaced_by: tuple[str, ...] = ()


def _digit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance between two short digit strings."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]
    codes: tuple[ErrorCode, ...]
    retired: tuple[RetiredCode, ...]
    fingerprint: str
    _by_code: dict = field(repr=False, compare=False, default_factory=dict)
    _by_name: dict = field(repr=False, compare=False, default_factory=dict)
    _by_category: dict = field(repr=False, compare=False, default_factory=dict)
    _retired_by_code: dict = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        self._by_code.update({c.code: c for c in self.codes})
        for c in self.codes:
            for name in (c.name, *c.name_aliases):
                if name:
                    self._by_name.setdefault(name.upper(), []).append(c)
            self._by_category.setdefault(c.category, []).append(c)
        self._retired_by_code.update({r.code: r for r in self.retired})

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> ErrorCode | None:
        return self._by_code.get(code)

    def get_retired(self, code: str) -> RetiredCode | None:
        return self._retired_by_code.get(code)

    def by_name(self, name: str) -> tuple[ErrorCode, ...]:
        """Every code published under this name (any letter case); usually one, sometimes two."""
        return tuple(self._by_name.get(name.strip().upper(), ()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def in_category(self, slug: str) -> tuple[ErrorCode, ...]:
        return tuple(self._by_category.get(slug, ()))

    def nearest(self, ident: str, count: int = 10) -> tuple[ErrorCode, ...]:
        """Existing codes a mistyped or partial code most likely meant: the code itself when its
        digits name one ("E250109", "250,109"), codes that start with its digits (25010 ->
        250100..250109), then those one or two digits away (a digit wrong, missing, extra or two
        swapped), then the numerically closest of the same length."""
        digits = re.sub(r"\D", "", ident)[:9]
        if not digits:
            return ()
        target, limit = int(digits), 1 if len(digits) <= 3 else 2
        ranked = []
        for c in self.codes:
            if c.code == digits:
                ranked.append((0, 0, 0, c))
            elif c.code.startswith(digits):
                ranked.append((1, 0, int(c.code), c))
            elif abs(len(c.code) - len(digits)) <= 1:
                distance = _digit_distance(digits, c.code)
                if distance <= limit:
                    ranked.append((2, distance, abs(int(c.code) - target), c))
        ranked.sort(key=lambda r: r[:3])
        found = [r[3] for r in ranked[:count]]
        if len(found) < min(count, 5):  # nothing close: the numerically nearest codes of that length
            same_len = [c for c in self.codes if len(c.code) == len(digits) and c not in found]
            found += sorted(same_len, key=lambda c: (abs(int(c.code) - target), int(c.code)))[:5 - len(found)]
        return tuple(found)

    def same_message(self, entry: ErrorCode) -> tuple[ErrorCode, ...]:
        """Other codes whose published message is identical to this one's."""
        return tuple(c for c in self.codes if c is not entry and c.message == entry.message)
