"""SearchService: builds, opens and queries the index of one catalog; the results it returns."""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import operator
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index

import korean
import lexicon
from .analysis import BI, EN, en_terms, loanword_groups
from .documents import WEIGHTING
from .highlight import DocSpans, Marked, doc_spans, mark_doc
from .index import MANIFEST, IndexDamaged, MemoryStorage, Vocab, index_key, load_verified, write_index, write_manifest
from .planner import Plan, did_you_mean, exact_codes, make_plan
from .scoring import TOP_POSTINGS, Combined, _combine_max, _combine_sum, _drain, _Postings, best_first, bitset

log = logging.getLogger("search")

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_PATH = ROOT / "data" / "search" / "glossary.toml"


MAX_QUERY = 256  # characters of a word search; longer text is cut (the paste matcher takes long text)
MAX_LIMIT = 100
LIVE, LOCK = "index", ".build.lock"  # the index folder in SEARCH_INDEX_DIR, and the lock builds take
SCRATCH, OLD = ".build-", ".old-"  # a build's own folder, and the folder it replaced
RETRY_INTERVAL = 5.0  # seconds between attempts to load an index after none could be
MAX_CACHED_POSTINGS = 4_000_000  # scored postings kept per process (long lists as arrays: ~64 MB at most)
MAX_CACHED_DOCS = 20_000  # stored fields of documents shown, kept in memory per process
# combined scores of concepts (a word with its fields, stems and translations) kept per process:
# 2 KB a document of the index, from 2 MB (the relevance suite keeps 1.5 MB of the real catalog) to 32 MB
CONCEPT_BYTES_PER_DOC, MIN_CONCEPT_BYTES, MAX_CONCEPT_BYTES = 2048, 2 << 20, 32 << 20
CONCEPT_KEY_BYTES, CONCEPT_TERM_BYTES = 200, 144  # what a kept concept's key takes, and each of its terms in it
SHOWN = {"name": "name", "message": "message_text", "description_ko": "desc_ko",  # a hit's field: stored field
         "summary_en": "summary_en", "summary_ko": "summary_ko"}
# the fields each analyzer marks: English words everywhere, Korean morphemes and bigrams in the Korean
MARKED_BY = {"en": tuple(SHOWN), "ko": ("description_ko", "summary_ko"), "bi": ("description_ko", "summary_ko")}


# ---------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class SearchHit:
    """One result: the code, its score and its shown fields with the spans of the matched words."""

    code: str
    score: float
    marked: dict[str, Marked]  # name, message, description_ko, summary_en, summary_ko
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
    degraded: bool = False  # nothing was searched: no index could be loaded, or the search failed

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class Suggestion:
    completion: str
    description: str
    code: str


# ---------------------------------------------------------------------------------- service

class Unavailable(Exception):
    """No index is loaded and none could be (search answers degraded until one can)."""


@dataclass(frozen=True)
class _Loaded:
    """The index held in memory, and what was read from it once."""

    ident: str  # the index key and the manifest's checksums: names this exact index
    index: Index
    vocab: Vocab


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def _concept_size(key: tuple, kept: Combined) -> int:
    """What a kept concept takes: its arrays, its key, and each of the key's terms."""
    return kept.nbytes() + CONCEPT_KEY_BYTES + CONCEPT_TERM_BYTES * len(key[1])


