"""SearchService: builds, opens and queries the index of one catalog; the results it returns."""
from __future__ import annotations

import fcntl
import heapq
import json
import logging
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

from markupsafe import Markup
from whoosh import query as Q
from whoosh.filedb.filestore import FileStorage, RamStorage

import korean
import lexicon
from .analysis import BI, EN, KO, en_terms, loanword_groups
from .highlight import highlight
from .index import SCHEMA_VERSION, SPELL_FILE, Vocab, _storage, index_key, write_index
from .planner import Plan, did_you_mean, exact_codes, make_plan
from .scoring import TOP_POSTINGS, Concept, _combine_max, _combine_sum, _drain, _Postings

log = logging.getLogger("search")

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_PATH = ROOT / "data" / "search" / "glossary.toml"


MAX_QUERY = 256  # characters of a word search; longer text is cut (the paste matcher takes long text)
MAX_LIMIT = 100
POINTER, LOCK, META = "current", ".build.lock", "search-meta.json"
HEAL_INTERVAL = 5.0  # seconds between attempts to rebuild a lost index on disk
MAX_CACHED_POSTINGS = 4_000_000  # scored postings kept per process (long lists as arrays: ~64 MB at most)
MAX_CACHED_DOCS = 20_000  # stored fields of documents shown, kept in memory per process


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
        self._thesaurus: lexicon.Thesaurus | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pointer_seen: tuple | None = None
        self._vocabs: dict[str, Vocab] = {}
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

    def _vocab(self, gen: str, searcher, storage=None) -> Vocab:
        vocab = self._vocabs.get(gen)
        if vocab is None:
            with self._lock:
                vocab = self._vocabs.get(gen)
                if vocab is None:
                    vocab = Vocab.read(searcher.reader(), storage or self._local.storage,
                                       [w for g in self.glossary.groups for w in g.ko])
                    self._vocabs = {g: v for g, v in self._vocabs.items() if g == "memory"}
                    self._vocabs[gen] = vocab
        return vocab

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
        exact = exact_codes(vocab, norm)
        for code in exact:
            add(vocab.doc_of[code], 0.0, True)
        plan = make_plan(norm, vocab, self.glossary, self.thesaurus) if norm else Plan(norm)
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
        return SearchResults(norm, total, page, limit, tuple(hits), did_you_mean(norm, plan),
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

    # ------------------------------------------------------------------------ highlighting

    def _highlights(self, gen, docnum, fields: dict, plan: Plan) -> dict[str, Markup]:
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
