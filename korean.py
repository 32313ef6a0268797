"""Korean text analysis for search, with no Whoosh in sight (the search package wires it into the index).

- normalisation: NFKC (full-width letters, compatibility forms) then NFC, control characters dropped;
- morphemes from mecab-ko (the mecab-ko-dic family Lucene's Nori uses): content morphemes only
  (nouns, verb/adjective stems, roots; compounds also give their parts); particles and endings
  (J*, E*) dropped, so "채널을" gives "채널"; Latin words and numbers are left to the search package;
- Hangul character bigrams (the CJK-bigram approach) for recall on compounds and odd spacing;
- the bilingual glossary of the domain's words (data/search/glossary.toml), matched in a query
  and expanded to the other language.

The mecab tagger is created lazily, once per thread and process (a MeCab tagger is not safe to
share between threads, and must not cross a fork), never at import time.
"""
from __future__ import annotations

import os
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

# Hangul syllables (가-힣); jamo typed on their own are not words and are ignored.
HANGUL = "\uac00-\ud7a3"
HANGUL_RE = re.compile(f"[{HANGUL}]+")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
SPACE_RE = re.compile(r"\s+")

# mecab-ko-dic tags kept as content: common/proper nouns, numerals, verb and adjective stems, roots.
# Dropped: particles J*, endings E*, affixes X*, bound nouns NNB, adverbs; foreign words (SL), numbers
# (SN) and hanja (SH) are left to the English analyzer.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR"})
# Stems so common they say nothing ("되다", "하다", "있다", "이다").
STOP_STEMS = frozenset({"되", "하", "있", "이", "아니", "같", "나오", "보"})


def normalize(text: str, max_length: int | None = None) -> str:
    """NFKC then NFC, control and zero-width characters removed, whitespace collapsed, trimmed.

    Case is kept (the analyzers lowercase); max_length cuts the result (after normalising).
    """
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text))
    text = SPACE_RE.sub(" ", CONTROL_RE.sub(" ", text)).strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


def has_hangul(text: str) -> bool:
    return HANGUL_RE.search(text) is not None


@dataclass(frozen=True, slots=True)
class Piece:
    """A token with its place in the analysed text (start/end are character offsets)."""

    text: str
    start: int
    end: int


# ------------------------------------------------------------------------------- bigrams

def bigrams(text: str) -> Iterator[Piece]:
    """Overlapping Hangul character bigrams of every Hangul run; a one-syllable run gives itself."""
    for run in HANGUL_RE.finditer(text):
        word, base = run.group(), run.start()
        if len(word) == 1:
            yield Piece(word, base, base + 1)
            continue
        for i in range(len(word) - 1):
            yield Piece(word[i:i + 2], base + i, base + i + 2)


# ----------------------------------------------------------------------------- morphemes

_local = threading.local()


_model_lock = threading.Lock()
_model: list = [None, None]  # [pid, mecab_ko.Model]


def tagger():
    """This thread's mecab-ko tagger, created on first use (about 10-25 ms). All the taggers of a
    process come from one shared model, so the dictionary files (about 100 MB, memory-mapped) are
    mapped once per process rather than once per thread: every extra mapping of the same pages was
    counted again in the worker's RSS (about 10-40 MB per gunicorn thread under load)."""
    pid = os.getpid()
    if getattr(_local, "pid", None) != pid:
        with _model_lock:
            if _model[0] != pid:
                import mecab_ko  # imported here: nothing is loaded until Korean text is analysed

                _model[:] = [pid, mecab_ko.Model()]
            _local.tagger, _local.pid = _model[1].createTagger(), pid
    return _local.tagger


def _parse(span: str) -> list[tuple[str, str, str]]:
    """mecab-ko output for one span: (surface, tag, expression) per morpheme."""
    out = []
    for line in tagger().parse(span).splitlines():
        if line == "EOS" or "\t" not in line:
            continue
        surface, features = line.split("\t", 1)
        parts = features.split(",")
        out.append((surface, parts[0], parts[7] if len(parts) > 7 else "*"))
    return out


def _content(surface: str, tag: str, expression: str) -> list[str]:
    """The content morphemes of one mecab token: itself, or the kept parts of a compound/inflection."""
    terms = []
    tags = tag.split("+")
    if tags[0] in CONTENT_TAGS and "+" not in tag:
        terms.append(surface)
    if expression != "*" and "/" in expression:
        # "타임/NNG/*+머신/NNG/*" (compound) or "나오/VV/*+아요/EC/*" (inflected form)
        for part in expression.split("+"):
            bits = part.split("/")
            if len(bits) >= 2 and bits[1] in CONTENT_TAGS and bits[0] and bits[0] not in terms:
                terms.append(bits[0])
    return [t for t in terms if t not in STOP_STEMS]


FUNCTION_TAG_PREFIXES = ("J", "E", "VCP", "VCN")  # particles, endings, copulas


def analyse(text: str) -> tuple[list[Piece], list[tuple[int, int]]]:
    """Content morphemes of the Korean in text (see morphemes), and the character spans of its
    particles and endings (J*, E*, copulas), which tell a bigram inside a compound ("채널|명")
    from one that only carries a particle ("채널|을")."""
    content: list[Piece] = []
    function: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        base, pos = pos, pos + len(line) + 1
        if not HANGUL_RE.search(line):
            continue
        cursor = 0
        for surface, tag, expression in _parse(line.replace("\x00", " ")):
            found = line.find(surface, cursor)
            if found < 0:  # mecab changed the surface somehow: point at the rest of the line
                start, end = cursor, len(line)
            else:
                start, end = found, found + len(surface)
                cursor = end
            if not HANGUL_RE.search(surface):
                continue
            terms = _content(surface, tag, expression)
            for term in terms:
                content.append(Piece(term, base + start, base + end))
            if not terms and tag.startswith(FUNCTION_TAG_PREFIXES):
                function.append((base + start, base + end))
    return content, function


