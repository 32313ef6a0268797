"""Word knowledge for search beyond the catalog (no Whoosh, no Flask, nothing read at import time).

- the thesaurus (data/search/thesaurus.toml): everyday English and Korean words for the verbs and
  states of the catalog's names and messages ("edit" for update, "won't" for failed);
- the generic words, which say that something went wrong and nothing about which error;
- a word-frequency prior from the `wordfreq` package, so the spelling corrector prefers a word
  of the language over one of the catalog's published typos (PUBLIHSING, DUPICATE).
"""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

THESAURUS_FILE = Path(__file__).resolve().parent / "data" / "search" / "thesaurus.toml"

_TOP_KEYS = {"group", "generic"}
_GROUP_KEYS = {"catalog", "en", "ko", "note"}
_GENERIC_KEYS = {"en", "ko", "weak_en", "weak_ko"}
_LATIN = re.compile(r"^[a-z0-9][a-z0-9' -]*$")
_HANGUL = re.compile(r"[가-힣]")


class ThesaurusError(ValueError):
    """The thesaurus file is malformed; the message names the file and every problem."""


@dataclass(frozen=True)
class SynonymGroup:
    """Words that mean one thing in a description of an error: the catalog's own, and others."""

    catalog: tuple[str, ...]
    en: tuple[str, ...]
    ko: tuple[str, ...]

    @property
    def english(self) -> tuple[str, ...]:
        return self.catalog + self.en


@dataclass(frozen=True)
class Thesaurus:
    """The synonym groups and the generic words, looked up by word."""

    groups: tuple[SynonymGroup, ...]
    generic_en: frozenset[str]
    generic_ko: frozenset[str]
    weak_en: frozenset[str] = frozenset()
    weak_ko: frozenset[str] = frozenset()

    @functools.cached_property
    def _by_en(self) -> dict[str, tuple[SynonymGroup, ...]]:
        out: dict[str, list[SynonymGroup]] = {}
        for g in self.groups:
            for w in g.english:
                out.setdefault(w, []).append(g)
        return {w: tuple(gs) for w, gs in out.items()}

    @functools.cached_property
    def _by_ko(self) -> dict[str, tuple[SynonymGroup, ...]]:
        out: dict[str, list[SynonymGroup]] = {}
        for g in self.groups:
            for w in g.ko:
                out.setdefault(w.replace(" ", ""), []).append(g)
        return {w: tuple(gs) for w, gs in out.items()}

    def groups_of(self, word: str) -> tuple[SynonymGroup, ...]:
        """The groups an English word or phrase (any case) or a Korean word belongs to."""
        w = normalize_word(word)
        if _HANGUL.search(w):
            return self._by_ko.get(w.replace(" ", ""), ())
        w = w.lower()
        for form in (w, *_base_forms(w)):  # "removed", "edits", "updating" as listed
            found = self._by_en.get(form)
            if found:
                return found
        return ()

    def synonyms(self, word: str) -> tuple[str, ...]:
        """The catalog's words and the other English words meaning what word means, word itself left
        out, catalog words first (the ones documents contain)."""
        w = normalize_word(word).lower()
        out: dict[str, None] = {}
        for g in self.groups_of(word):
            for s in g.english:
                if s != w:
                    out[s] = None
        return tuple(out)

    def is_generic(self, word: str) -> bool:
        """True for a word that only says something went wrong ("error", "오류", "안 돼요")."""
        return _listed(word, self.generic_en, self._generic_ko_compact)

    def is_weak(self, word: str) -> bool:
        """True for a word said of almost any error, that names one only in a few ("failed": most
        requests that go wrong fail, and START_TEST_PUBLISH_FAILED is one code)."""
        return _listed(word, self.weak_en, self._weak_ko_compact)

    @functools.cached_property
    def _generic_ko_compact(self) -> frozenset[str]:
        return frozenset(w.replace(" ", "") for w in self.generic_ko)

    @functools.cached_property
    def _weak_ko_compact(self) -> frozenset[str]:
        return frozenset(w.replace(" ", "") for w in self.weak_ko)


