"""The schema, the fields' weights and the documents made from a Catalog."""
from __future__ import annotations

from typing import Iterator

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F


import re

from quantities import bounds, quantities

from .analysis import BI, EN, KO, WORD_RE, english_pieces, split_compound
from .distance import osa

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
        gist=TEXT(analyzer=EN, phrase=False),  # our one-line summary: what the code is about, in few words
        called=TEXT(analyzer=EN, phrase=False),  # an API Gateway code has no name: its summary, in developers' words, stands for one
        ko=TEXT(analyzer=KO, phrase=False),  # ours in Korean
        bi=TEXT(analyzer=BI, phrase=False),  # Hangul bigrams of all Korean text
        topic=TEXT(analyzer=EN, phrase=False),  # the category's title, the same for all its codes
        status=KEYWORD(),  # published HTTP status (API Gateway codes)
        amount=KEYWORD(scorable=True),  # limits the text states: "20char", "1000count", "25fps", and bare numbers
        bound=KEYWORD(scorable=True),  # the side of a stated limit a value is refused on: "over:count:4", "under:char:3"
        refused=TEXT(analyzer=EN, phrase=False),  # the states an official message refuses an action in
        needed=TEXT(analyzer=EN, phrase=False),  # the states an official message allows an action only in
        summary_en=STORED(), summary_ko=STORED(),
    )


# What a query word is worth in each field (times Whoosh's BM25F score). A concept takes its best
# field plus TIEBREAK of the others; the concepts of a query add up.
# topic: a word naming the category ("gateway", "api") is evidence for all its codes alike, however
# often each one's own text happens to repeat it
BOOST = {"name_words": 3.0, "message": 2.5, "desc_ko": 2.5, "gist": 1.25, "called": 2.5, "en": 1.0, "ko": 1.0, "bi": 0.6, "topic": 1.0}
# Whoosh's BM25F, without length normalisation where a field's length says nothing about how much of it
# a word is: the summary that stands in for a missing name, and the stated limits (a code that states
# four limits is no less about each of them than a code that states one)
WEIGHTING = BM25F(called_B=0.0, bound_B=0.0, refused_B=0.0, needed_B=0.0)
EN_FIELDS = ("name_words", "message", "gist", "called", "en", "topic")
KO_FIELDS = ("desc_ko", "ko")
BI_FIELDS = ("bi",)
GLOSSARY_WEIGHT = 0.6  # a translated word counts for less than the word the user typed
THESAURUS_WEIGHT = 0.4  # an everyday synonym ("edit" for update) counts for less than a translation
GENERIC_WEIGHT = 0.2  # "error", "오류": never enough to decide the order, enough to break a tie
WEAK_WEIGHT = 0.5  # "failed": said of almost any error, the name of a few
EXACT_MESSAGE_BOOST = 35.0  # a whole official message written out ("Quota Exceeded"): more than a one-word name
CORRECTION_WEIGHT = 0.8
PART_WEIGHT = 0.5  # the parts of "useDvr" or "재전송" count for less than the whole word
COMPOUND_BIGRAM_WEIGHT = 1.5  # "널명" in "채널명": the compound as written
LOOSE_BIGRAM_WEIGHT = 0.4  # "널을" in "채널을": the noun with its particle
# Words people put around the error that say nothing about it ("the customer says ...").
QUERY_NOISE = frozenset({"customer", "customers", "client", "user", "users", "says", "said", "say", "tells",
                         "getting", "get", "got", "keep", "keeps", "see", "seeing", "shows", "showing", "help"})
EXACT_CODE_BOOST, EXACT_NAME_BOOST, NEAR_NAME_BOOST, STATUS_BOOST = 40.0, 30.0, 15.0, 4.0
QUANTITY_BOOST = 4.0  # "20자" in a query and "20 characters" in a code's text: the limit it states
NUMBER_BOOST = 1.0  # a bare number found in a code's text ("interval 1000")
UNIT_BOOST = 3.0  # "21자" where the text states some limit in characters
VOCAB_FIELDS = (*EN_FIELDS, *KO_FIELDS, *BI_FIELDS, "code", "name_exact", "status", "amount", "bound", "refused", "needed")
_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\d.]*\w)")


