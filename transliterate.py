"""English words to Hangul by the Korean loanword orthography, and fuzzy Hangul back to English.

Pure module (no I/O at import): `from_arpabet` applies the rules of 외래어 표기법 (영어 표기 세칙)
to ARPAbet phonemes; `hangul_spellings` answers from the reviewed `data/search/loanwords.toml`, or
from a compact letter-to-sound fallback; `BackTransliterator` finds the English words of a
vocabulary whose Hangul spellings are closest to a typed Hangul word, at the jamo level.
"""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import combinations, product
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

LOANWORDS_FILE = Path(__file__).resolve().parent / "data" / "search" / "loanwords.toml"

# ------------------------------------------------------------------------------- Hangul syllables

ONSETS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
CODAS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
         "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
_SYL_FIRST, _SYL_LAST = 0xAC00, 0xD7A3


def compose(onset: str, vowel: str, coda: str = "") -> str:
    """One Hangul syllable from compatibility jamo."""
    return chr(_SYL_FIRST + (ONSETS.index(onset) * 21 + VOWELS.index(vowel)) * 28 + CODAS.index(coda))


def jamo(text: str) -> str:
    """Text as a string of compatibility jamo; the silent initial ㅇ is left out."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        n = ord(ch) - _SYL_FIRST
        if 0 <= n <= _SYL_LAST - _SYL_FIRST:
            onset, vowel, coda = ONSETS[n // 588], VOWELS[n % 588 // 28], CODAS[n % 28]
            out.append(("" if onset == "ㅇ" else onset) + vowel + coda)
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


# ------------------------------------------------------------------------------- ARPAbet rules

VOWEL_PHONES = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
SHORT = {"AE", "EH", "IH", "AH", "UH", "AA"}  # short vowels: a following final p/t/k is a batchim
MONO = {"AE": "ㅐ", "AH": "ㅓ", "AO": "ㅗ", "EH": "ㅔ", "ER": "ㅓ", "IH": "ㅣ", "IY": "ㅣ", "OW": "ㅗ",
        "UH": "ㅜ", "UW": "ㅜ"}
DIPH = {"AW": "ㅏㅜ", "AY": "ㅏㅣ", "EY": "ㅔㅣ", "OY": "ㅗㅣ"}
ONSET = {"P": "ㅍ", "B": "ㅂ", "T": "ㅌ", "D": "ㄷ", "K": "ㅋ", "G": "ㄱ", "F": "ㅍ", "V": "ㅂ", "TH": "ㅅ",
         "DH": "ㄷ", "S": "ㅅ", "Z": "ㅈ", "SH": "ㅅ", "ZH": "ㅈ", "CH": "ㅊ", "JH": "ㅈ", "TS": "ㅊ",
         "M": "ㅁ", "N": "ㄴ", "NG": "ㅇ", "L": "ㄹ", "R": "ㄹ", "HH": "ㅎ"}
STOP_CODA = {"P": "ㅂ", "T": "ㅅ", "K": "ㄱ"}
NASAL_CODA = {"M": "ㅁ", "N": "ㄴ", "NG": "ㅇ", "L": "ㄹ"}
# the vowel written after a consonant that has none: 으 mostly, 이 after the palatals (시, 지, 치)
EPENTHETIC = {"SH": "ㅣ", "ZH": "ㅣ", "CH": "ㅣ", "JH": "ㅣ"}
IOTIZED = {"ㅏ": "ㅑ", "ㅐ": "ㅒ", "ㅓ": "ㅕ", "ㅔ": "ㅖ", "ㅗ": "ㅛ", "ㅜ": "ㅠ", "ㅣ": "ㅣ"}
W_VOWEL = {"ㅓ": "ㅝ", "ㅗ": "ㅝ", "ㅏ": "ㅘ", "ㅐ": "ㅙ", "ㅔ": "ㅞ", "ㅣ": "ㅟ", "ㅜ": "ㅜ"}
SPELLED = {"a": "ㅏ", "e": "ㅔ", "i": "ㅣ", "o": "ㅗ", "u": "ㅜ", "y": "ㅣ"}

# Optional departures from the standard spelling that people commonly type.
VARIANTS = (
    "spelled",   # a reduced vowel written as its letter: 디렉토리, 세그멘트 (standard 디렉터리, 세그먼트)
    "aa",        # /ɑ/ written the other way: 오 for an "a" spelling, 아 for an "o" one (샷/숏)
    "stop",      # a final p/t/k after a short vowel with 으 (리미트) instead of a batchim (리밋)
    "voiced",    # a final b/g after a short vowel as a batchim (빅, 웹)
    "th",        # /θ/ as ㅆ (썸네일) rather than ㅅ (섬네일)
)


@dataclass(frozen=True)
class _Vowel:
    jamo: str
    phone: str  # ARPAbet vowel it came from ("" for a vowel the rules added)
    short: bool


def _vowel_letters(word: str, count: int) -> list[str] | None:
    """The word's vowel letter groups, one per vowel phoneme, when they line up; else None."""
    w = word.lower()
    groups = [m.group() for m in re.finditer(r"[aeiou]+y?|y(?![aeiou])", w)]
    if len(groups) == count + 1 and re.search(r"[^aeiou]e$", w):
        groups = groups[:-1]  # silent final e
    if len(groups) == count + 1 and re.search(r"[^aeiou]e[sd]$", w):
        groups = groups[:-1]
    return groups if len(groups) == count else None