def _listed(word: str, english: frozenset[str], korean_compact: frozenset[str]) -> bool:
    """True when a word is in a list: English in any case, Korean whatever its spacing."""
    w = normalize_word(word)
    if _HANGUL.search(w):
        return w.replace(" ", "") in korean_compact
    return w.lower() in english


def _base_forms(word: str) -> list[str]:
    """The forms an inflected English word may be listed as (plural, past, -ing)."""
    out = []
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                                 ("ed", ("", "e")), ("d", ("",)), ("ing", ("", "e"))):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.extend(word[: -len(suffix)] + r for r in replacements)
    return out


def normalize_word(word: str) -> str:
    return " ".join(unicodedata.normalize("NFC", word).split())


def _words(path, where: str, value, problems: list[str], korean: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        problems.append(f"{where}: must be a list of strings")
        return ()
    out = []
    for w in value:
        if w != normalize_word(w) or not w:
            problems.append(f"{where}: {w!r} is not NFC with single spaces")
        elif korean and not _HANGUL.search(w):
            problems.append(f"{where}: {w!r} has no Hangul")
        elif not korean and not _LATIN.match(w):
            problems.append(f"{where}: {w!r} must be lower-case English")
        out.append(w)
    if len(set(out)) != len(out):
        problems.append(f"{where}: a word is listed twice")
    return tuple(out)


def load_thesaurus(path: str | Path = THESAURUS_FILE) -> Thesaurus:
    """Read and validate a thesaurus file; every problem is reported at once, with the file named."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThesaurusError(f"{path}: {exc}") from exc
    problems: list[str] = []
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(f"unknown key {key!r}")
    groups, owner = [], {}
    raw_groups = raw.get("group", [])
    if not isinstance(raw_groups, list):
        problems.append("group: must be an array of tables ([[group]])")
        raw_groups = []
    for i, g in enumerate(raw_groups, 1):
        where = f"group #{i}"
        if not isinstance(g, dict):
            problems.append(f"{where}: must be a table")
            continue
        for key in sorted(set(g) - _GROUP_KEYS):
            problems.append(f"{where}: unknown key {key!r}")
        catalog = _words(path, f"{where}.catalog", g.get("catalog", []), problems, korean=False)
        en = _words(path, f"{where}.en", g.get("en", []), problems, korean=False)
        ko = _words(path, f"{where}.ko", g.get("ko", []), problems, korean=True)
        if not catalog:
            problems.append(f"{where}: needs at least one 'catalog' word")
        if not (en or ko):
            problems.append(f"{where}: needs 'en' or 'ko' words")
        for w in catalog:
            if w in owner:
                problems.append(f"{where}: catalog word {w!r} is already in group #{owner[w]}")
            owner[w] = i
        groups.append(SynonymGroup(catalog, en, ko))
    generic = raw.get("generic", {})
    if not isinstance(generic, dict):
        problems.append("generic: must be a table")
        generic = {}
    for key in sorted(set(generic) - _GENERIC_KEYS):
        problems.append(f"generic: unknown key {key!r}")
    generic_en = _words(path, "generic.en", generic.get("en", []), problems, korean=False)
    generic_ko = _words(path, "generic.ko", generic.get("ko", []), problems, korean=True)
    weak_en = _words(path, "generic.weak_en", generic.get("weak_en", []), problems, korean=False)
    weak_ko = _words(path, "generic.weak_ko", generic.get("weak_ko", []), problems, korean=True)
    if problems:
        raise ThesaurusError(f"{path}: " + "; ".join(problems))
    return Thesaurus(tuple(groups), frozenset(generic_en), frozenset(generic_ko), frozenset(weak_en), frozenset(weak_ko))


# ------------------------------------------------------------------------------- word frequency

@functools.lru_cache(maxsize=8192)
def zipf(word: str, lang: str = "en") -> float:
    """How common a word is in general language, on the Zipf scale (0 unknown, 3 uncommon, 6 very
    common), from wordfreq's lists; words are looked up as they are, without wordfreq's tokenizer
    (its Korean one needs MeCab bindings this project does not use)."""
    return _frequencies(lang).get(normalize_word(word).lower(), 0.0)


@functools.lru_cache(maxsize=2)
def _frequencies(lang: str) -> dict[str, float]:
    """A language's word list as word -> Zipf value (wordfreq's "small" list: about 30k words),
    loaded on first use."""
    import math

    return {w: round(math.log10(f) + 9, 2) for w, f in word_frequencies(lang).items() if f > 0}


@functools.lru_cache(maxsize=2)
def word_frequencies(lang: str) -> dict[str, float]:
    """wordfreq's "small" list of a language as word -> frequency, as its get_frequency_dict gives
    it, read from the package's data file directly: importing wordfreq itself (langcodes, regex)
    costs about 15 MB that a server's master would hand down to every worker."""
    import gzip
    import importlib.util

    import msgpack

    spec = importlib.util.find_spec("wordfreq")  # finds the package without importing it
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    with gzip.open(folder / f"small_{lang}.msgpack.gz", "rb") as fh:
        data = msgpack.load(fh, raw=False)
    header = data[0]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"wordfreq's {lang} list: unexpected header {header!r}")
    freqs: dict[str, float] = {}
    for index, bucket in enumerate(data[1:]):  # bucket i holds the words of frequency 10 ** (-i / 100)
        freq = 10 ** (-index / 100)
        for word in bucket:
            freqs[word] = freq
    return freqs


