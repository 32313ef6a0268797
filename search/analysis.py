"""Analysis used the same way at index and query time: English words, Korean morphemes, Hangul bigrams, compound splitting."""
from __future__ import annotations

import functools

import re
from typing import Iterable, Iterator

from whoosh.analysis import STOP_WORDS, LowercaseFilter, StemFilter, StopFilter, Token, Tokenizer

import korean
import transliterate

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


class KoreanReaderTokenizer(_PieceTokenizer):
    """Korean morphemes as KoreanMorphTokenizer gives them, read through an index's KoreanReader
    (no mecab): what a serving process highlights stored texts with."""

    def __init__(self, reader):
        self.reader = reader

    def pieces(self, text):
        return self.reader.morphemes(text)


class HangulBigramTokenizer(_PieceTokenizer):
    def pieces(self, text):
        return korean.bigrams(text)


# Whoosh's stop words plus function words that only add noise to short queries ("too big").
STEM_CACHE = 20_000  # stems kept per process: any visitor may type new words, so the cache is bounded
STOP = frozenset(STOP_WORDS | {"too", "very", "does", "do", "did", "doesn", "don", "didn", "has", "had", "was",
                               "were", "been", "its", "than", "then", "there", "my", "our", "i", "me", "please"})
# Words whose stem is another word of this domain's: the encoder (OBS, pushing the stream) is no
# character encoding, a general channel no generation limit.
UNSTEMMED = frozenset({"encoder", "encoders", "general", "generally"})
EN = (EnglishTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP, minsize=2)
      | StemFilter(ignore=UNSTEMMED, cachesize=STEM_CACHE))
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


def loanword_groups() -> list[korean.GlossaryGroup]:
    """The reviewed loanwords (data/search/loanwords.toml) as glossary groups: each English content
    word of the catalog with the Hangul spellings people type for it (read on first use). Words
    that share a spelling share their groups (플랫폼: platform and the published PLARFORM), since
    a query word takes only the first group it matches."""
    entries = transliterate.load_loanwords().values()
    spelled = loanword_spellings()
    out = []
    for entry in entries:
        hangul = tuple(dict.fromkeys(korean.normalize(w) for w in entry.hangul if korean.has_hangul(w)))
        if hangul:
            english = dict.fromkeys([entry.en, *(en for w in hangul for en in spelled[w])])
            out.append(korean.GlossaryGroup(hangul, tuple(english), spelled=True))
    return out


@functools.cache
def loanword_spellings(compact: bool = False) -> dict[str, tuple[str, ...]]:
    """The catalog words each reviewed Hangul spelling writes (프레임: frame; 플랫폼: platform and
    the published plarform), the spelling as listed or, compact, without its spaces."""
    out: dict[str, list[str]] = {}
    for entry in transliterate.load_loanwords().values():
        for w in entry.hangul:
            w = korean.normalize(w)
            out.setdefault(w.replace(" ", "") if compact else w, []).append(entry.en)
    return {w: tuple(english) for w, english in out.items()}