def _units(phones: list[str], word: str, variants: frozenset[str]) -> list:
    """ARPAbet phones as consonants (str) and vowels (_Vowel), post-vocalic r and diphthongs resolved."""
    if re.search(r"[^aeiou]le$", word.lower()) and len(phones) > 2 and phones[-1] == "L" \
            and phones[-2] == "AH0" and re.sub(r"\d", "", phones[-3]) not in VOWEL_PHONES:
        phones = phones[:-2] + ["L"]  # a syllabic -le: the schwa is not written
        word = word[:-1]
    if re.search(r"[^aeiou]m$", word.lower()) and len(phones) > 2 and phones[-2:] == ["AH0", "M"]:
        phones = phones[:-2] + ["M"]  # a syllabic m: prism 프리즘
    base = [re.sub(r"\d", "", p) for p in phones]
    stress = [p[-1] if p[-1:].isdigit() else "1" for p in phones]
    nvowels = sum(b in VOWEL_PHONES for b in base)
    letters = _vowel_letters(word, nvowels) if word else None
    is_vowel = [b in VOWEL_PHONES for b in base]
    units, vi = [], -1
    for i, (b, s) in enumerate(zip(base, stress)):
        nxt_vowel = i + 1 < len(base) and is_vowel[i + 1]
        if b in VOWEL_PHONES:
            vi += 1
            letter = letters[vi] if letters else ""
            before_r = i + 1 < len(base) and base[i + 1] == "R" and not (i + 2 < len(base) and is_vowel[i + 2])
            short = b in SHORT and not before_r
            if b in DIPH:
                first, second = DIPH[b]
                units += [_Vowel(first, b, False), _Vowel(second, "", False)]
                continue
            v = MONO.get(b, "ㅏ")
            if b == "AA":
                o_like = "o" in letter or letter.startswith("au") or letter.startswith("aw")
                prev_w = i > 0 and base[i - 1] == "W"
                v = "ㅗ" if (o_like or prev_w) else "ㅏ"
                if "aa" in variants:
                    v = "ㅏ" if v == "ㅗ" else "ㅗ"
            elif b == "AH" and s == "0" and i == len(base) - 2 and base[-1] == "N" and i > 0 \
                    and base[i - 1] in ("T", "D", "K") and word.lower().endswith(("en", "on")):
                v = "ㅡ"  # a syllabic n after a stop: token 토큰, button 버튼
            elif "spelled" in variants and s == "0" and b in ("AH", "IH", "ER", "EH", "UH") and len(letter) == 1:
                v = SPELLED[letter]
            units.append(_Vowel(v, b, short))
            if b == "ER" and nxt_vowel:
                units.append("R")  # the r of an r-coloured vowel is written only before a vowel
        elif b == "R":
            if i > 0 and is_vowel[i - 1] and not nxt_vowel:
                prev = base[i - 1]
                if prev in ("IH", "IY", "EH", "UH", "UW", "AY", "EY", "AW"):
                    units.append(_Vowel("ㅓ", "", False))  # ear 이어, air 에어, tour 투어, tower 타워
                continue  # r after a vowel and before a consonant or the end is not written
            units.append("R")
        elif b == "HH" and not nxt_vowel:
            continue
        else:
            units.append(b)
    # t+s and d+z not before a vowel are the affricates ts/dz (츠, 즈)
    out = []
    for u in units:
        if out and isinstance(u, str) and u in ("S", "Z") and out[-1] == ("T" if u == "S" else "D"):
            out[-1] = "TS" if u == "S" else "DZ"
        else:
            out.append(u)
    return out


