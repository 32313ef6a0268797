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

import functools
import os
import re
import threading
import tomllib
import unicodedata
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
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


def release() -> None:
    """Drop this process's mecab model and its taggers (after an index build), so the dictionary
    is unmapped before a server forks its workers; the next analysis loads it again."""
    global _local
    with _model_lock:
        _model[:] = [None, None]
        _local = threading.local()


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
# Tags of morphemes that carry no content and attach to a word: with the function ones, derivational
# suffixes (했: 하/XSV+았/EP) and auxiliaries; what the reader may cut off a word it does not know.
SUFFIX_TAG_PREFIXES = (*FUNCTION_TAG_PREFIXES, "XS", "VX")

# What mecab made of each line analysed while a recording is active (index builds record every
# line of the catalog, so a worker can read them back without loading mecab).
_record: ContextVar[dict | None] = ContextVar("korean_record", default=None)

# (content terms as (term, start, end), the other Hangul morphemes as (start, end, kind)): kind "f"
# for a particle or ending, "s" for a suffix without content (했, 않), "w" for a word without it (수, 안)
LineAnalysis = tuple[tuple[tuple[str, int, int], ...], tuple[tuple[int, int, str], ...]]


@contextmanager
def recording() -> Iterator[dict]:
    """Record every line mecab analyses inside the block: line -> LineAnalysis."""
    table: dict = {}
    token = _record.set(table)
    try:
        yield table
    finally:
        _record.reset(token)


def _analyse_line(line: str) -> LineAnalysis:
    """mecab's reading of one line (see LineAnalysis)."""
    content: list[tuple[str, int, int]] = []
    bare: list[tuple[int, int, str]] = []
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
            content.append((term, start, end))
        if not terms:
            kind = "f" if tag.startswith(FUNCTION_TAG_PREFIXES) else "s" if tag.startswith(SUFFIX_TAG_PREFIXES) else "w"
            bare.append((start, end, kind))
    out = (tuple(content), tuple(bare))
    table = _record.get()
    if table is not None:
        table[line] = out
    return out


def _shifted(lines: Iterable[tuple[int, LineAnalysis]]) -> tuple[list[Piece], list[tuple[int, int]]]:
    content: list[Piece] = []
    function: list[tuple[int, int]] = []
    for base, (terms, bare) in lines:
        content.extend(Piece(t, base + s, base + e) for t, s, e in terms)
        function.extend((base + s, base + e) for s, e, kind in bare if kind == "f")
    return content, function


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def analyse(text: str) -> tuple[list[Piece], list[tuple[int, int]]]:
    """Content morphemes of the Korean in text (see morphemes), and the character spans of its
    particles and endings (J*, E*, copulas), which tell a bigram inside a compound ("채널|명")
    from one that only carries a particle ("채널|을")."""
    return _shifted((base, _analyse_line(line)) for base, line in _lines(text) if HANGUL_RE.search(line))

def morphemes(text: str) -> Iterator[Piece]:
    """Content morphemes of the Korean in text, each with the offsets of its surface form.

    Each line holding Hangul goes to mecab whole (Latin words around Korean ones change how it
    segments them: "송출 대상의 targetName이" is 송출/대상/의, "송출 대상의" alone 송출/대/상의),
    but only Korean morphemes come out. The parts of a compound ("재전송" -> 재, 전송) follow it
    with the same offsets.
    """
    return iter(analyse(text)[0])


# --------------------------------------------------------------------- reading without mecab

ENDINGS_FILE = Path(__file__).resolve().parent / "data" / "search" / "endings.toml"
_KINDS = {"function": "f", "suffix": "s", "word": "w"}
# Costs of the reader's segmentation (the lattice mecab walks, in miniature): a known morpheme of two
# syllables or more is the cheapest piece; a one-syllable one costs more, since most syllables are
# some morpheme's; a particle or ending after a word costs little (it attaches); unknown syllables
# make one unknown noun together, cheaper per syllable than a chain of one-syllable morphemes.
KNOWN_COST, SYLLABLE_COST, ATTACHED_COST = 1.0, 1.4, 0.4
UNKNOWN_BASE, UNKNOWN_PER_SYLLABLE = 1.0, 0.5
MAX_SURFACE = 8  # syllables of the longest morpheme looked for


