"""Full-text search over the catalog: the one module that imports Whoosh (no Flask here).

What is in it, top to bottom:

- analyzers: English words (split at "_", camelCase and letter/digit boundaries, stop words,
  Porter stems), Korean morphemes and Hangul bigrams (from korean.py), a plain word list for
  spelling;
- the schema and the documents made from a Catalog;
- the index's life on disk: each build goes into a fresh generation directory, then a `current`
  pointer file is swapped in with os.replace under an flock, so several workers starting at once
  build once and a reader never sees half an index; readers reopen when the pointer changes and
  fall back to an in-memory index if the one on disk is lost;
- querying: user text is never parsed as query syntax. Exact codes and names come first; then
  the query is built from tokens as an OR of concepts (one per word the user typed: its stems,
  parts, glossary translations and spelling correction, over the fields with boosts), each
  scored by its best field, so every word adds and none is required;
- highlighting, escaped (markupsafe), and suggestions for the browser's address bar.

Whoosh (whoosh-reloaded 2.7.5) is unmaintained: everything it does is kept behind SearchService.
"""
from __future__ import annotations

import fcntl
import hashlib
import heapq
import json
import logging
import os
import re
import shutil
import threading
import time
from array import array
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from markupsafe import Markup, escape
from whoosh import matching
from whoosh import query as Q
from whoosh.analysis import STOP_WORDS, LowercaseFilter, StemFilter, StopFilter, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage

import korean

log = logging.getLogger("search")

ROOT = Path(__file__).resolve().parent
GLOSSARY_PATH = ROOT / "data" / "search" / "glossary.toml"
# Part of the index key with the catalog fingerprint and this module's and korean.py's source:
# an index built from other data or by other code is rebuilt.
SCHEMA_VERSION = "4"
MAX_QUERY = 256  # characters of a word search; longer text is cut (the paste matcher takes long text)
MAX_LIMIT = 100
POINTER, LOCK, META, SPELL_FILE = "current", ".build.lock", "search-meta.json", "spell-words.txt"
HEAL_INTERVAL = 5.0  # seconds between attempts to rebuild a lost index on disk
MAX_CACHED_POSTINGS = 4_000_000  # scored postings kept per process (long lists as arrays: ~64 MB at most)
MAX_CACHED_DOCS = 20_000  # stored fields of documents shown, kept in memory per process
TOP_POSTINGS = 500  # postings per term used to rank the first pages (all of them below this)

# ------------------------------------------------------------------------------- analyzers

WORD_RE = re.compile(r"[A-Za-z0-9]+")
# camelCase humps and letter/digit changes: "timemachineMin" -> timemachine, Min; "1080p" -> 1080, p
PART_RE = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def english_pieces(text: str) -> Iterator[korean.Piece]:
    """Latin words and numbers; a mixed-case or alphanumeric word also gives its parts."""
    for m in WORD_RE.finditer(text):
        word, base = m.group(), m.start()
        yield korean.Piece(word, base, m.end())
        if word.isdigit() or (word.isalpha() and (word.islower() or word.isupper() or word[1:].islower())):
            continue  # the usual case: nothing to split
        parts = list(PART_RE.finditer(word))
        if len(parts) > 1:
            for p in parts:
                yield korean.Piece(p.group(), base + p.start(), base + p.end())


class _PieceTokenizer(Tokenizer):
    """A Whoosh tokenizer over a function that yields korean.Piece objects (text, start, end)."""

    def pieces(self, text: str) -> Iterable[korean.Piece]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, piece in enumerate(self.pieces(value)):
            token.text, token.boost, token.stopped = piece.text, 1.0, False
            if keeporiginal:
                token.original = piece.text
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar, token.endchar = start_char + piece.start, start_char + piece.end
            yield token


class EnglishTokenizer(_PieceTokenizer):
    def pieces(self, text):
        return english_pieces(text)


class KoreanMorphTokenizer(_PieceTokenizer):
    def pieces(self, text):
        return korean.morphemes(text)


class HangulBigramTokenizer(_PieceTokenizer):
    def pieces(self, text):
        return korean.bigrams(text)


# Whoosh's stop words plus function words that only add noise to short queries ("too big").
STOP = frozenset(STOP_WORDS | {"too", "very", "does", "do", "did", "doesn", "don", "didn", "has", "had", "was",
                               "were", "been", "its", "than", "then", "there", "my", "our", "i", "me", "please"})
EN = EnglishTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP, minsize=2) | StemFilter(cachesize=-1)
SPELL = EnglishTokenizer() | LowercaseFilter()
KO = KoreanMorphTokenizer()
BI = HangulBigramTokenizer()


def analyse(analyzer, text: str) -> list[str]:
    """The terms an analyzer makes of text, in order (duplicates kept); short texts (query and
    glossary words) are remembered."""
    if not text:
        return []
    if len(text) > 40:
        return [t.text for t in analyzer(text, mode="query")]
    key = (id(analyzer), text)
    terms = _SHORT.get(key)
    if terms is None:
        if len(_SHORT) >= 20_000:
            _SHORT.clear()
        terms = _SHORT[key] = tuple(t.text for t in analyzer(text, mode="query"))
    return list(terms)


_SHORT: dict = {}  # (analyzer, short text) -> terms; the analyzers are module constants


def en_terms(text: str) -> list[str]:
    return analyse(EN, text)