def release() -> None:
    """Forget wordfreq's lists (after an index build took what queries need of them)."""
    zipf.cache_clear()
    _frequencies.cache_clear()
    word_frequencies.cache_clear()


def prefer_real_words(typed: str, candidates: Iterable[tuple[str, int]],
                      prior: Callable[[str], float] | None = None) -> str | None:
    """The best correction of typed among (word, edit distance) candidates: nearest first, then the
    word more common in the language (prior: a Zipf value, wordfreq's by default; a real word beats
    a catalog typo at the same distance), then closest in length, then alphabetical."""
    prior = prior or zipf
    best = None
    for word, distance in candidates:
        key = (distance, -prior(word), abs(len(word) - len(typed)), word)
        if best is None or key < best[0]:
            best = (key, word)
    return best[1] if best else None


COMMON_ZIPF = 3.0  # English words at least this common keep their Zipf value for any query word


@dataclass(frozen=True)
class Frequencies:
    """What a serving process needs of wordfreq's lists, computed once at index build so it never
    loads them (about 15 MB per worker): the Zipf value of the catalog's English words (the
    spelling corrector's prior) and of every English word of Zipf COMMON_ZIPF or more (whether a
    word the catalog lacks is a real word: rarer words read as 0), the frequency of common Korean words (the Korean lexicon's prior,
    and whether a Hangul word is Korean at all), and the frequency of the common English words that
    type whole Hangul on the 2-beolsik keyboard (the only English words that can stop a Latin word
    from being read as Korean typed in English mode)."""

    zipf_en: dict[str, float]
    ko: dict[str, float]
    en: dict[str, float]

    def zipf(self, word: str) -> float:
        return self.zipf_en.get(normalize_word(word).lower(), 0.0)

    def general(self, word: str, lang: str) -> float:
        """The same as search.hangul.general_frequency, from the tables."""
        return (self.ko if lang == "ko" else self.en).get(normalize_word(word).lower(), 0.0)

    @classmethod
    def compute(cls, english_words: Iterable[str], types_hangul: Callable[[str], bool],
                is_hangul: Callable[[str], bool]) -> "Frequencies":
        """The tables for a catalog's English words (loads wordfreq: index builds only)."""
        zipf_en = {w: z for w, z in _frequencies("en").items() if z >= COMMON_ZIPF}
        zipf_en.update((w, z) for w in english_words if (z := zipf(w)) > 0)
        ko = {w: f for w, f in word_frequencies("ko").items() if f > 0 and is_hangul(w)}
        en = {w: f for w, f in word_frequencies("en").items()
              if f > 0 and w.isascii() and w.isalpha() and len(w) >= 2 and (types_hangul(w) or types_hangul(w.upper()))}
        return cls(zipf_en, ko, en)

    def to_json(self) -> dict:
        return {"zipf_en": self.zipf_en, "ko": self.ko, "en": self.en}

    @classmethod
    def from_json(cls, data: dict) -> "Frequencies":
        return cls(*({str(w): float(f) for w, f in data[k].items()} for k in ("zipf_en", "ko", "en")))
