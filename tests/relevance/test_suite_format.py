"""The relevance suite's files are well formed: real codes, the k rule, kinds, and checkable intents."""
import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PARTS = {"heldout": 150, "tuning": 270}
KINDS = ("name log ko-support en-symptom ko-cross typo loanword gateway keyboard chosung "
         "prefix jamo code limit paste generic").split()
LANGS = {"ko", "en", "mixed"}
FIELDS = {"q", "codes", "k", "kind", "lang"}
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
# q = "..."  # what the person meant (keyboard, chosung, prefix and jamo queries)
INTENT = re.compile(r'^q = "(.*)"\s+#\s*(.+)$')

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
# Standard 2-beolsik layout; compound vowels and final clusters are typed as their parts.
KEYS = dict(zip("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", "qwertyuiopasdfghjklzxcvbnm"))
KEYS.update(zip("ㅃㅉㄸㄲㅆㅒㅖ", "QWERTOP"))
PARTS_OF = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
            "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
            "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}


def strokes(text):
    """The jamo of text in typing order (compound vowels and clusters split); other characters kept."""
    out = []
    for ch in text:
        offset = ord(ch) - 0xAC00
        jamo = [CHO[offset // 588], JUNG[offset % 588 // 28], JONG[offset % 28]] if 0 <= offset < 11172 else [ch]
        out.extend(PARTS_OF.get(j, j) for j in jamo)
    return "".join(out)


def keyboard(text):
    """What text becomes when typed with the keyboard left in English mode."""
    return "".join(KEYS.get(j, j) for j in strokes(text))


def initials(word):
    return "".join(CHO[(ord(c) - 0xAC00) // 588] if 0 <= ord(c) - 0xAC00 < 11172 else c for c in word)


def one_jamo_slip(typed, meant):
    """One jamo substituted, dropped, added, or two jamo swapped."""
    a, b = strokes(typed), strokes(meant)
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def load(part):
    path = HERE / f"{part}.toml"
    text = path.read_text(encoding="utf-8")
    intents = {m.group(1): m.group(2).strip() for m in map(INTENT.match, text.splitlines()) if m}
    return tomllib.loads(text)["query"], intents


SUITE = {part: load(part) for part in PARTS}


def test_the_layout_converter_types_known_words():
    assert [keyboard(w) for w in ("녹화", "송출", "채널", "삭제", "업로드")] == [
        "shrghk", "thdcnf", "cosjf", "tkrwp", "djqfhem"]
    assert initials("버킷") == "ㅂㅋ" and strokes("화") == "ㅎㅗㅏ"


@pytest.mark.parametrize("part", PARTS)
def test_every_query_is_well_formed(part, catalog):
    known = {c.code for c in catalog.codes}
    problems = []
    for entry in SUITE[part][0]:
        q = entry.get("q", "")
        if set(entry) != FIELDS:
            problems.append((q, "fields", sorted(entry)))
            continue
        codes = entry["codes"]
        if not codes or len(set(codes)) != len(codes) or set(codes) - known:
            problems.append((q, "codes", codes))
        if entry["k"] != (1 if len(codes) == 1 else 3):
            problems.append((q, "k", entry["k"]))
        if entry["kind"] not in KINDS or entry["lang"] not in LANGS:
            problems.append((q, "kind/lang", entry["kind"], entry["lang"]))
        if unicodedata.normalize("NFC", q) != q or not q.strip():
            problems.append((q, "not NFC or blank"))
        has_hangul = bool(HANGUL.search(q))
        if has_hangul and entry["lang"] == "en" or not has_hangul and entry["lang"] == "mixed":
            problems.append((q, "lang", entry["lang"]))
        if not has_hangul and entry["lang"] == "ko" and entry["kind"] != "keyboard":
            problems.append((q, "ko without Hangul"))
    assert not problems


@pytest.mark.parametrize("part", PARTS)
def test_each_part_covers_every_kind_and_is_half_korean(part):
    queries = SUITE[part][0]
    kinds = Counter(e["kind"] for e in queries)
    assert len(queries) >= PARTS[part]
    assert not [k for k in KINDS if not kinds[k]]
    assert sum(e["lang"] != "en" for e in queries) * 2 >= len(queries)


def test_whole_suite_sizes_and_no_query_in_both_parts():
    queries = [e for part in PARTS for e in SUITE[part][0]]
    kinds = Counter(e["kind"] for e in queries)
    assert len(queries) >= 420
    assert min(kinds[k] for k in KINDS) >= 15
    seen = Counter(" ".join(e["q"].lower().split()) for e in queries)
    assert [q for q, n in seen.items() if n > 1] == []


@pytest.mark.parametrize("part", PARTS)
def test_typed_forms_agree_with_what_was_meant(part):
    queries, intents = SUITE[part]
    problems = []
    for entry in queries:
        kind, q = entry["kind"], entry["q"]
        if kind not in ("keyboard", "chosung", "prefix", "jamo"):
            continue
        meant = intents.get(q)
        typed_words, meant_words = q.split(), (meant or "").split()
        if len(typed_words) != len(meant_words):
            problems.append((q, meant))
            continue
        changed = [(t, m) for t, m in zip(typed_words, meant_words) if t != m]
        if kind == "keyboard":
            ok = changed and all(t == keyboard(m) and not HANGUL.search(t) for t, m in changed)
        elif kind == "chosung":
            ok = changed and all(t == initials(m) for t, m in changed)
        elif kind == "prefix":
            last_t, last_m = strokes(typed_words[-1]), strokes(meant_words[-1])
            ok = changed == [(typed_words[-1], meant_words[-1])] and last_m.startswith(last_t) and last_t != last_m
        else:
            ok = len(changed) == 1 and one_jamo_slip(*changed[0])
        if not ok:
            problems.append((q, meant))
    assert not problems