def from_arpabet(phones: Iterable[str], word: str = "", variants: Iterable[str] = ()) -> str:
    """Hangul for one ARPAbet pronunciation by the loanword orthography (variants: see VARIANTS)."""
    variants = frozenset(variants)
    units = _units(list(phones), word, variants)
    syl: list[list[str]] = []  # [onset, vowel, coda]
    onset, iotize, wglide = None, False, False

    def vowel_at(j):
        return j < len(units) and isinstance(units[j], _Vowel)

    def prev_vowel(j):
        return j > 0 and isinstance(units[j - 1], _Vowel)

    def add(o, v, c=""):
        syl.append([o, v, c])

    i = 0
    while i < len(units):
        u = units[i]
        if isinstance(u, _Vowel):
            v = u.jamo
            if wglide:
                v = W_VOWEL.get(v, v)
            if iotize:
                v = IOTIZED.get(v, v)
            # 아우 + 어 → 아워 (tower, power)
            if not onset and not wglide and v == "ㅓ" and syl and syl[-1][:2] == ["ㅇ", "ㅜ"] and not syl[-1][2] \
                    and u.phone in ("", "ER", "AH"):
                syl[-1][1] = "ㅝ"
            else:
                add(onset or "ㅇ", v)
            onset, iotize, wglide = None, False, False
            i += 1
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        before_vowel = vowel_at(i + 1) or (nxt in ("W", "Y") and vowel_at(i + 2))
        if u == "W":
            if vowel_at(i + 1):
                wglide = True
            else:
                add(onset or "ㅇ", "ㅜ")
                onset = None
            i += 1
            continue
        if u == "Y":
            if vowel_at(i + 1):
                prevc = units[i - 1] if i > 0 else None
                nv = units[i + 1]
                if prevc in ("D", "L", "N") and onset and nv.phone == "AH":
                    add(onset, "ㅣ")  # Indian 인디언, union 유니언
                    onset = None
                else:
                    iotize = True
            else:
                add(onset or "ㅇ", "ㅣ")
                onset = None
            i += 1
            continue
        if before_vowel and nxt == "W" and u not in ("G", "K", "HH"):
            before_vowel = False  # swing 스윙, twist 트위스트: the consonant keeps its own syllable
        if before_vowel:
            if u == "L" and i > 0 and units[i - 1] not in ("M", "N") and syl and not syl[-1][2]:
                syl[-1][2] = "ㄹ"  # slide 슬라이드, play 플레이, resolution 레졸루션
            if u == "SH" and nxt != "W":
                iotize = True
            if u == "NG" and syl and not syl[-1][2]:
                syl[-1][2] = "ㅇ"  # hanging 행잉, longing 롱잉
                i += 1
                continue
            onset = "ㅆ" if u == "TH" and "th" in variants else "ㅈ" if u == "DZ" else ONSET.get(u, "ㅇ")
            i += 1
            continue
        # a consonant before another consonant or at the end
        after_short = prev_vowel(i) and units[i - 1].short and syl and not syl[-1][2]
        if u in STOP_CODA and after_short and (nxt is None and "stop" not in variants
                                                or nxt is not None and nxt not in ("L", "R", "M", "N", "W", "Y")):
            syl[-1][2] = STOP_CODA[u]  # book 북, setback 셋백, act 액트
        elif u == "T" and nxt is None and "stop" in variants and i > 1 and units[i - 1] == _Vowel("ㅜ", "", False) \
                and units[i - 2] == _Vowel("ㅏ", "AW", False) and not syl[-1][2]:
            syl[-1][2] = "ㅅ"  # the usual out 아웃, about 어바웃 (standard 아우트 by the rule)
        elif u in ("B", "G") and after_short and nxt is None and "voiced" in variants:
            syl[-1][2] = "ㅂ" if u == "B" else "ㄱ"
        elif u in ("L", "M") and syl and syl[-1][1] == "ㅡ" and not syl[-1][2] and not prev_vowel(i):
            syl[-1][2] = NASAL_CODA[u]  # a syllabic l or m: apple 애플, title 타이틀, prism 프리즘
        elif u in NASAL_CODA and prev_vowel(i) and syl and not syl[-1][2]:
            syl[-1][2] = NASAL_CODA[u]
            if u == "L" and nxt in ("M", "N") and not vowel_at(i + 2):
                add("ㄹ", "ㅡ", NASAL_CODA[nxt])  # film 필름, helm 헬름
                i += 1
        elif u == "SH":
            add("ㅅ", "ㅣ" if nxt is None else "ㅠ")  # flash 플래시, shrub 슈러브
        elif u == "DZ":
            add("ㅈ", "ㅡ")
        else:
            add(ONSET.get(u, "ㅇ"), EPENTHETIC.get(u, "ㅡ"))
        i += 1
    if onset:
        add(onset, "ㅡ")
    return "".join(compose(*s) for s in syl)