# ---------------------------------------------------------------------------------- schema

def make_schema() -> Schema:
    return Schema(
        code=ID(stored=True, unique=True),
        category=ID(stored=True),
        name=STORED(), aliases=STORED(),
        name_exact=KEYWORD(lowercase=True, scorable=True),  # whole names and aliases, lower case
        name_words=TEXT(analyzer=EN, phrase=False),  # CHANNEL_NAME_IS_WRONG -> channel name wrong
        message=TEXT(analyzer=EN, phrase=False),  # official English message (+ Latin words of the Korean one)
        message_text=STORED(),
        desc_ko=TEXT(analyzer=KO, stored=True, phrase=False),  # official Korean description
        en=TEXT(analyzer=EN, phrase=False),  # ours in English; Latin words of the Korean text
        ko=TEXT(analyzer=KO, phrase=False),  # ours in Korean
        bi=TEXT(analyzer=BI, phrase=False),  # Hangul bigrams of all Korean text
        status=KEYWORD(),  # published HTTP status (API Gateway codes)
        summary_en=STORED(), summary_ko=STORED(),
    )


# What a query word is worth in each field (times Whoosh's BM25F score). A concept takes its best
# field plus TIEBREAK of the others; the concepts of a query add up.
BOOST = {"name_words": 3.0, "message": 2.5, "desc_ko": 2.5, "en": 1.0, "ko": 1.0, "bi": 0.6}
EN_FIELDS = ("name_words", "message", "en")
KO_FIELDS = ("desc_ko", "ko")
BI_FIELDS = ("bi",)
GLOSSARY_WEIGHT = 0.6  # a translated word counts for less than the word the user typed
CORRECTION_WEIGHT = 0.8
PART_WEIGHT = 0.5  # the parts of "useDvr" or "재전송" count for less than the whole word
COMPOUND_BIGRAM_WEIGHT = 1.5  # "널명" in "채널명": the compound as written
LOOSE_BIGRAM_WEIGHT = 0.4  # "널을" in "채널을": the noun with its particle
# Words people put around the error that say nothing about it ("the customer says ...").
QUERY_NOISE = frozenset({"customer", "customers", "client", "user", "users", "says", "said", "say", "tells",
                         "getting", "get", "got", "keep", "keeps", "see", "seeing", "shows", "showing", "help"})
EXACT_CODE_BOOST, EXACT_NAME_BOOST, NEAR_NAME_BOOST, STATUS_BOOST = 40.0, 30.0, 15.0, 4.0
VOCAB_FIELDS = (*EN_FIELDS, *KO_FIELDS, *BI_FIELDS, "code", "name_exact", "status")


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def split_compound(word: str, known) -> list[str]:
    """A run-together word cut into words the catalog uses ("bucketname" -> bucket, name), or []."""
    if len(word) < 6 or not word.isalpha():
        return []
    best: list[str] = []
    for i in range(3, len(word) - 1):
        left, right = word[:i], word[i:]
        if left in known and (right in known and len(right) >= 3 or right in ("id", "no")):
            parts = (split_compound(left, known) or [left]) + (split_compound(right, known) or [right])
            if not best or min(map(len, parts)) > min(map(len, best)):
                best = parts
    return best


def documents(catalog) -> Iterator[dict]:
    """One index document per code of a catalog (anything with .codes and .categories)."""
    categories = {c.slug: c for c in getattr(catalog, "categories", ())}
    known = set()
    for e in catalog.codes:
        for text in (e.name.replace("_", " "), e.message, e.summary.en, e.explanation.en):
            known.update(w.lower() for w in WORD_RE.findall(text) if w.isalpha())
    for e in catalog.codes:
        names = [n for n in (e.name, *e.name_aliases) if n]
        name_parts = [p for w in " ".join(names).lower().replace("_", " ").split() for p in split_compound(w, known)]
        message_parts = [p for w in english_pieces(e.message) for p in split_compound(w.text.lower(), known)]
        cat = categories.get(e.category)
        placeholders_en = _join(*(p.meaning.en for p in e.placeholders))
        placeholders_ko = _join(*(p.meaning.ko for p in e.placeholders))
        notes_en = _join(*(n.text.en for n in e.notes))
        notes_ko = _join(*(n.text.ko for n in e.notes))
        ko_ours = _join(e.summary.ko, e.explanation.ko, e.fix.ko, placeholders_ko, notes_ko,
                        cat.title.ko if cat else "")
        yield {
            "code": e.code, "category": e.category, "name": e.name, "aliases": " ".join(e.name_aliases),
            "name_exact": " ".join(n.lower() for n in names),
            "name_words": " ".join([*names, *name_parts]),
            "message": _join(e.message, e.description_ko), "message_text": e.message,
            "desc_ko": e.description_ko,
            "en": _join(e.summary.en, e.explanation.en, e.fix.en, placeholders_en, notes_en,
                        cat.title.en if cat else "", e.description_ko, ko_ours, " ".join(message_parts)),
            "ko": ko_ours,
            "bi": _join(e.description_ko, ko_ours),
            "status": str(e.http_status) if e.http_status else "",
            "spell": _join(" ".join(names).replace("_", " "), e.message, e.summary.en, e.explanation.en,
                           e.fix.en, placeholders_en),
            "summary_en": e.summary.en, "summary_ko": e.summary.ko,
        }


