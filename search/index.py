"""The index on disk: its key, writing it, its manifest, loading it verified into memory, and the
vocabulary read from it once per process."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.filedb.filestore import RamStorage

import korean
import lexicon

from quantities import bounds

from .analysis import EN, SPELL, KoreanReaderTokenizer, analyse, loanword_groups
from .documents import EN_FIELDS, KO_FIELDS, VOCAB_FIELDS, documents, make_schema, message_parts, message_words
from .hangul import QueryReader, from_keyboard, is_whole_hangul
from .readings import deletions

SCHEMA_VERSION = "5"
SPELL_FILE = "spell-words.txt"
KOREAN_FILE = "korean.json"  # mecab's analyses of every Korean line the index and the glossary hold
FREQUENCY_FILE = "frequencies.json"  # what queries need of wordfreq's lists (lexicon.Frequencies)
MANIFEST = "manifest.json"
PACKAGE = Path(__file__).resolve().parent
SEARCH_DATA = PACKAGE.parent / "data" / "search"
GLOSSARY_FILE = SEARCH_DATA / "glossary.toml"


def code_version() -> str:
    """The version of the analysis code: a digest of this package's source, korean.py, lexicon.py and
    the word lists whose analyses the index records (glossary, loanwords, thesaurus, endings), so a
    change can never leave an index built the old way in place."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for module in (*sorted(PACKAGE.glob("*.py")), korean.__file__, lexicon.__file__, *sorted(SEARCH_DATA.glob("*.toml"))):
        try:
            digest.update(Path(module).read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:16]


def index_key(catalog) -> str:
    """What an index must have been built from to be current: this catalog and this analysis code."""
    return hashlib.sha256(f"{catalog.fingerprint}|{code_version()}".encode()).hexdigest()[:16]


class MemoryStorage(RamStorage):
    """Whoosh's RamStorage, but its scratch files in memory too: RamStorage's own go to one fixed
    path under /tmp (MAIN.tmp), which two processes building at once delete under each other."""

    def temp_storage(self, name=None):
        return MemoryStorage()


class IndexDamaged(Exception):
    """The index on disk is missing, stale or not what its manifest says (the message says which)."""

    def __init__(self, problem: str, missing: bool = False):
        super().__init__(problem)
        self.missing = missing


