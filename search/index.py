"""The index on disk: its key, its storage, writing it, and the vocabulary read from it once per process."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

import korean

from .analysis import SPELL, analyse
from .documents import EN_FIELDS, KO_FIELDS, VOCAB_FIELDS, documents, make_schema, message_words
from .hangul import QueryReader
from .planner import deletions

SCHEMA_VERSION = "4"
SPELL_FILE = "spell-words.txt"
PACKAGE = Path(__file__).resolve().parent


def index_key(catalog) -> str:
    """What an index must have been built from to be current: this catalog, and this schema and
    analysis (the source of this module and korean.py, so a code change can never leave an index
    built the old way in place)."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}|{catalog.fingerprint}|".encode())
    for module in (*sorted(PACKAGE.glob("*.py")), korean.__file__):
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
    messages: dict = field(default_factory=dict)  # first word -> [(words of an official message, code)]

    @classmethod
    def read(cls, reader, storage, korean_words=()) -> "Vocab":
        """The vocabulary of one index; korean_words (the glossary's) join the index's Korean words."""
        terms = {f: frozenset(reader.field_terms(f)) for f in VOCAB_FIELDS if f in reader.schema}
        doc_of, cat_of, by_name, messages = {}, {}, {}, {}
        for docnum, fields in reader.iter_docs():
            doc_of[fields["code"]] = docnum
            words = message_words(fields.get("message_text") or "")
            if words:
                messages.setdefault(words[0], []).append((words, fields["code"]))
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
        codes = sorted(doc_of, key=lambda c: (len(c), c))
        return cls(terms, codes, doc_of, cat_of, words, deletes, names, by_name,
                   _typing(reader, terms, words, korean_words), messages)

    def has(self, fieldname: str, text: str) -> bool:
        return text in self.terms.get(fieldname, ())

    def with_prefix(self, digits: str) -> list[str]:
        """Codes starting with digits, in numeric order (shorter codes first)."""
        return [c for c in self.codes if c.startswith(digits)]


def _typing(reader, terms: dict, words: frozenset, korean_words) -> QueryReader:
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
    return QueryReader(ko, en, stems=lambda w: [p.text for p in korean.morphemes(w)], max_results=6)