def spellings_from_arpabet(pronunciations: Iterable[Iterable[str]], word: str = "") -> list[str]:
    """The standard spelling of each pronunciation, then the common variants (no duplicates)."""
    prons = [list(p) for p in pronunciations]
    out: list[str] = []
    for phones in prons:
        out.append(from_arpabet(phones, word))
    for size in (1, 2):  # one departure at a time, then two together (리미트: spelled vowel, 으)
        for phones in prons:
            for vs in combinations(VARIANTS, size):
                out.append(from_arpabet(phones, word, vs))
    return list(dict.fromkeys(s for s in out if s))


# ------------------------------------------------------------------------------- letters

LETTER_NAMES = {
    "a": ("에이",), "b": ("비",), "c": ("씨", "시"), "d": ("디",), "e": ("이",), "f": ("에프",),
    "g": ("지", "쥐"), "h": ("에이치",), "i": ("아이",), "j": ("제이",), "k": ("케이",), "l": ("엘",),
    "m": ("엠",), "n": ("엔",), "o": ("오",), "p": ("피",), "q": ("큐",), "r": ("알", "아르"),
    "s": ("에스",), "t": ("티",), "u": ("유",), "v": ("브이",), "w": ("더블유",), "x": ("엑스",),
    "y": ("와이",), "z": ("지", "제트"),
    "0": ("영",), "1": ("일",), "2": ("이",), "3": ("삼",), "4": ("사",), "5": ("오",), "6": ("육",),
    "7": ("칠",), "8": ("팔",), "9": ("구",),
}