def index_key(catalog) -> str:
    """What an index must have been built from to be current: this catalog, and this schema and
    analysis (the source of this module and korean.py, so a code change can never leave an index
    built the old way in place)."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}|{catalog.fingerprint}|".encode())
    for module in (__file__, korean.__file__):
        try:
            digest.update(Path(module).read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:16]


def _storage(path) -> FileStorage:
    """A generation's files, read with ordinary file handles rather than mmap: a file truncated or
    overwritten under a running server then fails a read (caught, answered from elsewhere)
    instead of killing the process with SIGBUS, and a deleted one stays readable while open."""
    return FileStorage(str(path), supports_mmap=False)


def write_index(storage, catalog) -> int:
    """Create the index in a storage and add every document; returns the number of documents.

    The English words as written (for spelling corrections) go into a word list next to the
    index (SPELL_FILE) rather than into a field: they are never searched, only looked up."""
    ix = storage.create_index(make_schema())
    writer = ix.writer(limitmb=64)
    count, words = 0, set()
    try:
        for doc in documents(catalog):
            words.update(w for w in analyse(SPELL, doc.pop("spell")) if w.isalpha() and len(w) >= 3)
            writer.add_document(**doc)
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    out = storage.create_file(SPELL_FILE)
    out.write("\n".join(sorted(words)).encode("utf-8"))
    out.close()
    return count


TIEBREAK = 0.2  # a concept scores its best field plus this much of the others


def _combine_max(weighted: Iterable[tuple[dict, float]]) -> dict:
    """Per document: the best of the (scores times boost) plus TIEBREAK times the rest."""
    best: dict[int, float] = {}
    total: dict[int, float] = {}
    for scores, boost in weighted:
        for doc, sc in scores.items():
            sc *= boost
            b = best.get(doc)
            if b is None:
                best[doc] = total[doc] = sc
            else:
                total[doc] += sc
                if sc > b:
                    best[doc] = sc
    return {doc: b + TIEBREAK * (total[doc] - b) for doc, b in best.items()}


def _combine_sum(weighted: Iterable[tuple[dict, float]]) -> dict:
    out: dict[int, float] = {}
    get = out.get
    for scores, boost in weighted:
        if boost == 1.0:
            for doc, sc in scores.items():
                out[doc] = get(doc, 0.0) + sc
        else:
            for doc, sc in scores.items():
                out[doc] = get(doc, 0.0) + sc * boost
    return out


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

    __slots__ = ("top", "_ids", "_scores")

    def __init__(self, scores: dict):
        if len(scores) <= TOP_POSTINGS:
            self.top, self._ids, self._scores = scores, None, None
        else:
            self.top = dict(heapq.nlargest(TOP_POSTINGS, scores.items(), key=lambda x: x[1]))
            self._ids, self._scores = array("l", scores.keys()), array("d", scores.values())

    def __len__(self) -> int:
        return len(self.top) if self._ids is None else len(self._ids) + len(self.top)

    def full(self) -> dict:
        return self.top if self._ids is None else dict(zip(self._ids, self._scores))

    def docs(self):
        return self.top.keys() if self._ids is None else self._ids


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


# ---------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class SearchHit:
    """One result: the code, its score and its fields with the matched words marked (escaped HTML)."""

    code: str
    score: float
    highlights: dict[str, Markup]
    exact: bool = False  # the query was exactly this code or name
    match: dict | None = None  # set for codes pinned by the paste matcher


@dataclass(frozen=True)
class SearchResults:
    query: str  # the normalised query that was searched
    total: int
    page: int
    limit: int
    hits: tuple[SearchHit, ...]
    did_you_mean: str | None = None
    exact_codes: tuple[str, ...] = ()  # the query is exactly these codes' code or name
    degraded: bool = False  # answered from the fallback index (the one on disk was unusable)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class Suggestion:
    completion: str
    description: str
    code: str


@dataclass
class _Plan:
    """A query taken apart: the Whoosh query and what is needed to highlight and correct."""

    text: str
    query: Any = None
    en: set = field(default_factory=set)
    ko: set = field(default_factory=set)
    bi: set = field(default_factory=set)
    corrections: dict = field(default_factory=dict)  # typed word -> corrected word
    digits_only: bool = False


@dataclass
class _Vocab:
    """What one index generation holds, read once per process: the terms of each field (so a query
    only asks Whoosh for terms that exist), the code of every document, the spelling word list."""

    terms: dict  # field -> frozenset of terms
    codes: list  # every code, sorted
    doc_of: dict  # code -> docnum
    cat_of: dict  # docnum -> category slug
    words: frozenset  # English words as written
    deletes: dict  # a word, or a word less one letter -> [words] (symmetric-delete spelling index)
    names: dict  # number of "_" parts -> [(name, parts)]
    by_name: dict  # lower-case name or alias -> [codes]

    @classmethod
    def read(cls, reader, storage) -> "_Vocab":
        terms = {f: frozenset(reader.field_terms(f)) for f in VOCAB_FIELDS if f in reader.schema}
        doc_of, cat_of, by_name = {}, {}, {}
        for docnum, fields in reader.iter_docs():
            doc_of[fields["code"]] = docnum
            cat_of[docnum] = fields.get("category", "")
            for n in (fields.get("name") or "", *(fields.get("aliases") or "").split()):
                if n:
                    by_name.setdefault(n.lower(), []).append(fields["code"])
        spell = storage.open_file(SPELL_FILE)
        try:
            words = frozenset(w for w in spell.read().decode("utf-8").split("\n") if w)
        finally:
            spell.close()
        deletes: dict = {}
        for w in words:
            for key in {w, *_deletions(w)}:
                deletes.setdefault(key, []).append(w)
        names: dict = {}
        for n in terms.get("name_exact", ()):
            parts = tuple(n.split("_"))
            names.setdefault(len(parts), []).append((n, parts))
        codes = sorted(doc_of, key=lambda c: (len(c), c))
        return cls(terms, codes, doc_of, cat_of, words, deletes, names, by_name)

    def has(self, fieldname: str, text: str) -> bool:
        return text in self.terms.get(fieldname, ())

    def with_prefix(self, digits: str) -> list[str]:
        """Codes starting with digits, in numeric order (shorter codes first)."""
        return [c for c in self.codes if c.startswith(digits)]


def _osa(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (a swap of neighbours costs 1), limit+1 when above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _max_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


# ---------------------------------------------------------------------------------- service

class SearchService:
    """Builds, opens and queries the index of one catalog; safe to share between threads.

    Results are plain dataclasses; highlights are Markup (escaped, with <mark> around matches).
    """

    def __init__(self, catalog, index_dir: str | Path, glossary_path: str | Path | None = GLOSSARY_PATH,
                 logger: logging.Logger | None = None):
        self.catalog = catalog
        self.root = Path(index_dir)
        self.key = index_key(catalog)
        self.glossary_path = glossary_path
        self.log = logger or log
        self._glossary: korean.Glossary | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pointer_seen: tuple | None = None
        self._vocabs: dict[str, _Vocab] = {}
        self._postings: dict[str, OrderedDict] = {}  # generation -> {(field, term): _Postings}
        self._cached_postings = 0
        self._stored_cache: dict[tuple[str, int], dict] = {}
        self._memory = None  # fallback index in RAM
        self._last_heal = 0.0
        self.last_build_seconds: float | None = None

    # ------------------------------------------------------------------ building and opening

    def ensure(self) -> str:
        """Make sure a current index exists on disk (building it if missing, stale or broken)."""
        gen = self._read_pointer()
        if gen and self._valid(gen):
            return gen
        self.root.mkdir(parents=True, exist_ok=True)
        with self._build_lock():
            gen = self._read_pointer()  # another process may have built it while we waited
            if gen and self._valid(gen):
                return gen
            if gen:
                self.log.warning("search index %s is stale or unreadable: rebuilding", gen)
            return self._build_and_swap()

    def rebuild(self) -> str:
        """Build a new generation and swap it in, whatever the current one is."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._build_lock():
            return self._build_and_swap()

    @contextmanager
    def _build_lock(self):
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _build_and_swap(self) -> str:
        started = time.perf_counter()
        gen = f"gen-{self.key}-{os.getpid()}-{time.time_ns()}"
        path = self.root / gen
        path.mkdir()
        try:
            count = write_index(FileStorage(str(path)), self.catalog)
            seconds = time.perf_counter() - started
            meta = {"key": self.key, "catalog_fingerprint": self.catalog.fingerprint,
                    "schema_version": SCHEMA_VERSION, "documents": count,
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "build_seconds": round(seconds, 3)}
            (path / META).write_text(json.dumps(meta), "utf-8")
            previous = self._read_pointer()
            tmp = self.root / f".{POINTER}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(gen)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / POINTER)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self.last_build_seconds = seconds
        self.log.info("search index %s built: %d codes in %.2f s", gen, count, seconds)
        self._cleanup(keep={gen, previous})
        return gen

    def _cleanup(self, keep: set) -> None:
        """Remove older generations (the previous one stays for readers still switching over).

        Called under the build lock, so no other build is writing any of these directories.
        """
        for child in self.root.iterdir():
            if child.name.startswith("gen-") and child.name not in keep and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(f".{POINTER}.") and child.name.endswith(".tmp"):
                try:
                    child.unlink()
                except OSError:
                    pass

    def _read_pointer(self) -> str | None:
        try:
            gen = (self.root / POINTER).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return gen if re.fullmatch(r"gen-[0-9a-f]+-\d+-\d+", gen) else None

    def _valid(self, gen: str) -> bool:
        """The generation is built from this catalog and schema, and opens and reads."""
        path = self.root / gen
        try:
            meta = json.loads((path / META).read_text("utf-8"))
            if meta.get("key") != self.key:
                return False
            storage = _storage(path)
            if not storage.file_exists(SPELL_FILE):
                return False
            ix = storage.open_index()
            try:
                with ix.searcher() as s:
                    if s.doc_count() != meta.get("documents"):
                        return False
                    if s.doc_count():
                        s.stored_fields(0)
                        list(s.search(Q.Every(), limit=1))
            finally:
                ix.close()
            return True
        except Exception as exc:  # whoosh raises many kinds of errors on broken files
            self.log.warning("search index %s cannot be used: %s", gen, exc)
            return False

    def _current(self) -> str | None:
        """The generation the pointer names (cheap: one stat, a read only when it changed)."""
        try:
            st = os.stat(self.root / POINTER)
        except OSError:
            self._pointer_seen = None
            return None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        seen = self._pointer_seen
        if seen and seen[0] == stamp:
            return seen[1]
        gen = self._read_pointer()
        self._pointer_seen = (stamp, gen)
        return gen

    def _searcher(self):
        """This thread's searcher on the current generation, reopened when the pointer moves."""
        local, pid = self._local, os.getpid()
        if getattr(local, "pid", None) != pid:
            local.pid, local.gen, local.searcher, local.storage = pid, None, None, None
        gen = self._current()
        if gen is not None and local.searcher is not None and local.gen == gen:
            return local.searcher, gen
        if gen is not None:
            try:
                return self._open(gen), gen
            except Exception:
                self.log.exception("search index %s failed to open", gen)
        # No usable index on disk: keep a searcher this thread already has (its files stay open
        # even if deleted), try to rebuild on disk now and then, else use an index in memory.
        now = time.monotonic()
        if now - self._last_heal > HEAL_INTERVAL:
            self._last_heal = now
            try:
                gen = self.ensure()
                return self._open(gen), gen
            except Exception:
                self.log.exception("search index could not be rebuilt in %s", self.root)
        if local.searcher is not None and local.gen not in (None, "memory"):
            return local.searcher, local.gen
        return self._open_memory(), "memory"

    def _open(self, gen: str):
        local = self._local
        storage = _storage(self.root / gen)
        searcher = storage.open_index().searcher()
        self._vocab(gen, searcher, storage)
        old = local.searcher
        local.gen, local.searcher, local.storage = gen, searcher, storage
        if old is not None:
            try:
                old.close()
            except Exception:
                pass
        return searcher

    def _open_memory(self):
        local = self._local
        with self._lock:
            if self._memory is None:
                self.log.error("search is answering from an index in memory: %s is unusable", self.root)
                storage = RamStorage()
                write_index(storage, self.catalog)
                self._memory = storage.open_index()
        if local.gen != "memory" or local.searcher is None:
            local.gen, local.searcher, local.storage = "memory", self._memory.searcher(), self._memory.storage
            self._vocab("memory", local.searcher, local.storage)
        return local.searcher

    def _drop_thread_searcher(self) -> None:
        local = self._local
        local.gen, local.searcher, local.storage = None, None, None

    def _vocab(self, gen: str, searcher, storage=None) -> _Vocab:
        vocab = self._vocabs.get(gen)
        if vocab is None:
            with self._lock:
                vocab = self._vocabs.get(gen)
                if vocab is None:
                    vocab = _Vocab.read(searcher.reader(), storage or self._local.storage)
                    self._vocabs = {g: v for g, v in self._vocabs.items() if g == "memory"}
                    self._vocabs[gen] = vocab
        return vocab

    @property
    def glossary(self) -> korean.Glossary:
        if self._glossary is None:
            if self.glossary_path and Path(self.glossary_path).exists():
                self._glossary = korean.Glossary.load(self.glossary_path, en_key=en_terms)
            else:
                self._glossary = korean.Glossary((), en_key=en_terms)
        return self._glossary

    # --------------------------------------------------------------------------- querying

    def search(self, text: str, *, limit: int = 10, page: int = 1, category: str | None = None,
               pinned: Sequence[tuple[str, dict]] = ()) -> SearchResults:
        """Search; never raises for any text. pinned codes (with their match) come first."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        page = max(1, int(page))
        norm = korean.normalize(str(text)[: MAX_QUERY * 4], MAX_QUERY)
        for attempt in (1, 2):
            searcher, gen = self._searcher()
            try:
                return self._search(searcher, gen, norm, limit, page, category, pinned)
            except Exception:
                self.log.exception("search failed on index %s for %r", gen, norm)
                self._drop_thread_searcher()
                if gen != "memory":
                    self._pointer_seen = None
                    if attempt == 1:
                        self._last_heal = 0.0
                        continue
                break
        return SearchResults(norm, 0, page, limit, (), degraded=True)

    def _search(self, searcher, gen, norm, limit, page, category, pinned) -> SearchResults:
        vocab = self._vocab(gen, searcher)
        ordered: list[tuple[int, float, bool, dict | None]] = []  # docnum, score, exact, match
        seen: set[int] = set()

        def add(docnum, score, exact=False, match=None):
            if docnum is not None and docnum not in seen and (not category or vocab.cat_of.get(docnum) == category):
                seen.add(docnum)
                ordered.append((docnum, score, exact, match))

        for code, match in pinned:  # pinned by the caller (the paste matcher): first, in the order given
            add(vocab.doc_of.get(str(code)), 0.0, False, dict(match) if match is not None else None)
        exact = self._exact(vocab, norm)
        for code in exact:
            add(vocab.doc_of[code], 0.0, True)
        plan = self._plan(norm, vocab) if norm else _Plan(norm)
        if plan.digits_only and 2 <= len(norm) <= 6:  # a code prefix lists its codes in order
            for code in vocab.with_prefix(norm):
                add(vocab.doc_of[code], 0.0)
        listed = len(ordered)
        total = listed
        if plan.query is not None:
            wanted = page * limit + listed
            # a filter or a deep page needs every posting; the first pages of a plain search do not
            every = bool(category) or wanted * 5 > TOP_POSTINGS
            scores = self._score(plan.query, searcher, gen, exact=every)
            if category:
                scores = {d: sc for d, sc in scores.items() if vocab.cat_of.get(d) == category}
            for docnum, score in heapq.nlargest(wanted, scores.items(), key=lambda x: (x[1], -x[0])):
                add(docnum, float(score))
            matched = scores.keys() if every else self._matching(plan.query, searcher, gen)
            total = len(seen | matched) if listed else len(matched)

        top = max((s for _, s, _, _ in ordered), default=0.0)
        hits = []
        for docnum, score, is_exact, match in ordered[(page - 1) * limit: page * limit]:
            fields = self._stored(gen, searcher, docnum)
            # pinned, exact and listed codes outrank every scored hit
            hits.append(SearchHit(fields["code"], round(score if score else top + 1.0, 3),
                                  self._highlights(gen, docnum, fields, plan), is_exact, match))
        return SearchResults(norm, total, page, limit, tuple(hits), self._did_you_mean(norm, plan),
                             tuple(exact), degraded=(gen == "memory"))

    def _postings_of(self, query, searcher, gen: str) -> "_Postings":
        """A term's postings scored by Whoosh (BM25F), read once per process and kept, least
        recently used dropped first beyond MAX_CACHED_POSTINGS (only a huge catalog gets there)."""
        cache = self._postings.get(gen)
        if cache is None:
            self._postings = {gen: OrderedDict()}
            self._cached_postings = 0
            cache = self._postings[gen]
        key = (query.fieldname, query.text)
        entry = cache.get(key)
        if entry is None:
            entry = _Postings(_drain(searcher.postings(*key)) if key in searcher.reader() else {})
            with self._lock:
                cache[key] = entry
                self._cached_postings += len(entry)
                while self._cached_postings > MAX_CACHED_POSTINGS and len(cache) > 1:
                    self._cached_postings -= len(cache.popitem(last=False)[1])
        else:
            try:
                cache.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile
                pass
        return entry

    def _score(self, query, searcher, gen: str, exact: bool = True) -> dict:
        """docnum -> score for a query, the score Whoosh's own matchers give (BM25F from Whoosh's
        scorers; Concept, Or and And combined as their matchers do) but over cached postings,
        several times faster than walking Whoosh's matcher tree for every query.

        exact=False ranks with each term's best TOP_POSTINGS postings only (impact-ordered
        truncation): the same as exact for any term in fewer documents, which is every term of the
        real catalog, and what keeps a catalog of 100k codes fast. Unknown query types go to Whoosh.
        """
        scores, boost = self._weighted(query, searcher, gen, exact)
        return {d: sc * boost for d, sc in scores.items()} if boost != 1.0 else scores

    def _weighted(self, query, searcher, gen: str, exact: bool) -> tuple[dict, float]:
        """(scores, boost) for a query, the boost not yet applied (the combiners apply it)."""
        if isinstance(query, Q.Term):
            postings = self._postings_of(query, searcher, gen)
            return (postings.full() if exact else postings.top), query.boost
        subs = (self._weighted(q, searcher, gen, exact) for q in getattr(query, "subqueries", ()))
        if isinstance(query, Concept):
            scores = _combine_max(subs)
        elif isinstance(query, Q.Or):
            scores = _combine_sum(subs)
        elif isinstance(query, Q.And):
            parts = [{d: sc * b for d, sc in p.items()} if b != 1.0 else p for p, b in subs]
            common = set(parts[0]).intersection(*parts[1:]) if parts else set()
            scores = {d: sum(p[d] for p in parts) for d in common}
        else:
            return _drain(query.matcher(searcher)), 1.0
        return scores, query.boost

    def _matching(self, query, searcher, gen: str) -> set:
        """Every document the query matches (for the total), from the cached postings."""
        if isinstance(query, Q.Term):
            return set(self._postings_of(query, searcher, gen).docs())
        if isinstance(query, Q.And):
            parts = [self._matching(q, searcher, gen) for q in query.subqueries]
            return set.intersection(*parts) if parts else set()
        if isinstance(query, (Concept, Q.Or)):
            return set().union(*(self._matching(q, searcher, gen) for q in query.subqueries))
        return set(_drain(query.matcher(searcher)))

    def _stored(self, gen: str, searcher, docnum: int) -> dict:
        """A document's stored fields, kept in memory once read (results pages repeat them)."""
        key = (gen, docnum)
        fields = self._stored_cache.get(key)
        if fields is None:
            if len(self._stored_cache) >= MAX_CACHED_DOCS:
                self._stored_cache.clear()
            fields = self._stored_cache[key] = searcher.stored_fields(docnum)
        return fields

    @staticmethod
    def _exact(vocab: _Vocab, norm: str) -> list[str]:
        """Codes whose code or name (or alias, any case) is exactly the whole query."""
        candidate = norm.strip("\"'` ")
        if candidate.isdigit() and candidate.isascii():
            return [candidate] if candidate in vocab.doc_of else []
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", candidate) and vocab.has("name_exact", candidate.lower()):
            return sorted(vocab.by_name.get(candidate.lower(), ()), key=lambda c: (len(c), c))
        return []

    def _plan(self, norm: str, vocab: _Vocab) -> _Plan:
        """Take a normalised query apart into concepts, each an OR of boosted (field, term) pairs.

        A concept is a word of the query (English word, Korean morpheme, Hangul bigram outside
        any morpheme, code, name) with its stems, parts, spelling correction and glossary
        translations; only terms the index holds are kept, so Whoosh does no useless lookups.
        """
        plan = _Plan(norm)
        plan.digits_only = norm.isdigit() and norm.isascii()
        # concept -> {(field, term or tuple of terms that must all be there): boost}
        concepts: dict[str, dict[tuple[str, Any], float]] = {}

        def add(concept, fieldname, text, boost, highlight=None):
            words = text if isinstance(text, tuple) else (text,)
            if highlight is not None:
                highlight.update(words)
            if all(vocab.has(fieldname, w) for w in words):
                terms = concepts.setdefault(concept, {})
                if terms.get((fieldname, text), 0.0) < boost:
                    terms[(fieldname, text)] = boost

        def add_en(concept, text, weight):
            """A word, or a phrase whose words must all be in one field ("channel name")."""
            found = tuple(dict.fromkeys(en_terms(text)))
            for f in EN_FIELDS:
                if len(found) == 1:
                    add(concept, f, found[0], BOOST[f] * weight, plan.en)
                elif found:
                    add(concept, f, found, BOOST[f] * weight / len(found), plan.en)

        def add_ko(concept, text, weight):
            found = tuple(dict.fromkeys(analyse(KO, text)))
            for f in KO_FIELDS:
                if len(found) == 1:
                    add(concept, f, found[0], BOOST[f] * weight, plan.ko)
                elif found:
                    add(concept, f, found, BOOST[f] * weight / len(found), plan.ko)
            if len(found) == 1:
                for g in analyse(BI, text):
                    if len(g) == 2:
                        for f in BI_FIELDS:
                            add(concept, f, g, BOOST[f] * weight, plan.bi)

        # English words, each with its camelCase/digit parts and, if the index has never seen it,
        # the nearest word it does know
        stems: list[str] = []
        word_concept: dict[str, str] = {}
        current = None
        for piece in english_pieces(norm):
            low = piece.text.lower()
            if current is None or piece.start >= current[2]:  # a whole word
                current = (low, piece.start, piece.end)
                if low in QUERY_NOISE:
                    continue
                key = f"en:{low}"
                word_stems = en_terms(low)
                stems.extend(word_stems)
                for st in word_stems:
                    word_concept.setdefault(st, key)
                add_en(key, low, 1.0)
                known = low in vocab.words or any(vocab.has(f, st) for st in word_stems for f in EN_FIELDS)
                parts = [] if known else split_compound(low, vocab.words)
                for part in parts:  # "bucketname" is bucket and name
                    stems.extend(en_terms(part))
                    add_en(f"en:{part}", part, 1.0)
                if word_stems and not known and not parts and low.isalpha() and _max_typos(low):
                    fix = self._correct(low, vocab)
                    if fix:
                        plan.corrections[piece.text] = fix
                        stems.extend(en_terms(fix))
                        add_en(key, fix, CORRECTION_WEIGHT)
            elif current[0] not in QUERY_NOISE:  # a part of the current word
                add_en(f"en:{current[0]}", low, PART_WEIGHT)

        # Korean morphemes (a compound's parts count for less), with the bigrams inside them.
        # A bigram across two content morphemes of one word ("채널|명") is compound evidence and
        # stands alone; one that touches a particle or ending ("널을") counts for little.
        morph_pieces, function_spans = korean.analyse(norm)
        morphs = [m.text for m in morph_pieces]
        heads: dict[tuple[int, int], str] = {}
        for m in morph_pieces:
            head = heads.setdefault((m.start, m.end), m.text)
            for f in KO_FIELDS:
                add(f"ko:{head}", f, m.text, BOOST[f] * (1.0 if head == m.text else PART_WEIGHT), plan.ko)
        grams = list(korean.bigrams(norm))
        if any(len(g.text) == 2 for g in grams):
            grams = [g for g in grams if len(g.text) == 2]  # a lone syllable only when nothing longer

        def owner(i):
            return next((h for (a, b), h in heads.items() if a <= i < b), None)

        for g in grams:
            first, last = owner(g.start), owner(g.end - 1)
            if first is not None and first == last:
                key, weight = f"ko:{first}", 1.0
            elif any(a < g.end and g.start < b for a, b in function_spans):
                key, weight = f"bi:{g.text}", LOOSE_BIGRAM_WEIGHT
            else:
                key, weight = f"bi:{g.text}", COMPOUND_BIGRAM_WEIGHT
            for f in BI_FIELDS:
                add(key, f, g.text, BOOST[f] * weight, plan.bi)

        # The glossary: a Korean word also searches its English (and Korean) synonyms, an English
        # word its English synonyms; each joins the concept of the word it came from
        for exp in self.glossary.expand(norm, morphs, stems):
            matched = exp.matched.replace(" ", "")
            if korean.has_hangul(exp.matched):
                key = f"ko:{matched}" if matched in morphs else f"gl:{matched}"
                for word in exp.add_en:
                    add_en(key, word, GLOSSARY_WEIGHT)
                for word in exp.add_ko:
                    add_ko(key, word, GLOSSARY_WEIGHT)
            else:
                matched_stems = en_terms(exp.matched)
                key = word_concept.get(matched_stems[0]) if len(matched_stems) == 1 else None
                for word in exp.add_en:
                    add_en(key or f"gl:{exp.matched}", word, GLOSSARY_WEIGHT)
                for word in exp.add_ko:  # not searched (every code has English text), but marked
                    plan.ko.update(analyse(KO, word))
                    plan.bi.update(g for g in analyse(BI, word) if len(g) == 2)

        # Codes, statuses and names written as such
        for token in dict.fromkeys(re.findall(r"[A-Za-z0-9_]+", norm)):
            if token.isdigit():
                add(f"code:{token}", "code", token, EXACT_CODE_BOOST)
                add(f"code:{token}", "status", token, STATUS_BOOST)
            elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", token):
                lower = token.lower()
                add(f"name:{lower}", "name_exact", lower, EXACT_NAME_BOOST)
                if "_" in lower.strip("_") and not vocab.has("name_exact", lower):
                    near = self._near_name(lower, vocab)
                    if near:
                        add(f"name:{lower}", "name_exact", near, NEAR_NAME_BOOST)
                        plan.corrections[token] = near.upper()
        latin = re.findall(r"[A-Za-z0-9]+", norm)
        if len(latin) > 1 and not korean.has_hangul(norm):  # "channel not found" is CHANNEL_NOT_FOUND
            joined = "_".join(latin).lower()
            add(f"name:{joined}", "name_exact", joined, EXACT_NAME_BOOST)

        subqueries = []
        for terms in concepts.values():
            qs = [Q.And([Q.Term(f, w) for w in t], boost=b) if isinstance(t, tuple) else Q.Term(f, t, boost=b)
                  for (f, t), b in terms.items()]
            subqueries.append(qs[0] if len(qs) == 1 else Concept(qs))
        if subqueries:
            plan.query = Q.Or(subqueries)
        return plan

    @staticmethod
    def _correct(word: str, vocab: _Vocab) -> str | None:
        """The index word closest to a word the index does not know.

        Candidates share the word, or the word less one letter, with the word typed less at most
        one letter (one wrong, missing, extra or swapped letter; some pairs of them), then the
        edit distance decides: nearest, then closest in length, then alphabetical."""
        limit = _max_typos(word)
        candidates = set()
        for key in {word, *_deletions(word)}:
            candidates.update(vocab.deletes.get(key, ()))
        best = []
        for cand in candidates:
            d = _osa(word, cand, limit)
            if d <= limit:
                best.append((d, abs(len(cand) - len(word)), cand))
        return min(best)[2] if best else None

    def _near_name(self, name: str, vocab: _Vocab) -> str | None:
        """A published name one or two letters away from a name-like token (compared part by part)."""
        parts = name.split("_")
        found = []
        for cand, cparts in vocab.names.get(len(parts), ()):
            distance = 0
            for a, b in zip(parts, cparts):
                if a != b:
                    distance += _osa(a, b, 2)
                    if distance > 2:
                        break
            if 0 < distance <= (2 if len(name) >= 12 else 1):
                found.append((distance, cand))
        return min(found)[1] if found else None

    def _did_you_mean(self, norm: str, plan: _Plan) -> str | None:
        if not plan.corrections:
            return None
        out = norm
        for typed, fixed in plan.corrections.items():
            out = re.sub(rf"(?i)(?<![A-Za-z0-9_]){re.escape(typed)}(?![A-Za-z0-9_])", fixed, out)
        return out if out != norm else None

    # ------------------------------------------------------------------------ highlighting

    def _highlights(self, gen, docnum, fields: dict, plan: _Plan) -> dict[str, Markup]:
        en, ko = [(EN, plan.en)], [(KO, plan.ko), (BI, plan.bi), (EN, plan.en)]
        return {
            "name": highlight(fields.get("name") or "", en),
            "message": highlight(fields.get("message_text") or "", en),
            "description_ko": highlight(fields.get("desc_ko") or "", ko),
            "summary_en": highlight(fields.get("summary_en") or "", en),
            "summary_ko": highlight(fields.get("summary_ko") or "", ko),
        }

    # ------------------------------------------------------------------------- suggestions

    def suggest(self, text: str, limit: int = 10) -> list[Suggestion]:
        """Completions for the address bar: codes by prefix, names by prefix, else the best hits."""
        try:
            limit = max(1, min(int(limit), 10))
            norm = korean.normalize(str(text)[: MAX_QUERY * 4], MAX_QUERY)
            if not norm:
                return []
            searcher, gen = self._searcher()
            vocab = self._vocab(gen, searcher)
            hangul = korean.has_hangul(norm)
            out: list[Suggestion] = []
            seen: set[str] = set()

            def add(completion, code):
                if completion and completion not in seen and len(out) < limit and code in vocab.doc_of:
                    f = self._stored(gen, searcher, vocab.doc_of[code])
                    seen.add(completion)
                    desc = f.get("desc_ko") if hangul and f.get("desc_ko") else f.get("message_text", "")
                    out.append(Suggestion(completion, f"{code} · {desc}".replace("\n", " ")[:160], code))

            if norm.isdigit() and norm.isascii() and len(norm) <= 6:
                for code in vocab.with_prefix(norm)[:limit]:
                    add(code, code)
            elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]*", norm):
                prefix = re.sub(r"\s+", "_", norm.strip()).lower()
                for name in sorted(n for n in vocab.by_name if n.startswith(prefix)):
                    for code in vocab.by_name[name]:
                        add(name.upper(), code)
                    if len(out) >= limit:
                        break
            if len(out) < limit:
                for hit in self.search(norm, limit=limit).hits:
                    f = self._stored(gen, searcher, vocab.doc_of[hit.code]) if hit.code in vocab.doc_of else {}
                    add(f.get("name") or hit.code, hit.code)
            return out
        except Exception:
            self.log.exception("suggest failed for %r", text)
            return []


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