def _kept(cache: dict, key, make):
    """cache[key], made on first use; a full cache (MAX_CACHED_DOCS) is emptied rather than grown."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= MAX_CACHED_DOCS:
            cache.clear()
        value = cache[key] = make()
    return value


class SearchService:
    """Builds, loads and queries the index of one catalog; safe to share between threads.

    The index is verified against its manifest and held whole in memory (1.2 MB for the real
    catalog), so nothing that happens to the files on disk later changes an answer. Results are
    plain dataclasses; a hit's fields are plain text with the spans of the matched words (the web
    layer turns them into HTML).
    """

    def __init__(self, catalog, index_dir: str | Path, glossary_path: str | Path | None = GLOSSARY_PATH,
                 logger: logging.Logger | None = None, build_apart: bool = False):
        self.catalog = catalog
        # build in a forked child: what building allocates (mecab, wordfreq, the writer's buffers)
        # then never stays in this process, whose memory a server's workers inherit
        self.build_apart = build_apart
        self.root = Path(index_dir)
        self.key = index_key(catalog)
        self.glossary_path = glossary_path
        self.log = logger or log
        self.retry_interval = RETRY_INTERVAL
        self._glossary: korean.Glossary | None = None
        self._thesaurus: lexicon.Thesaurus | None = None
        self._local = threading.local()
        self._lock = threading.Lock()  # loading and the shared caches
        self._loaded: _Loaded | None = None
        self._failed_at: float | None = None
        self._postings: dict[str, OrderedDict] = {}  # ident -> {(field, term): _Postings}
        self._cached_postings = 0
        self._concepts: dict[str, OrderedDict] = {}  # ident -> {(exact, terms and boosts): Combined}
        self._concept_bytes = 0
        self._stored_cache: dict[tuple[str, int], dict] = {}
        self._spans_cache: dict[tuple[str, int], DocSpans] = {}
        self.last_build_seconds: float | None = None

    # ------------------------------------------------------------------ building and loading

    def ensure(self) -> str:
        """Load the index into memory once: verified from disk, rebuilt there first when it is
        missing, stale or damaged, built in memory only when the disk cannot hold it. Returns its ident."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded.ident

    def rebuild(self) -> str:
        """Build the index on disk again, whatever is there, and load it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            with self._disk_lock(fcntl.LOCK_EX):
                self._build_on_disk()
                storage, manifest = load_verified(self.root / LIVE, self.key)
            self._loaded = self._open(storage, manifest)
            return self._loaded.ident

    def _load(self) -> "_Loaded":
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                with self._disk_lock(fcntl.LOCK_SH):  # no build swaps the folder while it is read
                    return self._open(*load_verified(self.root / LIVE, self.key))
            except IndexDamaged:
                pass
            with self._disk_lock(fcntl.LOCK_EX):
                try:  # another worker may have rebuilt it while this one waited
                    return self._open(*load_verified(self.root / LIVE, self.key))
                except IndexDamaged as exc:
                    if not exc.missing:
                        self.log.warning("search index in %s cannot be used: %s; rebuilding it", self.root, exc)
                self._build_on_disk()
                return self._open(*load_verified(self.root / LIVE, self.key))
        except (OSError, IndexDamaged) as exc:
            self.log.warning("search index cannot be kept in %s (%s): built in memory", self.root, exc)
            storage = MemoryStorage()
            count = write_index(storage, self.catalog)
            return self._open(storage, {"key": self.key, "documents": count, "files": {}})

    @contextmanager
    def _disk_lock(self, kind: int):
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, kind)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _build_on_disk(self) -> None:
        """Build into a folder of this build's own, then swap it in (called under the exclusive lock)."""
        started = time.perf_counter()
        stamp = f"{os.getpid()}-{time.time_ns()}"
        scratch, old, live = self.root / f"{SCRATCH}{stamp}", self.root / f"{OLD}{stamp}", self.root / LIVE
        scratch.mkdir()
        try:
            count = self._write_apart(scratch) if self.build_apart else self._write(scratch)
            if live.exists() or live.is_symlink():
                os.rename(live, old)
            os.rename(scratch, live)
        finally:
            for leftover in self.root.iterdir():  # this build's, or a build that died: none runs now
                if leftover.name.startswith((SCRATCH, OLD)):
                    _remove(leftover)
        self.last_build_seconds = time.perf_counter() - started
        self.log.info("search index built in %s: %d codes in %.2f s", live, count, self.last_build_seconds)

    def _write(self, folder: Path) -> int:
        count = write_index(FileStorage(str(folder)), self.catalog)
        write_manifest(folder, self.key, self.catalog, count)
        return count

    def _write_apart(self, folder: Path) -> int:
        """_write in a forked child; the number of documents it wrote, from its manifest."""
        pid = os.fork()
        if pid == 0:  # the child: write, and leave without running the parent's exit handlers
            status = 1
            try:
                self._write(folder)
                status = 0
            except BaseException:
                self.log.exception("search index build in %s failed", folder)
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise OSError(f"the search index build in {folder} failed (status {status})")
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["documents"]

    def _open(self, storage, manifest: dict) -> "_Loaded":
        index = storage.open_index()
        with index.searcher() as searcher:
            if searcher.doc_count() != manifest.get("documents"):
                raise IndexDamaged(f"it holds {searcher.doc_count()} documents, not {manifest.get('documents')}")
            vocab = Vocab.read(searcher.reader(), storage, [w for g in self.glossary.groups for w in g.ko])
        files = json.dumps(manifest.get("files", {}), sort_keys=True).encode()
        return _Loaded(f"{self.key}-{hashlib.sha256(files).hexdigest()[:8]}", index, vocab)

    def _searcher(self):
        """This thread's searcher on the loaded index, and the index's ident.

        Raises Unavailable when no index could be loaded (tried again every retry_interval)."""
        loaded = self._loaded
        if loaded is None:
            now = time.monotonic()
            if self._failed_at is not None and now - self._failed_at < self.retry_interval:
                raise Unavailable()
            try:
                self.ensure()
            except Exception as exc:  # whoosh and the file system raise many kinds
                self._failed_at = now
                self.log.warning("search is unavailable: no index could be loaded (%s: %s)",
                                 exc.__class__.__name__, exc)
                raise Unavailable() from None
            loaded = self._loaded
        local, pid = self._local, os.getpid()
        if getattr(local, "pid", None) != pid or getattr(local, "ident", None) != loaded.ident:
            local.pid, local.ident, local.searcher = pid, loaded.ident, loaded.index.searcher(weighting=WEIGHTING)
        return local.searcher, loaded.ident

    def _drop_thread_searcher(self) -> None:
        self._local.ident = None

    def _vocab(self, ident: str, searcher=None) -> Vocab:
        return self._loaded.vocab

    @property
    def glossary(self) -> korean.Glossary:
        if self._glossary is None:
            groups: list = []
            if self.glossary_path and Path(self.glossary_path).exists():
                groups.extend(korean.Glossary.load(self.glossary_path, en_key=en_terms).groups)
                groups.extend(loanword_groups())
            self._glossary = korean.Glossary(groups, en_key=en_terms)
        return self._glossary

    @property
    def thesaurus(self) -> lexicon.Thesaurus | None:
        """The everyday synonyms and generic words (data/search/thesaurus.toml), read on first use;
        none when the glossary is turned off."""
        if self._thesaurus is None and self.glossary_path:
            self._thesaurus = lexicon.load_thesaurus()
        return self._thesaurus

    # --------------------------------------------------------------------------- querying

    def search(self, text: str, *, limit: int = 10, page: int = 1, category: str | None = None,
               pinned: Sequence[tuple[str, dict]] = ()) -> SearchResults:
        """Search; never raises for any text. pinned codes (with their match) come first."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        page = max(1, int(page))
        norm = korean.normalize(str(text)[: MAX_QUERY * 4], MAX_QUERY)
        try:
            searcher, ident = self._searcher()
        except Unavailable:
            return SearchResults(norm, 0, page, limit, (), degraded=True)
        try:
            return self._search(searcher, ident, norm, limit, page, category, pinned)
        except Exception:  # a bug, not the disk: the index in memory cannot be damaged
            self.log.exception("search failed for %r", norm)
            self._drop_thread_searcher()
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
        exact = exact_codes(vocab, norm)
        for code in exact:
            add(vocab.doc_of[code], 0.0, True)
        plan = make_plan(norm, vocab, self.glossary, self.thesaurus) if norm else Plan(norm)
        if plan.digits_only and 2 <= len(norm) <= 6:  # a code prefix lists its codes in order
            for code in vocab.with_prefix(norm):
                add(vocab.doc_of[code], 0.0)
        listed = len(ordered)
        total = listed
        if plan.concepts:
            wanted = page * limit + listed
            # a filter or a deep page needs every posting; the first pages of a plain search do not,
            # and with fewer documents than TOP_POSTINGS no list is cut: the scores name every match
            every = bool(category) or wanted * 5 > TOP_POSTINGS or len(vocab.codes) <= TOP_POSTINGS
            scores = self._score(plan.concepts, searcher, gen, exact=every)
            if category:
                scores = {d: sc for d, sc in scores.items() if vocab.cat_of.get(d) == category}
            for docnum, score in best_first(scores, wanted):
                add(docnum, float(score))
            if every:
                total = len(seen | scores.keys()) if listed else len(scores)
            else:
                total = (self._matching(plan.concepts, searcher, gen) | bitset(seen)).bit_count()

        top = max((s for _, s, _, _ in ordered), default=0.0)
        hits = []
        for docnum, score, is_exact, match in ordered[(page - 1) * limit: page * limit]:
            fields = self._stored(gen, searcher, docnum)
            # pinned, exact and listed codes outrank every scored hit
            hits.append(SearchHit(fields["code"], round(score if score else top + 1.0, 3),
                                  self._marked(gen, docnum, fields, plan), is_exact, match))
        return SearchResults(norm, total, page, limit, tuple(hits), did_you_mean(norm, plan), tuple(exact))

    def _postings_of(self, key: tuple[str, str], searcher, gen: str) -> "_Postings":
        """A term's postings scored by Whoosh (BM25F), read once per process and kept, least
        recently used dropped first beyond MAX_CACHED_POSTINGS (only a huge catalog gets there)."""
        cache = self._postings.get(gen)
        if cache is None:
            self._postings = {gen: OrderedDict()}
            self._cached_postings = 0
            cache = self._postings[gen]
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

    def _score(self, concepts, searcher, gen: str, exact: bool = True) -> dict:
        """docnum -> score for a plan's concepts, the score Whoosh's own matchers give for
        plan.query (BM25F from Whoosh's scorers; Concept, Or and And combined as their matchers
        do) but over cached postings and without building Whoosh queries, several times faster.

        exact=False ranks with each term's best TOP_POSTINGS postings only (impact-ordered
        truncation): the same as exact for any term in fewer documents, which is every term of the
        real catalog, and what keeps a catalog of 100k codes fast.
        """
        return _combine_sum(self._concept(terms, searcher, gen, exact) for terms in concepts)

    def _concept(self, terms: dict, searcher, gen: str, exact: bool) -> tuple[dict | Combined, float]:
        """(scores, boost) of one concept: a lone term with its boost, else the best of its terms, kept once combined."""
        # combining is most of a query's scoring, and the same words come back in query after query;
        # kept concepts are dropped least recently used first beyond the index's byte budget
        if len(terms) == 1:
            ((key, boost),) = terms.items()
            return self._term(key, searcher, gen, exact), boost
        cache = self._concepts.get(gen)
        if cache is None:
            with self._lock:
                self._concepts = {gen: OrderedDict()}
                self._concept_bytes = 0
                cache = self._concepts[gen]
        # the terms in their order and their boosts: the same key is the same float for every document
        key = (exact, tuple(terms.items()))
        kept = cache.get(key)
        if kept is not None:
            try:
                cache.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile
                pass
            return kept, 1.0
        scores = _combine_max((self._term(k, searcher, gen, exact), boost) for k, boost in terms.items())
        kept = Combined(scores)
        size = _concept_size(key, kept)
        budget = min(MAX_CONCEPT_BYTES, max(MIN_CONCEPT_BYTES, CONCEPT_BYTES_PER_DOC * len(self._loaded.vocab.codes)))
        with self._lock:
            if self._concepts.get(gen) is cache and key not in cache:
                cache[key] = kept
                self._concept_bytes += size
                while self._concept_bytes > budget and cache:
                    self._concept_bytes -= _concept_size(*cache.popitem(last=False))
        return scores, 1.0

    def _term(self, key: tuple, searcher, gen: str, exact: bool) -> dict:
        """docnum -> score of a (field, term), or of a (field, terms) whose terms must all be there."""
        fieldname, text = key
        if not isinstance(text, tuple):
            postings = self._postings_of(key, searcher, gen)
            return postings.full() if exact else postings.top
        parts = [self._term((fieldname, w), searcher, gen, exact) for w in text]
        common = set(parts[0]).intersection(*parts[1:]) if parts else set()
        return {d: sum(p[d] for p in parts) for d in common}

    def _matching(self, concepts, searcher, gen: str) -> int:
        """Every document the plan matches (for the total), as a bit set, from the cached postings."""
        out = 0
        for terms in concepts:
            for fieldname, text in terms:
                if isinstance(text, tuple):
                    parts = [self._postings_of((fieldname, w), searcher, gen).bits() for w in text]
                    out |= functools.reduce(operator.and_, parts) if parts else 0
                else:
                    out |= self._postings_of((fieldname, text), searcher, gen).bits()
        return out

    def _stored(self, gen: str, searcher, docnum: int) -> dict:
        """A document's stored fields, kept in memory once read (results pages repeat them)."""
        return _kept(self._stored_cache, (gen, docnum), lambda: searcher.stored_fields(docnum))

    # ------------------------------------------------------------------------ highlighting

    def _marked(self, gen: str, docnum: int, fields: dict, plan: Plan) -> dict[str, Marked]:
        """The shown fields of a hit with the spans of the plan's terms (stored texts analysed
        once per document, kept as long as its stored fields)."""
        def analysed():
            texts = {shown: fields.get(stored) or "" for shown, stored in SHOWN.items()}
            return doc_spans(texts, {"en": EN, "ko": self._loaded.vocab.ko_analyzer, "bi": BI}, MARKED_BY)
        doc = _kept(self._spans_cache, (gen, docnum), analysed)
        return mark_doc(doc, (("en", plan.en), ("ko", plan.ko), ("bi", plan.bi)))

    # ------------------------------------------------------------------------- suggestions

    def suggest(self, text: str, limit: int = 10) -> list[Suggestion]:
        """Completions for the address bar: codes by prefix, names by prefix, else the best hits."""
        try:
            limit = max(1, min(int(limit), 10))
            norm = korean.normalize(str(text)[: MAX_QUERY * 4], MAX_QUERY)
            if not norm:
                return []
            try:
                searcher, gen = self._searcher()
            except Unavailable:
                return []
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