def amounts(text: str) -> list[str]:
    """The quantity terms ("20char"), their units ("char": the text states a limit in characters)
    and the bare numbers ("1000") of a text, for the amount field."""
    found = quantities(text)
    return [*(q.term for q in found), *dict.fromkeys(q.unit for q in found), *_NUMBER_RE.findall(text)]


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def documents(catalog) -> Iterator[dict]:
    """One index document per code of a catalog (anything with .codes and .categories)."""
    categories = {c.slug: c for c in getattr(catalog, "categories", ())}
    known = set()
    for e in catalog.codes:
        for text in (e.name.replace("_", " "), e.message, e.summary.en, e.explanation.en):
            known.update(w.lower() for w in WORD_RE.findall(text) if w.isalpha())
    codes = {e.code for e in catalog.codes}
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
            "name_words": " ".join([*names, *name_parts]) or title_message(e.message),
            "message": _join(e.message, e.description_ko), "message_text": e.message,
            "desc_ko": e.description_ko,
            "en": _join(e.summary.en, e.explanation.en, e.fix.en, placeholders_en, notes_en,
                        cat.title.en if cat else "", e.description_ko, ko_ours, " ".join(message_parts)),
            "gist": e.summary.en,
            "called": e.summary.en if not names and e.source == "api-gateway" else "",
            "ko": ko_ours,
            "bi": _join(e.description_ko, ko_ours),
            "topic": _join(cat.title.en, e.category.replace("-", " ")) if cat else "",
            "status": str(e.http_status) if e.http_status else "",
            "amount": " ".join(dict.fromkeys(a for a in amounts(_join(
                e.message, e.description_ko, e.summary.en, e.summary.ko, e.explanation.en, e.explanation.ko,
                e.fix.en, e.fix.ko, placeholders_en, placeholders_ko)) if a not in codes)),  # "see 250104" states no limit
            "bound": " ".join(b.term for b in bounds(_join(e.message, e.description_ko))),  # NCP's own limits
            "refused": " ".join(refused_states(e.message)),
            "needed": " ".join(needed_states(e.message)),
            "spell": _join(" ".join(names).replace("_", " "), e.message, e.summary.en, e.explanation.en,
                           e.fix.en, placeholders_en),
            "summary_en": e.summary.en, "summary_ko": e.summary.ko,
        }


# The status values of the API's resources (the Live Station API reference): a code that allows an
# action only in some of them refuses it in the others
STATE_FAMILIES = {
    "channel": ("CREATING", "READY", "PUBLISHING", "RESERVED"),
    "cdn": ("CREATING", "RUNNING", "CHANGING", "STOPPING", "STOPPED"),
    "record": ("RECORDING", "PROCESSING", "TRANSFER_READY", "TRANSFER", "TRANSFER_FINISH", "TRANSFER_FAIL"),
}
_STATES = frozenset(s for family in STATE_FAMILIES.values() for s in family)
_ONLY_IN = re.compile(r"(?i)\b(?:only|should be|when (?:the )?\w+ status(?: is)?|status is no)\b([^.]*)")
_REFUSED_IN = re.compile(r"(?i)\b(?:during|if \w+ status is)\b([^.,]*)")
_STATE_WORD = re.compile(r"[A-Za-z_]{4,}")


def _states_in(text: str) -> set[str]:
    """The status values a piece of an official message names, as written or one slip away (PUBLIHSING);
    the word before "status" names whose status it is ("only recording status is TRUE")."""
    words = [w.upper() for w in _STATE_WORD.findall(re.sub(r"(?i)\w+ status\b", " ", text))]
    return {s for w in words for s in _STATES if w == s or (len(w) >= 7 and osa(w, s, 1) <= 1)}


def _allowed_in(message: str):
    """(family, the states of it an official message allows an action only in) for each such clause
    ("can be deleted only in 'READY' state": channel, {READY})."""
    for m in _ONLY_IN.finditer(message):
        allowed = _states_in(m.group(1))
        words = message[: m.start()].lower().split()[-3:]
        named = "cdn" if "cdn" in words else "record" if "record" in words else "channel"
        family = next((f for f in (named, *STATE_FAMILIES) if allowed and allowed <= set(STATE_FAMILIES[f])), None)
        if family is not None:
            yield family, allowed


def _state_words(states) -> list[str]:
    return list(dict.fromkeys(s.lower().replace("_", " ") for s in states))


def needed_states(message: str) -> list[str]:
    """The states an official message allows an action only in, as lower-case words ("Snapshot can
    create only in RECORDING": recording): what a query saying the resource was not in them finds."""
    return _state_words(s for family, allowed in _allowed_in(message) for s in STATE_FAMILIES[family] if s in allowed)


def refused_states(message: str) -> list[str]:
    """The states an official message refuses an action in, as lower-case words: the ones it names
    ("cannot be deleted during CREATING") and the others of a family it allows the action only in
    ("can be deleted only in 'READY' state": creating, publishing, reserved)."""
    out: list[str] = []
    for m in _REFUSED_IN.finditer(message):
        out += sorted(_states_in(m.group(1)))
    for family, allowed in _allowed_in(message):
        out += [s for s in STATE_FAMILIES[family] if s not in allowed]
    return _state_words(out)


def title_message(message: str) -> str:
    """A short message that serves a code without a name as its name ("Quota Exceeded", the API
    Gateway's codes), else nothing: a sentence is no name."""
    words = WORD_RE.findall(message)
    return message if "{" not in message and 0 < len(words) <= 4 else ""


def message_words(message: str) -> tuple[str, ...]:
    """An official message as lower-case words when it can identify its code in a query: no
    placeholder ("{0} not found." fits too many queries) and at least two words."""
    if "{" in message:
        return ()
    words = tuple(w.lower() for w in WORD_RE.findall(message))
    return words if len(words) >= 2 else ()


_PLACEHOLDER = re.compile(r"\{\d+\}")


def message_parts(message: str) -> tuple[tuple[str, ...], ...]:
    """The fixed parts of an official message (between its placeholders) as lower-case words, for
    telling which message a fragment copied from a log belongs to."""
    parts = (tuple(w.lower() for w in WORD_RE.findall(piece)) for piece in _PLACEHOLDER.split(message))
    return tuple(p for p in parts if p)