def morphemes(text: str) -> Iterator[Piece]:
    """Content morphemes of the Korean in text, each with the offsets of its surface form.

    Each line holding Hangul goes to mecab whole (Latin words around Korean ones change how it
    segments them: "송출 대상의 targetName이" is 송출/대상/의, "송출 대상의" alone 송출/대/상의),
    but only Korean morphemes come out. The parts of a compound ("재전송" -> 재, 전송) follow it
    with the same offsets.
    """
    return iter(analyse(text)[0])


# ------------------------------------------------------------------------------ glossary

@dataclass(frozen=True)
class GlossaryGroup:
    """Words that mean the same thing in this domain, in Korean and in English."""

    ko: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """A glossary group found in a query, with the words to add in each language."""

    group: GlossaryGroup
    matched: str  # the query word(s) that matched
    add_ko: tuple[str, ...]
    add_en: tuple[str, ...]


class Glossary:
    """The bilingual glossary, matched against a query and expanded to the other language.

    Korean entries match a query's morphemes, or (two syllables or more) its Hangul with spaces
    removed, so particles and spacing do not matter ("오브젝트스토리지에", "숏 클립을").
    English entries match the query's English words after en_key (the search package passes its
    stemming analyzer, so "recordings" matches "recording"); multi-word entries match in sequence.
    """

    def __init__(self, groups: Iterable[GlossaryGroup], en_key: Callable[[str], list[str]] | None = None):
        self.groups = tuple(groups)
        self.en_key = en_key or (lambda s: re.findall(r"[a-z0-9]+", s.lower()))
        # entries indexed so a query only looks at the few that can match it: English ones by their
        # first word, Korean ones by their first two syllables and by their whole text
        self._en: dict[str, list[tuple[int, tuple[str, ...], GlossaryGroup, str]]] = {}
        self._ko_start: dict[str, list[tuple[int, str, GlossaryGroup, str]]] = {}
        self._ko_whole: dict[str, list[tuple[int, str, GlossaryGroup, str]]] = {}
        n = 0
        for group in self.groups:
            for word in group.en:
                key = tuple(self.en_key(word))
                if key:
                    self._en.setdefault(key[0], []).append((n, key, group, word))
                    n += 1
            for word in group.ko:
                compact = word.replace(" ", "")
                if compact:
                    entry = (n, compact, group, word)
                    n += 1
                    self._ko_whole.setdefault(compact, []).append(entry)
                    if len(compact) >= 2:
                        self._ko_start.setdefault(compact[:2], []).append(entry)

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def load(cls, path: str | Path, en_key: Callable[[str], list[str]] | None = None) -> "Glossary":
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        groups = []
        for i, raw in enumerate(data.get("term", [])):
            ko = tuple(normalize(w) for w in raw.get("ko", ()) if normalize(w))
            en = tuple(normalize(w).lower() for w in raw.get("en", ()) if normalize(w))
            if not ko or not en:
                raise ValueError(f"{path}: glossary term #{i + 1} needs at least one 'ko' and one 'en' word")
            groups.append(GlossaryGroup(ko, en))
        return cls(groups, en_key)

    def expand(self, text: str, morphs: Iterable[str] = (), en_keys: Iterable[str] = ()) -> list[Expansion]:
        """Glossary groups present in a normalised query, each with the words to add.

        Longer entries win: once "오브젝트 스토리지" matched, "스토리지" inside it does not."""
        morph_set = set(morphs)
        compact = "".join(HANGUL_RE.findall(text))
        keys = list(en_keys)
        found: dict[int, Expansion] = {}
        candidates = {e[0]: e for m in morph_set for e in self._ko_whole.get(m, ())}
        for i in range(len(compact) - 1):
            for e in self._ko_start.get(compact[i:i + 2], ()):
                if e[1] in compact:
                    candidates[e[0]] = e
        covered: list[str] = []
        for _, word_compact, group, word in sorted(candidates.values(), key=lambda e: (-len(e[1]), e[0])):
            if id(group) not in found and not any(word_compact in longer for longer in covered):
                covered.append(word_compact)
                found[id(group)] = self._expansion(group, word, "ko")
        en_candidates = {e[0]: e for k in set(keys) for e in self._en.get(k, ())}
        for _, key, group, word in sorted(en_candidates.values(), key=lambda e: (-len(e[1]), e[0])):
            if id(group) in found:
                continue
            n = len(key)
            if any(tuple(keys[i:i + n]) == key for i in range(len(keys) - n + 1)):
                found[id(group)] = self._expansion(group, word, "en")
        return list(found.values())

    @staticmethod
    def _expansion(group: GlossaryGroup, word: str, lang: str) -> Expansion:
        add_ko = tuple(w for w in group.ko if not (lang == "ko" and w == word))
        add_en = tuple(w for w in group.en if not (lang == "en" and w == word))
        return Expansion(group, word, add_ko, add_en)