def write_manifest(folder: Path, key: str, catalog, documents: int) -> dict:
    """Record what a freshly built index folder holds: every file's SHA-256, and what it was built from."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.iterdir())
             if p.is_file() and p.name != MANIFEST and not p.name.endswith("_WRITELOCK")}  # a lock, not data
    manifest = {"key": key, "catalog_fingerprint": catalog.fingerprint, "code_version": code_version(),
                "schema_version": SCHEMA_VERSION, "documents": documents, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
    return manifest


def load_verified(folder: Path, key: str) -> tuple[MemoryStorage, dict]:
    """The index in folder copied into memory, every file checked against the manifest first.

    Only the files the manifest names are read, each once: whatever happens on disk afterwards
    cannot change what was loaded. Raises IndexDamaged naming the first problem found."""
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise IndexDamaged(f"{folder / MANIFEST} is missing", missing=True) from None
    except (OSError, ValueError) as exc:
        raise IndexDamaged(f"{folder / MANIFEST} is unreadable ({exc.__class__.__name__})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        raise IndexDamaged(f"{folder / MANIFEST} lists no files")
    if manifest.get("key") != key:
        raise IndexDamaged("it was built from another catalog or other search code")
    storage = MemoryStorage()
    for name, digest in sorted(files.items()):
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise IndexDamaged(f"{MANIFEST} names a file outside the index: {str(name)[:80]!r}")
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            raise IndexDamaged(f"{name} is unreadable ({exc.__class__.__name__})") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise IndexDamaged(f"{name} does not match its checksum")
        storage.files[name] = data
    return storage, manifest


def _word_lists() -> list[str]:
    """The Korean words of the glossary, the loanwords and the thesaurus (the default files): the
    planner analyses them for every query that names them."""
    out: list[str] = []
    if GLOSSARY_FILE.exists():
        out.extend(w for g in korean.Glossary.load(GLOSSARY_FILE).groups for w in g.ko)
    out.extend(w for g in loanword_groups() for w in g.ko)
    thesaurus = lexicon.load_thesaurus()
    out.extend(w for g in thesaurus.groups for w in g.ko)
    out.extend(thesaurus.generic_ko)
    return out


def _write(storage, name: str, data: bytes) -> None:
    out = storage.create_file(name)
    out.write(data)
    out.close()


def write_index(storage, catalog) -> int:
    """Create the index in a storage and add every document; returns the number of documents.

    Next to the index go what queries need and is never searched: the English words as written,
    for spelling corrections (SPELL_FILE); mecab's reading of every Korean line analysed, the
    documents' and the word lists' and each Korean term's own (KOREAN_FILE), so a serving process
    reads Korean without mecab; and the word frequencies queries use (FREQUENCY_FILE)."""
    ix = storage.create_index(make_schema())
    writer = ix.writer(limitmb=64)
    count, words = 0, set()
    with korean.recording() as table:
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
        for phrase in _word_lists():
            korean.analyse(phrase)
            for word in phrase.split():
                korean.analyse(word)
        for term in {t for terms, _ in list(table.values()) for t, _, _ in terms}:
            korean.analyse(term)  # the lexicon's words, each searched alone when 초성 or a prefix stands for it
    _write(storage, SPELL_FILE, "\n".join(sorted(words)).encode("utf-8"))
    _write(storage, KOREAN_FILE, json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    frequencies = lexicon.Frequencies.compute(words, lambda w: is_whole_hangul(from_keyboard(w)), is_whole_hangul)
    _write(storage, FREQUENCY_FILE, json.dumps(frequencies.to_json(), ensure_ascii=False,
                                               separators=(",", ":")).encode("utf-8"))
    return count


def release_build_memory() -> None:
    """Give back what only building needs (mecab's model, wordfreq's lists): a server calls this
    before forking its workers, which read everything from the index and must not inherit them."""
    korean.release()
    lexicon.release()


def _read_json(storage, name: str):
    fh = storage.open_file(name)
    try:
        return json.loads(fh.read().decode("utf-8"))
    finally:
        fh.close()


@dataclass
class Vocab:
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
    typing: QueryReader  # reads a query as meant: keyboard mode, 초성, the word being typed, jamo slips
    # official messages a query may write out whole: first word -> length -> words -> [(docnum, words, code)]
    # (looked up, not compared: 10,000 codes have thousands of messages starting with "the")
    messages: dict = field(default_factory=dict)
    message_runs: dict = field(default_factory=dict)  # three words in a row -> [(code, a fixed part's words, their place)]
    korean: korean.KoreanReader | None = None  # Korean analysis as mecab gave it at build, without mecab
    frequencies: lexicon.Frequencies | None = None  # what queries need of wordfreq's lists
    ko_analyzer: KoreanReaderTokenizer | None = None  # the KO analyzer's terms and offsets, through korean
    limited: frozenset = frozenset()  # stems of the official messages that state a limit ("width", "bitrat")
    pairs: frozenset = frozenset()  # two words in a row of a name or an official message ("short", "clip")

    @classmethod
    def read(cls, reader, storage, korean_words=()) -> "Vocab":
        """The vocabulary of one index; korean_words (the glossary's) join the index's Korean words."""
        terms = {f: frozenset(reader.field_terms(f)) for f in VOCAB_FIELDS if f in reader.schema}
        doc_of, cat_of, by_name, messages, runs = {}, {}, {}, {}, {}
        limited: set[str] = set()
        for docnum, fields in reader.iter_docs():
            doc_of[fields["code"]] = docnum
            if bounds(fields.get("message_text") or ""):
                limited.update(analyse(EN, fields["message_text"]))
            words = message_words(fields.get("message_text") or "")
            if words:
                messages.setdefault(words[0], {}).setdefault(len(words), {}).setdefault(words, []).append(
                    (docnum, words, fields["code"]))
            for part in message_parts(fields.get("message_text") or ""):
                for place in range(len(part) - 2):
                    runs.setdefault(part[place:place + 3], []).append((fields["code"], part, place))
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
            for key in {w, *deletions(w)}:
                deletes.setdefault(key, []).append(w)
        names: dict = {}
        for n in terms.get("name_exact", ()):
            parts = tuple(n.split("_"))
            names.setdefault(len(parts), []).append((n, parts))
        pairs = {pair for n in names.values() for _, parts in n for pair in zip(parts, parts[1:])}
        pairs.update(pair for run in runs for pair in zip(run, run[1:]))
        codes = sorted(doc_of, key=lambda c: (len(c), c))
        table = {line: (tuple(map(tuple, content)), tuple(map(tuple, bare)))
                 for line, (content, bare) in _read_json(storage, KOREAN_FILE).items()}
        reader_ko = korean.KoreanReader(table, korean.load_endings())
        frequencies = lexicon.Frequencies.from_json(_read_json(storage, FREQUENCY_FILE))
        return cls(terms, codes, doc_of, cat_of, words, deletes, names, by_name,
                   _typing(reader, terms, words, korean_words, reader_ko, frequencies), messages, runs,
                   reader_ko, frequencies, KoreanReaderTokenizer(reader_ko), frozenset(limited),
                   frozenset(pairs))

    def zipf(self, word: str) -> float:
        """How common an English word of the index is (the spelling corrector's prior)."""
        return self.frequencies.zipf(word) if self.frequencies else lexicon.zipf(word)

    def has(self, fieldname: str, text: str) -> bool:
        return text in self.terms.get(fieldname, ())

    def with_prefix(self, digits: str) -> list[str]:
        """Codes starting with digits, in numeric order (shorter codes first)."""
        return [c for c in self.codes if c.startswith(digits)]


def _typing(reader, terms: dict, words: frozenset, korean_words, reader_ko, frequencies) -> QueryReader:
    """The query reader of one index: its Korean words (and the glossary's) weighted by how many
    documents hold them, its English words likewise."""
    ko: dict = {}
    for f in KO_FIELDS:
        for t in terms.get(f, ()):
            ko[t] = ko.get(t, 0) + reader.doc_frequency(f, t)
    for phrase in korean_words:
        for word in phrase.split():
            ko[word] = ko.get(word, 0) + 1
    en: dict = dict.fromkeys(words, 0)
    for f in EN_FIELDS:
        for t in terms.get(f, ()):
            en[t] = en.get(t, 0) + reader.doc_frequency(f, t)
    # a few alternatives per token: each one is scored, and the most frequent come first
    official = (t for f in ("name_words", "message") for t in terms.get(f, ()) if t.isalpha())
    return QueryReader(ko, en, stems=reader_ko.terms, max_results=6, general=frequencies.general, official=official)
