"""Hangul as people type it: jamo, the 2-beolsik keyboard, initial consonants (초성), words cut
mid-syllable and one-jamo slips. Pure functions and indexes over a lexicon; no I/O, no Whoosh.

Words are compared as keystrokes: the compatibility jamo a 2-beolsik keyboard sends, compound vowels
and final clusters split into their keys (녹화 → ㄴㅗㄱㅎㅗㅏ). A word being typed is then a plain
prefix of its keystrokes (녹ㅎ, 노ㄱ and 녹호 all lead to 녹화), and a one-key slip is edit distance 1.
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from .distance import osa

SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3
SYLLABLE_RUN = re.compile("[\uac00-\ud7a3]+")

# Compatibility jamo in Unicode's syllable order (initials, medials, finals; "" for no final).
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
VOWELS = frozenset(MEDIALS)

# Two keys that make one jamo on the 2-beolsik layout.
COMPOUND_MEDIALS = {("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
                    ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ"}
COMPOUND_FINALS = {("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
                   ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
                   ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ"}
SPLIT = {v: "".join(k) for k, v in {**COMPOUND_MEDIALS, **COMPOUND_FINALS}.items()}

# The standard 2-beolsik (KS X 5002) layout; shift gives the tense consonants and ㅒ ㅖ.
KEYBOARD = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ"))
KEYBOARD.update(zip("QWERTOP", "ㅃㅉㄸㄲㅆㅒㅖ"))
KEYBOARD.update((k.upper(), v) for k, v in list(KEYBOARD.items()) if k.upper() not in KEYBOARD)


def is_syllable(ch: str) -> bool:
    """Whether ch is one precomposed Hangul syllable (가-힣)."""
    return len(ch) == 1 and SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


def is_jamo(ch: str) -> bool:
    """Whether ch is one compatibility jamo (ㄱ-ㅣ), a letter typed on its own."""
    return len(ch) == 1 and (ch in CONSONANTS or ch in VOWELS)


# NFKC (the search normalisation) turns compatibility jamo into conjoining ones; a lone conjoining
# jamo is read back as the compatibility jamo people type.
CONJOINING = {**{0x1100 + i: ch for i, ch in enumerate(INITIALS)},
              **{0x1161 + i: ch for i, ch in enumerate(MEDIALS)},
              **{0x11A8 + i: ch for i, ch in enumerate(FINALS[1:])}}


def _nfc(text: str) -> str:
    """NFC (conjoining jamo sequences become syllables), then lone conjoining jamo as compatibility."""
    return unicodedata.normalize("NFC", text).translate(CONJOINING)


def split_syllable(ch: str) -> tuple[str, str, str]:
    """(initial, medial, final) of a syllable as compatibility jamo; final is "" when there is none."""
    index = ord(ch) - SYLLABLE_FIRST
    if not 0 <= index <= SYLLABLE_LAST - SYLLABLE_FIRST:
        raise ValueError(f"not a Hangul syllable: {ch!r}")
    return INITIALS[index // 588], MEDIALS[index % 588 // 28], FINALS[index % 28]


def join_syllable(initial: str, medial: str, final: str = "") -> str:
    """The syllable of an initial, a medial and an optional final (compatibility jamo)."""
    return chr(SYLLABLE_FIRST + INITIALS.index(initial) * 588 + MEDIALS.index(medial) * 28
               + FINALS.index(final))


def decompose(text: str) -> str:
    """Text with every syllable replaced by its jamo (녹화 → ㄴㅗㄱㅎㅘ); other characters kept."""
    out = []
    for ch in _nfc(text):
        out.extend(split_syllable(ch) if is_syllable(ch) else ch)
    return "".join(out)


@lru_cache(maxsize=8192)
def keystrokes(text: str) -> str:
    """The 2-beolsik keys that type text, as jamo (녹화 → ㄴㅗㄱㅎㅗㅏ, 닭 → ㄷㅏㄹㄱ)."""
    return "".join(SPLIT.get(j, j) for j in decompose(text))


def compose(jamo: Iterable[str]) -> str:
    """Hangul typed from a sequence of keys (compatibility jamo), as a 2-beolsik input method does:
    ㅅㅗㅇㅊㅜㄹ → 송출, a final moves to the next syllable before a vowel (ㄴㅗㄱㅗ → 노고), two keys
    make a compound vowel or final (ㅗㅏ → ㅘ, ㄹㄱ → ㄺ). Keys that make no syllable stay as they are;
    other characters pass through. The result is NFC."""
    out: list[str] = []
    initial = medial = final = ""

    def flush() -> None:
        nonlocal initial, medial, final
        if initial and medial:
            out.append(join_syllable(initial, medial, final))
        else:
            out.append(initial + medial + final)
        initial = medial = final = ""

    for key in jamo:
        if key in VOWELS:
            if final:
                # the last consonant starts the new syllable (a cluster gives up its second half)
                first, moved = (SPLIT[final][0], SPLIT[final][1]) if final in SPLIT else ("", final)
                final = first
                flush()
                initial, medial = moved, key
            elif medial and (medial, key) in COMPOUND_MEDIALS:
                medial = COMPOUND_MEDIALS[medial, key]
            elif medial or not initial:
                flush()
                medial = key
            else:
                medial = key
        elif key in CONSONANTS:
            if initial and medial and not final and key in FINALS:
                final = key
            elif final and (final, key) in COMPOUND_FINALS:
                final = COMPOUND_FINALS[final, key]
            else:
                flush()
                if key in INITIALS:
                    initial = key
                else:
                    out.append(key)
        else:
            flush()
            out.append(key)
    flush()
    return _nfc("".join(out))


def from_keyboard(latin: str) -> str:
    """What a Latin string types with the keyboard in Korean mode (thdcnf → 송출); keys off the layout
    pass through."""
    return compose(KEYBOARD.get(ch, ch) for ch in latin)


def is_whole_hangul(text: str) -> bool:
    """Whether text is one or more complete syllables and nothing else."""
    return bool(text) and all(is_syllable(ch) for ch in text)


def keyboard_korean(word: str, is_english: Callable[[str], bool],
                    is_korean: Callable[[str], bool]) -> str | None:
    """The Hangul a Latin word was meant to be, typed with the keyboard left in English mode, or None.

    The word must be letters only, no English word (is_english: the caller's vocabulary and word
    list), compose into whole syllables only, and those must be Korean (is_korean)."""
    if len(word) < 2 or not word.isascii() or not word.isalpha() or is_english(word.lower()):
        return None
    # as typed (shift for ㄲ ㅆ ㅖ...), then with caps lock undone: the shift keys were not meant
    for typed in dict.fromkeys((word, word.lower())):
        hangul = from_keyboard(typed)
        if is_whole_hangul(hangul) and is_korean(hangul):
            return hangul
    return None


# -------------------------------------------------------------------------------- 초성

def initials(word: str) -> str:
    """The initial consonant of every syllable (녹화 → ㄴㅎ); other characters are dropped."""
    return "".join(split_syllable(ch)[0] for ch in _nfc(word) if is_syllable(ch))


def is_initials(token: str) -> bool:
    """Whether a token is only initial consonants (ㄴㅎ), the way 초성 search is typed."""
    return bool(token) and all(ch in INITIALS for ch in token)


def _ranked(words: Iterable[str], weights: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-weights.get(w, 0.0), len(w), w)))


class Lexicon:
    """Korean words with weights (how often each is seen), indexed for 초성, prefixes and one-jamo
    corrections. Built once per vocabulary; every lookup is a few dictionary probes."""

    def __init__(self, weights: Mapping[str, float], *, max_results: int = 12,
                 general: Callable[[str, str], float] | None = None):
        self.general = general or general_frequency  # whether a word is common Korean (> 0)
        self.weights: dict[str, float] = {}
        for word, weight in weights.items():
            word = _nfc(word)
            if is_whole_hangul(word):
                self.weights[word] = max(float(weight), self.weights.get(word, 0.0))
        self.max_results = max_results
        by_initials: dict[str, list[str]] = {}
        deletes: dict[str, list[str]] = {}
        for word in self.weights:
            by_initials.setdefault(initials(word), []).append(word)
            keys = keystrokes(word)
            for i in range(len(keys)):
                deletes.setdefault(keys[:i] + keys[i + 1:], []).append(word)
        self._by_initials = {k: _ranked(v, self.weights) for k, v in by_initials.items()}
        self._deletes = {k: tuple(v) for k, v in deletes.items()}
        self._by_keys: dict[str, tuple[str, ...]] = {}
        for word in self.weights:
            self._by_keys[keystrokes(word)] = self._by_keys.get(keystrokes(word), ()) + (word,)
        self._sorted_keys = sorted(self._by_keys)
        # the caches are per instance so a new vocabulary never sees an old one's answers
        self.expand_initials = lru_cache(maxsize=2048)(self._expand_initials)
        self.complete = lru_cache(maxsize=4096)(self._complete)
        self.correct = lru_cache(maxsize=4096)(self._correct)

    def __contains__(self, word: str) -> bool:
        return word in self.weights

    def __len__(self) -> int:
        return len(self.weights)

    def _expand_initials(self, token: str) -> tuple[str, ...]:
        """The words whose initials are exactly token (ㄴㅎ → 녹화, 노후...), most frequent first."""
        return self._by_initials.get(token, ())[: self.max_results]

    def _complete(self, prefix: str) -> tuple[str, ...]:
        """The words a prefix being typed can become, jamo-aware (중ㅈ → 중지, 업로 → 업로드,
        녹 → 녹화 and 노고), most frequent first; the prefix itself when it is a word."""
        keys = keystrokes(_nfc(prefix))
        if len(keys) < 2:
            return ()
        found: list[str] = []
        i = bisect_left(self._sorted_keys, keys)
        while i < len(self._sorted_keys) and self._sorted_keys[i].startswith(keys):
            found.extend(self._by_keys[self._sorted_keys[i]])
            i += 1
            if len(found) > 400:  # a very short prefix: the most frequent of the first few hundred
                break
        return _ranked(found, self.weights)[: self.max_results]

    def _correct(self, word: str) -> str | None:
        """The lexicon word one key away from word (a wrong, missing, extra or swapped jamo), the most
        frequent when several are; None when word is known or nothing is that close."""
        word = _nfc(word)
        if word in self.weights or not is_whole_hangul(word):
            return None
        keys = keystrokes(word)
        candidates = set(self._by_keys.get(keys, ()))  # the same keys, composed differently
        candidates.update(self._deletes.get(keys, ()))  # a key too many in word
        for i in range(len(keys)):
            shorter = keys[:i] + keys[i + 1:]
            candidates.update(self._by_keys.get(shorter, ()))  # a key missing from word
            candidates.update(self._deletes.get(shorter, ()))  # a wrong or swapped key
        close = [c for c in candidates if c != word and osa(keystrokes(c), keys, 1) <= 1]
        if not close:
            close = [c for c in self._swaps(keys) if c != word]
        if not close:
            return None
        return max(close, key=lambda c: (self.weights[c], -abs(len(c) - len(word)), c))

    def _swaps(self, keys: str) -> list[str]:
        """Words with two keys of keys exchanged, adjacent or not (익렵 → 입력)."""
        out = []
        for i in range(len(keys)):
            for j in range(i + 2, len(keys)):
                if keys[i] != keys[j] and (keys[i] in VOWELS) == (keys[j] in VOWELS):
                    swapped = keys[:i] + keys[j] + keys[i + 1:j] + keys[i] + keys[j + 1:]
                    out.extend(self._by_keys.get(swapped, ()))
        return out


def frequency_weights(counts: Mapping[str, float], prior: Callable[[str], float] | None = None,
                      prior_weight: float = 0.25) -> dict[str, float]:
    """Lexicon weights from counts (how many documents hold each word) and an optional prior (the
    word's frequency in general language, 0 to 1): log counts plus a share of the prior's Zipf value,
    so the catalog's own words come first and common Korean breaks ties."""
    out = {}
    for word, count in counts.items():
        weight = math.log1p(max(count, 0))
        if prior is not None:
            freq = prior(word)
            if freq > 0:
                weight += prior_weight * max(0.0, math.log10(freq) + 9)
        out[word] = weight
    return out


def _wordlist(lang: str) -> dict[str, float]:
    import lexicon  # wordfreq's lists are read there, on first use, never at import time

    return lexicon.word_frequencies(lang)


def general_frequency(word: str, lang: str) -> float:
    """How often word occurs in general text ("en" or "ko"; wordfreq's list of the most common words,
    0 when it is not there). Looked up whole, without tokenising, so no tokenizer is needed."""
    return _wordlist(lang).get(_nfc(word).lower(), 0.0)


MIN_FUZZY_PREFIX = 5  # a shorter word being typed has too many neighbours to guess a slip in it
MAX_OFFICIAL_COMPLETIONS = 24  # words of the official texts a prefix being typed may become


def complete_latin(prefix: str, sorted_words: list[str], weights: Mapping[str, float], limit: int = 12,
                   scan: int = 400) -> tuple[str, ...]:
    """The words of a sorted list that start with prefix (lower case), most weighty first."""
    prefix = prefix.lower()
    if not prefix:
        return ()
    i = bisect_left(sorted_words, prefix)
    found = []
    while i < len(sorted_words) and sorted_words[i].startswith(prefix) and len(found) < scan:
        found.append(sorted_words[i])
        i += 1
    return _ranked(found, weights)[:limit]


# ------------------------------------------------------------------------- a query as meant

# Particles a Korean word often carries in a query, and the forms of the copula a noun takes (중인,
# 중이라서, 문제인데); a slip is looked for in the word without them.
PARTICLES = ("에서", "으로", "이랑", "이", "가", "을", "를", "은", "는", "에", "의", "도", "로", "와", "과", "만",
             "인데", "이라서", "이라고", "이라", "이어서", "이에요", "입니다", "이고", "인")


@dataclass(frozen=True, slots=True)
class Reading:
    """A query as the user meant it: text with keyboard-mode words in Hangul and one-jamo slips
    corrected (changes: (typed, meant) pairs), and the lexicon words that stand for each 초성 token
    and for the last word if it is still being typed (alternatives: (token, words) pairs)."""

    text: str
    changes: tuple[tuple[str, str], ...]
    alternatives: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def fixed(self) -> bool:
        return bool(self.changes)


def _is_korean_word(lexicon: "Lexicon", word: str) -> bool:
    """Known Hangul: a lexicon word, a common Korean word, or a lexicon word followed by an ending."""
    if word in lexicon or lexicon.general(word, "ko") > 0:
        return True
    return any(word[:i] in lexicon and lexicon.general(word[i:], "ko") > 0 for i in range(1, len(word)))


def _inflected(lexicon: "Lexicon", word: str, stems: Callable[[str], Iterable[str]] | None) -> bool:
    """Whether word is a known stem of two syllables or more with an ending typed on (꺼진: 꺼지+ㄴ)."""
    if stems is None or not is_whole_hangul(word):
        return False
    keys = keystrokes(word)
    return any(len(stem) >= 2 and stem in lexicon and keys.startswith(keystrokes(stem)) for stem in stems(word))


def _corrected(lexicon: "Lexicon", word: str) -> str | None:
    """word with a one-jamo slip fixed, its particle kept (버킽이 → 버킷이); None when it needs none."""
    if word in lexicon or not is_whole_hangul(word):
        return None
    splits = [(word, "")] + [(word[: -len(p)], p) for p in PARTICLES if word.endswith(p) and len(word) > len(p)]
    # a known word with its particle (중이: 중 + 이) is no slip, however close another word is
    if any(stem in lexicon or lexicon.general(stem, "ko") > 0 for stem, _ in splits):
        return None
    for stem, particle in splits:
        fixed = lexicon.correct(stem)
        if fixed and not _ending_typed_on(stem, fixed):
            return fixed + particle
    return None


# the final the noun ending -ㅁ adds to a verb's last syllable, as terse notes write (꺼짐, 만듦, 안 됨);
# -ㄴ and -ㄹ are left to the analyser: 실팬 is 실패 mistyped far more often than inflected
NOUN_ENDING_FINAL = "ㅁ"


def _ending_typed_on(typed: str, known: str) -> bool:
    """Whether typed is a known word with the noun ending's final added (꺼짐: 꺼지 + ㅁ, 만듦: 만들 + ㅁ),
    which is grammar, not a slip."""
    keys, known_keys = keystrokes(typed), keystrokes(known)
    return len(keys) == len(known_keys) + 1 and keys.startswith(known_keys) and keys[-1] == NOUN_ENDING_FINAL


def _corrected_unless_inflected(lexicon: "Lexicon", word: str, stems) -> str:
    if _inflected(lexicon, word, stems):
        return word
    if stems is not None and is_whole_hangul(word) and not list(stems(word)):
        return word  # nothing but particles and endings (않음, 잘못됨): grammar, not a slip
    return _corrected(lexicon, word) or word


def read_query(text: str, lexicon: "Lexicon", is_english: Callable[[str], bool], *,
               last_is_prefix: bool = True,
               complete_english: Callable[[str], tuple[str, ...]] | None = None,
               stems: Callable[[str], Iterable[str]] | None = None) -> Reading:
    """How a normalised query was meant (see Reading). is_english says whether a Latin word is
    English or the catalog's own; complete_english gives the catalog words an English prefix can
    become (the last word may be cut: "fo" → found); stems gives a word's content morphemes (an
    inflected known word, 꺼진 → 꺼지, is no slip)."""
    tokens = _nfc(text).split(" ")
    out: list[str] = []
    alternatives: list[tuple[str, tuple[str, ...]]] = []
    changes: list[tuple[str, str]] = []
    for position, token in enumerate(tokens):
        last = last_is_prefix and position == len(tokens) - 1
        word = token
        if token.isascii() and token.isalpha():
            hangul = keyboard_korean(token, is_english, lambda h: _is_korean_word(lexicon, h))
            if hangul:
                word = hangul
                changes.append((token, hangul))
            elif last and complete_english:
                found = tuple(w for w in complete_english(token) if w != token.lower())
                if found:
                    alternatives.append((token, found))
                out.append(token)
                continue
        if is_initials(word):
            found = lexicon.expand_initials(word)
            if found:
                alternatives.append((word, found))
        elif last and word not in lexicon and any(w != word for w in lexicon.complete(word)):
            alternatives.append((word, tuple(w for w in lexicon.complete(word) if w != word)))
        elif word == token:
            # each Hangul run on its own: 체널ID is 체널 + ID
            fixed_word = SYLLABLE_RUN.sub(lambda m: _corrected_unless_inflected(lexicon, m.group(), stems), word)
            if fixed_word != word:
                word = fixed_word
                changes.append((token, fixed_word))
        out.append(word)
    return Reading(" ".join(out), tuple(changes), tuple(alternatives))


class QueryReader:
    """read_query over one vocabulary: the Korean lexicon (the index's Korean words and the glossary's,
    weighted by document counts and general frequency) and the English words the catalog uses.
    general is general_frequency or a table of it (lexicon.Frequencies.general): what tells common
    words of each language."""

    def __init__(self, korean_counts: Mapping[str, float], english_counts: Mapping[str, float],
                 stems: Callable[[str], Iterable[str]] | None = None, *, max_results: int = 12,
                 general: Callable[[str, str], float] | None = None, official: Iterable[str] = ()):
        self.general = general = general or general_frequency
        self.lexicon = Lexicon(frequency_weights(korean_counts, prior=lambda w: general(w, "ko")),
                               max_results=max_results, general=general)
        self.english_counts = dict(english_counts)
        self._english_sorted = sorted(self.english_counts)
        # the words of the official names and messages: what a person copying from a log is typing
        self._official_sorted = sorted(set(official))
        self.stems = stems
        self.read = lru_cache(maxsize=2048)(self._read)

    def is_english(self, word: str) -> bool:
        """A word of the catalog's English, or of English in general."""
        return word in self.english_counts or self.general(word, "en") > 0

    def complete_english(self, prefix: str) -> tuple[str, ...]:
        """The catalog words an English word being typed can become; for a word it knows, the longer
        words of the official texts it begins that are more common than it ("ur" may be on its way
        to "url"; "channel" is not on its way to "channelid")."""
        prefix = prefix.lower()
        if prefix in self.english_counts:  # a word already, yet cut short if a longer official word is more common
            own = self.english_counts[prefix]
            return tuple(w for w in complete_latin(prefix, self._official_sorted, self.english_counts,
                                                   limit=MAX_OFFICIAL_COMPLETIONS)
                         if w != prefix and self.english_counts.get(w, 0) > own)
        found = complete_latin(prefix, self._english_sorted, self.english_counts, limit=self.lexicon.max_results)
        # a short prefix has more completions than are kept by frequency; the official texts' own
        # words are all kept, so "too b" can still become the "big" of a name
        official = complete_latin(prefix, self._official_sorted, self.english_counts, limit=MAX_OFFICIAL_COMPLETIONS)
        found = tuple(dict.fromkeys((*found, *official)))
        if found or len(prefix) < MIN_FUZZY_PREFIX:
            return found
        # one letter wrong, extra or missing while typing ("timeme", "snpash"): the prefixes one
        # edit away, the longest kept part first
        near: dict[str, None] = {}
        for i in range(len(prefix) - 1, 0, -1):
            for edited in (prefix[:i] + prefix[i + 1:], prefix[:i]):
                for word in complete_latin(edited, self._english_sorted, self.english_counts, limit=4):
                    if len(word) > len(edited) and any(osa(prefix, word[:n], 1) <= 1 for n in (len(prefix) - 1,
                                                                                                len(prefix), len(prefix) + 1)):
                        near[word] = None
            if near:
                break
        return tuple(near)[: self.lexicon.max_results]

    def _read(self, text: str, last_is_prefix: bool = True) -> Reading:
        return read_query(text, self.lexicon, self.is_english, last_is_prefix=last_is_prefix,
                          complete_english=self.complete_english, stems=self.stems)