def load_endings(path: str | Path = ENDINGS_FILE) -> dict[str, str]:
    """The particles, endings and suffixes of data/search/endings.toml: surface -> kind (f, s, w)."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, str] = {}
    for key, kind in _KINDS.items():
        for w in raw.get(key, ()):
            out.setdefault(unicodedata.normalize("NFC", w), kind)
    return out


def _context(line: str, run: re.Match) -> tuple[str, str, str]:
    """A Hangul run with what mecab sees around it, coarsely: a number before it ("20자", "0 만"), and
    whether the line ends after it, a space follows or something else does."""
    a, b = run.span()
    left = line[:a].rstrip(" ")
    before = "9" if left and left[-1].isdigit() else ""
    after = "$" if b == len(line) else " " if line[b].isspace() else "."
    return before, run.group(), after


class KoreanReader:
    """What mecab makes of Korean, read back from the analyses an index build recorded, so a
    serving process never loads mecab's dictionary (about 60 MB of memory per worker).

    A line the build analysed gets mecab's reading exactly (every stored text, glossary word and
    index term is one: kept whole where its runs alone would read otherwise); any other line is read Hangul run by Hangul run: a run the catalog holds
    gets the reading mecab gave it there (the most frequent one), a new run is cut into the
    morphemes mecab produced anywhere in the catalog, plus the particles and endings of
    data/search/endings.toml, by the cheapest segmentation (see KNOWN_COST; unknown syllables
    together are one unknown noun, as mecab reads them)."""

    def __init__(self, lines: dict, endings: dict[str, str] | None = None):
        runs: dict[str, Counter] = {}
        readings: dict[str, Counter] = {}  # surface -> Counter of ("c", terms) / (kind, ())
        for line, (terms, bare) in lines.items():
            by_span: dict[tuple[int, int], list[str]] = {}
            for t, a, b in terms:
                by_span.setdefault((a, b), []).append(t)
            for (a, b), ts in by_span.items():
                readings.setdefault(line[a:b], Counter())["c", tuple(ts)] += 1
            for a, b, kind in bare:
                readings.setdefault(line[a:b], Counter())[kind, ()] += 1
            for run in HANGUL_RE.finditer(line):
                a, b = run.span()
                reading = (tuple((t, s - a, e - a) for t, s, e in terms if a <= s and e <= b),
                           tuple((s - a, e - a, k) for s, e, k in bare if a <= s and e <= b))
                runs.setdefault(run.group(), Counter())[reading] += 1
                runs.setdefault(_context(line, run), Counter())[reading] += 1
        self._runs = {run: c.most_common(1)[0][0] for run, c in runs.items()}
        self._surfaces = {s: c.most_common(1)[0][0] for s, c in readings.items() if HANGUL_RE.fullmatch(s)}
        for surface, kind in (endings or {}).items():
            self._surfaces.setdefault(surface, (kind, ()))
        # only the lines whose runs alone would read otherwise are kept whole (a few percent of a
        # catalog's lines): memory follows the vocabulary, not the amount of text
        self.lines = {line: reading for line, reading in lines.items() if self._read_runs(line) != reading}
        self._line = functools.lru_cache(maxsize=4096)(self._read_line)

    @classmethod
    def record(cls, texts: Iterable[str], endings: dict[str, str] | None = None) -> "KoreanReader":
        """A reader over mecab's analyses of texts (mecab is loaded: for index builds and tests)."""
        with recording() as table:
            for text in texts:
                analyse(text)
        return cls(table, endings)

    def analyse(self, text: str) -> tuple[list[Piece], list[tuple[int, int]]]:
        """The same as korean.analyse (content morphemes and function spans), without mecab."""
        return _shifted((base, self._line(line)) for base, line in _lines(text) if HANGUL_RE.search(line))

    def morphemes(self, text: str) -> list[Piece]:
        return self.analyse(text)[0]

    def terms(self, text: str) -> list[str]:
        """The content morphemes of text, in order."""
        return [p.text for p in self.analyse(text)[0]]

    def _read_line(self, line: str) -> LineAnalysis:
        known = self.lines.get(line)
        return known if known is not None else self._read_runs(line)

    def _read_runs(self, line: str) -> LineAnalysis:
        terms: list[tuple[str, int, int]] = []
        bare: list[tuple[int, int, str]] = []
        for run in HANGUL_RE.finditer(line):
            base = run.start()
            run_terms, run_bare = (self._runs.get(_context(line, run)) or self._runs.get(run.group())
                                   or self._segment(run.group()))
            terms.extend((t, base + a, base + b) for t, a, b in run_terms)
            bare.extend((base + a, base + b, k) for a, b, k in run_bare)
        return tuple(terms), tuple(bare)

    def _segment(self, run: str) -> LineAnalysis:
        """A Hangul run no analysis holds, cut into known morphemes and unknown nouns."""
        n = len(run)
        # position -> (cost, pieces); a piece is (kind, start, end, terms), kind "u" for unknown
        # syllables (one chunk from start to end), else a reading's kind
        best: list = [None] * (n + 1)
        best[0] = (0.0, ())
        for i in range(n):
            if best[i] is None:
                continue
            cost, pieces = best[i]
            for j in range(i + 1, n + 1):  # unknown syllables i..j, one chunk
                self._offer(best, j, cost + UNKNOWN_BASE + UNKNOWN_PER_SYLLABLE * (j - i), pieces, ("u", i, j, ()))
            for j in range(i + 1, min(n, i + MAX_SURFACE) + 1):
                reading = self._surfaces.get(run[i:j])
                if reading is None:
                    continue
                kind, terms = reading
                if kind in ("f", "s"):
                    if i == 0:  # nothing attaches to nothing
                        continue
                    extra = ATTACHED_COST
                else:
                    extra = KNOWN_COST if j - i > 1 else SYLLABLE_COST
                self._offer(best, j, cost + extra, pieces, (kind, i, j, terms))
        terms_out: list[tuple[str, int, int]] = []
        bare: list[tuple[int, int, str]] = []
        for kind, a, b, terms in best[n][1]:
            if kind == "c":
                terms_out.extend((t, a, b) for t in terms)
            elif kind == "u":
                if run[a:b] not in STOP_STEMS:
                    terms_out.append((run[a:b], a, b))
            else:
                bare.append((a, b, kind))
        return tuple(terms_out), tuple(bare)

    @staticmethod
    def _offer(best: list, j: int, cost: float, pieces: tuple, piece: tuple) -> None:
        if piece[0] == "u" and pieces and pieces[-1][0] == "u":
            return  # two unknown chunks in a row are one chunk, offered from where it starts
        if best[j] is None or cost < best[j][0]:
            best[j] = (cost, pieces + (piece,))


# ------------------------------------------------------------------------------ glossary

@dataclass(frozen=True)
class GlossaryGroup:
    """Words that mean the same thing in this domain, in Korean and in English."""

    ko: tuple[str, ...]
    en: tuple[str, ...]
    spelled: bool = False  # ko are the English words written in Hangul (loanwords), not translations


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