def spell_letters(word: str, limit: int = 4) -> list[str]:
    """An abbreviation read letter by letter (cdn 씨디엔, 시디엔); the common reading first."""
    choices = [LETTER_NAMES.get(c, ("",)) for c in word.lower()]
    out = ["".join(p) for p in product(*choices)]
    return list(dict.fromkeys(out))[:limit]


def looks_like_letters(word: str) -> bool:
    """A word read as letters: no vowel letter (cdn, rtmp), or one only at the end (vbr is caught)."""
    w = word.lower()
    return w.isalpha() and len(w) <= 5 and not re.search(r"[aeiouy]", w)


# ------------------------------------------------------------------------------- letter-to-sound

# Ordered rules (spelling pattern → ARPAbet) for words no reviewed entry covers; compact on purpose:
# it only has to come close enough for the fuzzy back-transliteration.
_LTS = [
    (r"tion|ssion", "SH AH0 N"), (r"(?<=[aeiou])sion", "ZH AH0 N"), (r"sion", "SH AH0 N"), (r"ture", "CH ER0"), (r"cial|tial", "SH AH0 L"),
    (r"igh", "AY"), (r"ough", "AO"), (r"eau", "OW"),
    (r"tch", "CH"), (r"sch", "S K"), (r"ch", "CH"), (r"sh", "SH"), (r"ph", "F"), (r"th", "TH"),
    (r"wh", "W"), (r"ck", "K"), (r"ng(?=[aeiou])", "NG G"), (r"ng", "NG"), (r"nk", "NG K"), (r"qu", "K W"),
    (r"x", "K S"), (r"c(?=[eiy])", "S"), (r"c", "K"), (r"g(?=[eiy][a-z])", "JH"), (r"dge", "JH"),
    (r"ge$", "JH"), (r"kn", "N"), (r"wr", "R"), (r"mb(?![aeiou])", "M"),
    (r"ee|ea|ie", "IY"), (r"oo(?=k)", "UH"), (r"oo", "UW"), (r"ou|ow(?=[^aeiou]|$)", "AW"), (r"oi|oy", "OY"),
    (r"ai|ay", "EY"), (r"au|aw", "AO"), (r"oa", "OW"), (r"ue|ew", "UW"), (r"ei|ey", "EY"),
    (r"(?<=[^aeiou])or$", "ER"), (r"ar(?![aeiou])", "AA R"), (r"or(?![aeiou])", "AO R"), (r"(?:er|ir|ur)(?![aeiou])", "ER"),
    (r"a(?=[^aeiou]e$)|a(?=[^aeiou][aeiou])", "EY"), (r"i(?=[^aeiou]e$)", "AY"), (r"o(?=[^aeiou]e$)", "OW"),
    (r"u(?=[^aeiou]e$)", "UW"), (r"(?<=[^aeiou])le$", "AH0 L"), (r"e$", ""),
    (r"y$", "IY"), (r"^y(?=[aeiou])", "Y"), (r"y", "IH"),
    (r"a", "AE"), (r"e", "EH"), (r"i", "IH"), (r"o", "AA"), (r"u", "AH"),
    (r"b", "B"), (r"d", "D"), (r"f", "F"), (r"g", "G"), (r"h", "HH"), (r"j", "JH"), (r"k", "K"), (r"l", "L"),
    (r"m", "M"), (r"n", "N"), (r"p", "P"), (r"q", "K"), (r"r", "R"), (r"s", "S"), (r"t", "T"), (r"v", "V"),
    (r"w", "W"), (r"z", "Z"),
]
_LTS_RE = [(re.compile(p), ph.split()) for p, ph in _LTS]


def letter_to_sound(word: str) -> list[str]:
    """A rough ARPAbet pronunciation from the spelling alone."""
    w, i, out = word.lower(), 0, []
    while i < len(w):
        for pattern, phones in _LTS_RE:
            m = pattern.match(w, i)
            if m and m.end() > i:
                out += phones
                i = m.end()
                if m.end() - m.start() == 1 and i < len(w) and w[i] == w[i - 1] and w[i] not in "aeiou":
                    i += 1  # a doubled consonant sounds once
                break
        else:
            i += 1
    return out


# ------------------------------------------------------------------------------- reviewed data


@dataclass(frozen=True)
class Loanword:
    en: str
    hangul: tuple[str, ...]
    ko: tuple[str, ...]
    skip: str = ""
    origin: str = ""


@functools.lru_cache(maxsize=4)
def load_loanwords(path: str | Path = LOANWORDS_FILE) -> Mapping[str, Loanword]:
    """The reviewed entries of a loanwords file, by English word (read on first use)."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    out = {}
    for e in raw.get("word", []):
        nfc = [unicodedata.normalize("NFC", s) for s in e.get("hangul", [])]
        ko = [unicodedata.normalize("NFC", s) for s in e.get("ko", [])]
        out[e["en"]] = Loanword(e["en"], tuple(nfc), tuple(ko), e.get("skip", ""), e.get("origin", ""))
    return MappingProxyType(out)


def _generated(word: str) -> list[str]:
    w = word.lower()
    if looks_like_letters(w):
        return spell_letters(w)
    return spellings_from_arpabet([letter_to_sound(w)], w)[:4]


def hangul_spellings(word: str, path: str | Path = LOANWORDS_FILE) -> list[str]:
    """Hangul spellings of an English word: the reviewed ones, else generated (most common first)."""
    return list(_spellings(word.lower(), str(path)))


@functools.lru_cache(maxsize=4096)
def _spellings(w: str, path: str) -> tuple[str, ...]:
    known = load_loanwords(path) if Path(path).exists() else {}
    entry = known.get(w)
    if entry is not None:
        return entry.hangul
    parts = _split_known(w, known)
    if parts:
        return ("".join(known[p].hangul[0] for p in parts),)
    return tuple(_generated(w))


def _split_known(word: str, known: dict[str, Loanword]) -> list[str] | None:
    """A run-together word as two or three reviewed words with Hangul (qualitysetid → quality, set, id)."""
    for i in range(3, len(word) - 1):
        a, b = word[:i], word[i:]
        if a in known and known[a].hangul:
            if b in known and known[b].hangul:
                return [a, b]
            for j in range(2, len(b) - 1):
                if b[:j] in known and b[j:] in known and known[b[:j]].hangul and known[b[j:]].hangul:
                    return [a, b[:j], b[j:]]
    return None


# ------------------------------------------------------------------------------- back-transliteration

_PAIRS = {
    0.2: ["ㅔㅐ", "ㅅㅆ", "ㅙㅞ", "ㅚㅞ", "ㅚㅙ"],
    0.3: ["ㅔㅖ", "ㅐㅒ", "ㅣㅢ", "ㅅㅌ"],
    0.4: ["ㅓㅗ", "ㄱㅋ", "ㄱㄲ", "ㅋㄲ", "ㄷㅌ", "ㄷㄸ", "ㅌㄸ", "ㅂㅍ", "ㅂㅃ", "ㅍㅃ", "ㅈㅊ", "ㅈㅉ", "ㅊㅉ",
          "ㅝㅓ", "ㅝㅗ", "ㅕㅓ", "ㅠㅜ", "ㅑㅏ", "ㅛㅗ", "ㅘㅏ", "ㅟㅣ", "ㅖㅔ"],
    0.5: ["ㅓㅏ", "ㅗㅜ", "ㅡㅜ", "ㅏㅐ", "ㅅㄷ", "ㅝㅘ", "ㅞㅔ", "ㅝㅞ", "ㄴㄹ"],
    0.6: ["ㅡㅓ", "ㅓㅔ", "ㅈㅅ", "ㅣㅔ", "ㅡㅣ", "ㅕㅔ", "ㅈㅉ"],
}
SUBST = {}
for _cost, _pairs in _PAIRS.items():
    for _a, _b in _pairs:
        SUBST[_a, _b] = SUBST[_b, _a] = _cost
INDEL = {"ㅡ": 0.3, "ㄹ": 0.5, "ㅇ": 0.7}  # an epenthetic 으, a doubled ㄹ, ㅇ batchim come and go


def jamo_distance(a: str, b: str) -> float:
    """Weighted edit distance between two jamo strings (similar sounds cost less)."""
    if a == b:
        return 0.0
    subst, indel = SUBST, INDEL
    costs_b = [indel.get(cb, 1.0) for cb in b]
    prev = [0.0]
    for c in costs_b:
        prev.append(prev[-1] + c)
    for ca in a:
        da = indel.get(ca, 1.0)
        cur = [prev[0] + da]
        left = cur[0]
        for j, cb in enumerate(b):
            diag = prev[j] + (0.0 if ca == cb else subst.get((ca, cb), 1.0))
            up = prev[j + 1] + da
            ins = left + costs_b[j]
            left = diag if diag < up else up
            if ins < left:
                left = ins
            cur.append(left)
        prev = cur
    return prev[-1]


def _grams(s: str) -> set[str]:
    s = "^" + s + "$"
    return {s[i:i + 2] for i in range(len(s) - 1)}


class BackTransliterator:
    """The English words of a vocabulary nearest to a Hangul word, by their Hangul spellings."""

    def __init__(self, vocabulary: Iterable[str], spellings=hangul_spellings, shortlist: int = 16,
                 cache_size: int = 2048):
        self.words: list[str] = []
        self.forms: list[tuple[int, str]] = []  # (word index, jamo of one spelling)
        self.grams: dict[str, list[int]] = {}
        for word in dict.fromkeys(w.lower() for w in vocabulary):
            wi = len(self.words)
            self.words.append(word)
            for form in dict.fromkeys(jamo(s) for s in spellings(word)):
                if not form:
                    continue
                fi = len(self.forms)
                self.forms.append((wi, form))
                for g in _grams(form):
                    self.grams.setdefault(g, []).append(fi)
        self.shortlist = shortlist
        self.lookup = functools.lru_cache(maxsize=cache_size)(self._lookup)

    def _lookup(self, hangul: str, limit: int, min_score: float) -> tuple[tuple[str, float], ...]:
        q = jamo(hangul)
        if not q:
            return ()
        shared = Counter(fi for g in _grams(q) for fi in self.grams.get(g, ()))
        best: dict[int, float] = {}
        n = len(q)
        # ties in shared grams go to the earlier form, so the shortlist never depends on set order
        for fi, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[: self.shortlist]:
            wi, form = self.forms[fi]
            longer = max(n, len(form))
            if abs(n - len(form)) > longer * (1.0 - min_score):
                continue  # too different in length to score min_score
            score = 1.0 - jamo_distance(q, form) / longer
            if score > best.get(wi, -1.0):
                best[wi] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.words[kv[0]]))
        return tuple((self.words[wi], round(s, 3)) for wi, s in ranked[:limit] if s >= min_score)

    def __call__(self, hangul: str, limit: int = 3, min_score: float = 0.7) -> list[tuple[str, float]]:
        """Up to limit (word, score) pairs, best first; score 1.0 is an exact spelling."""
        return list(self.lookup(unicodedata.normalize("NFC", hangul.strip()), limit, min_score))


@functools.lru_cache(maxsize=4)
def _index_for(vocabulary: frozenset[str]) -> BackTransliterator:
    return BackTransliterator(sorted(vocabulary))


def back_transliterate(hangul: str, vocabulary: Iterable[str], limit: int = 3) -> list[tuple[str, float]]:
    """The English words of vocabulary whose Hangul spellings are closest to hangul, with a score."""
    return _index_for(frozenset(w.lower() for w in vocabulary))(hangul, limit)
