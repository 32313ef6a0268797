"""What the parts of a query say, read from its text and an index's vocabulary: what a number is (an
error code, an HTTP status, a value, a value past another), codes and names written loosely or
misspelled, the state an action was refused in or needs, and words copied from a log. Pure
functions; whatever they build from a vocabulary is kept per index (held_for)."""
from __future__ import annotations

import re
from fractions import Fraction

import lexicon
from quantities import Bound

from .analysis import en_terms
from .distance import osa
from .documents import STATE_FAMILIES

MIN_MESSAGE_RUN = 4  # words in a row of an official message that make a fragment copied from a log
MAX_SHARED_MESSAGE = 4  # codes that publish the same message (250144-250147); more share boilerplate


def deletions(word: str) -> set[str]:
    """word less one letter, every way (the symmetric-delete spelling index's keys)."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def max_typos(word: str) -> int:
    """The edits a word of this length may carry and still be read as meant."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def held_for(registry: dict, owner, build):
    """What build(owner) made for an object that lives as long as its index or service, kept
    while it lives (a few at most: the registry is emptied past four)."""
    held = registry.get(id(owner))
    if held is None or held[0] is not owner:
        if len(registry) >= 4:
            registry.clear()
        held = registry[id(owner)] = (owner, build(owner))
    return held[1]


# the status values an action can be refused in, lower case (the thesaurus's catalog words for them)
REFUSABLE_STATES = frozenset(s.lower() for family in STATE_FAMILIES.values() for s in family if "_" not in s)
_STATE_CLAUSE_EN = re.compile(
    r"(?i)\b(?:while|whilst|during|already|still|currently)\s+(?:(?:the|my|our|its|it|it's|it is|is|was|are|were|be|been|being|"
    r"still|already|currently|channel|cdn|content|stream|recording|being)\s+)*(?!not\b)([a-z]+)")
# "the channel is publishing", "cdn's still creating": the state a resource is in, said outright
_STATE_SAID_EN = re.compile(
    r"(?i)\b(?:channel|cdn|stream|recording|content|curtain|it)(?:\s+is|\s+was|'s)\s+(?:(?:still|currently|already|being)\s+)*"
    r"(?!not\b)([a-z]+)")
_REQUIRED_STATE = re.compile(r"(?i)\b(?:must|has to|have to|needs? to|should|only when it is|only if it is) be\s+([a-z]+)")
_REQUIRED_STATE_KO = re.compile(r"([가-힣]+)\s?(?:중|상태)(?:이어야|여야|이여야)")
_STATE_CLAUSE_KO = re.compile(r"([가-힣]+)\s?중(?:인|에|이라|이어서|일|이던)(?!\s?아니)")
_UNMET_STATE_EN = re.compile(
    r"(?i)\b(?:not|isn't|isnt|wasn't|aren't|weren't|never|no longer)\s+(?:(?:yet|currently|actually|in|the|a|an|been|"
    r"being|even)\s+)*([a-z]+)")
_UNMET_STATE_KO = re.compile(r"([가-힣]+)\s?(?:중|상태)(?:이|가)?\s?(?:아니|아님|아녀)")


def message_runs(typed: list[str], vocab) -> dict[str, int]:
    """code -> the most words in a row, three or more, the query shares with a fixed part of the code's
    official message (found from three words in a row: a shorter run never decides, see singled_out)."""
    best: dict[str, int] = {}
    if len(typed) < MIN_MESSAGE_RUN:
        return best
    index = vocab.message_runs
    for i in range(len(typed) - 2):
        for code, part, place in index.get(tuple(typed[i:i + 3]), ()):
            n = 3
            while i + n < len(typed) and place + n < len(part) and typed[i + n] == part[place + n]:
                n += 1
            if n > best.get(code, 0):
                best[code] = n
    return best


def singled_out(runs: dict[str, int], words: int) -> list[str]:
    """The codes a fragment copied from a log belongs to: a run of their message's words that is most
    of the query and longer by two words than any other message's (boilerplate such as "that you
    specified is not allowed" is in twenty messages: it tells none apart)."""
    longest = max(runs.values(), default=0)
    if longest < MIN_MESSAGE_RUN or 2 * longest < words:
        return []
    if any(longest - 2 < run < longest for run in runs.values()):
        return []
    tied = sorted(code for code, run in runs.items() if run == longest)
    return tied if len(tied) <= MAX_SHARED_MESSAGE else []


def required_state_words(norm: str) -> list[str]:
    """The words a query names a state an action needs with: "idle" in "must be idle", "동작" in
    "CDN이 동작 중이어야 한다고"."""
    return ([m.group(1).lower() for m in _REQUIRED_STATE.finditer(norm)]
            + [m.group(1) for m in _REQUIRED_STATE_KO.finditer(norm)])


# "a live channel", "the recording channel": the state a resource is in, as its adjective
# (not "creating channel" or "changing channel settings": an action on it)
_STATE_BEFORE_KO = re.compile(r"(라이브|생방송|온에어)\s?(?:채널|스트림|방송)")
_STATE_BEFORE_EN = re.compile(r"(?i)\b(live|streaming|broadcasting|publishing|airing|on-?air|recording|running|idle)\s+"
                              r"(?:channel|cdn|stream)s?\b")


def state_clause_words(norm: str) -> list[str]:
    """The words a query names the current state with: "streaming" in "while it's streaming", "made" in
    "still being made", "송출" in "송출 중인 채널" (not in "녹화 중이 아니라고")."""
    said = [m.group(1) for m in _STATE_SAID_EN.finditer(norm)]
    said += [m.group(1) for m in _STATE_BEFORE_EN.finditer(norm)]
    said += [m.group(1) for m in _STATE_BEFORE_KO.finditer(norm)]
    clause = [m.group(1) for m in _STATE_CLAUSE_EN.finditer(norm)]
    return list(dict.fromkeys(clause + said)) + [m.group(1) for m in _STATE_CLAUSE_KO.finditer(norm)]


def unmet_state_words(norm: str) -> list[str]:
    """The words a query names a state with that the resource was not in: "live" in "the channel
    is not live", "녹화" in "녹화 중이 아니라고"."""
    return [m.group(1) for m in _UNMET_STATE_EN.finditer(norm)] + [m.group(1) for m in _UNMET_STATE_KO.finditer(norm)]


_PAST_MOST = re.compile(
    r"(?i)\b(?:too (?:many|much|high|big|large|long|wide|tall|far|late|fast)|exceed(?:s|ed|ing)?|over the (?:limit|max(?:imum)?)"
    r"|above the (?:limit|max(?:imum)?))\b|너무 (?:많|크|커|높|길|늦)|초과|넘(?:었|어|는|게|음|습)")
_SHORT_OF_LEAST = re.compile(
    r"(?i)\b(?:too (?:few|little|low|small|short|early|narrow|soon)|not enough|below the (?:minimum|min)|under the (?:minimum|min))\b"
    r"|너무 (?:적|작|낮|짧|이르)|부족|미만")


def limit_sides(norm: str) -> list[str]:
    """The sides of a limit a query says a value was on without giving it: "over" for "too many",
    "너무 커요"; "under" for "too low", "너무 짧아요"."""
    return [side for side, pattern in (("over", _PAST_MOST), ("under", _SHORT_OF_LEAST)) if pattern.search(norm)]


_CAUSE = re.compile(r"(?i)\b(?:because|due to|cuz|coz|'cause)\b([^.;!?()]*)")


def cause_spans(norm: str) -> list[tuple[int, int]]:
    """Where the cause a query gives stands: "it is used by a channel" in "cannot remove the profile
    because it is used by a channel"."""
    return [m.span(1) for m in _CAUSE.finditer(norm)]


_CONTEXT = re.compile(
    r"(?i)\b(?:when|while|whenever|after|before)\s+(?:(?:i|we|you|i'm|am|was|were|are|is)\s+)*"
    r"(?:(?:trying|tried|try) to\s+)?[a-z]+ing\b[^.;,!?()]*")


def context_spans(norm: str) -> list[tuple[int, int]]:
    """Where a query says what was being done when the error came ("when creating a clip" in
    "snapshot id not found when creating a clip"): the setting, not the error."""
    return [m.span() for m in _CONTEXT.finditer(norm)]


def written_as(norm: str, phrase: str) -> bool:
    """True when the words of a phrase stand in the query as written, in order."""
    typed, words = _LATIN_WORD.findall(norm.lower()), _LATIN_WORD.findall(phrase.lower())
    return any(typed[i:i + len(words)] == words for i in range(len(typed) - len(words) + 1))


_LATIN_WORD = re.compile(r"[a-z0-9']+")


_STATUS_BEFORE = re.compile(r"(?i)(?:https?|status|상태 ?코드|응답 ?코드)\W{0,3}$")
_CODE_BEFORE = re.compile(r"(?i)(?:error ?code|errorcode|code|에러 ?코드|오류 ?코드|코드)\W{0,3}$")


_TOKEN_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def _number_at(norm: str, number: str) -> tuple[int, int] | None:
    """(start, end) of the first place a number stands in the query as a whole token (not inside a
    longer one): looked for as a string, no pattern built per number."""
    start = norm.find(number)
    while start != -1:
        end = start + len(number)
        if (start == 0 or norm[start - 1] not in _TOKEN_CHARS) and (end == len(norm) or norm[end] not in _TOKEN_CHARS):
            return start, end
        start = norm.find(number, start + 1)
    return None


def number_role(norm: str, number: str, vocab, words: bool) -> tuple[str, list[str]]:
    """What a number in a query is, and the words before it that say so: "code" (an error code, as
    in "code 250104" or a bare number),
    "status" (an HTTP status, as in "HTTP 400" or "status 401", with its marker words) or "either"
    (a code that is also some code's HTTP status, written among other words: "400 bad request"
    names the status as often as API Gateway code 400)."""
    at = _number_at(norm, number)
    before = norm[:at[0]] if at else ""
    marker = _STATUS_BEFORE.search(before)
    if marker:
        return "status", re.findall(r"[A-Za-z]+|[가-힣]+", marker.group())
    marker = _CODE_BEFORE.search(before)
    if marker:  # "code 2501044": the word says what the number is, like "HTTP" for a status
        return "code", re.findall(r"[A-Za-z]+|[가-힣]+", marker.group())
    if not words or not vocab.has("status", number):
        return "code", []
    return "either", []


_MORE_BEFORE = re.compile(r"(?i)\b(?:more than|over|above|beyond|exceed(?:s|ed|ing)?|(?:greater|bigger|larger|higher|longer) than)\s*$")
_LESS_BEFORE = re.compile(r"(?i)\b(?:less than|fewer than|under|below|(?:smaller|lower|shorter) than)\s*$")
_MORE_AFTER = re.compile(r"^\s?[가-힣A-Za-z]{0,4}\s?(?:초과|넘)")  # "4개 초과", "4개를 넘었어요"
_LESS_AFTER = re.compile(r"^\s?[가-힣A-Za-z]{0,4}\s?미만")


def beyond(norm: str, number: str) -> Fraction:
    """How a query places its value against a number: "more than 5" is past 5 (+1/2), "under 3"
    short of 3 (-1/2), a plain "5" is 5 (0)."""
    at = _number_at(norm, number)
    if at is None:
        return Fraction(0)
    before, after = norm[:at[0]], norm[at[1]:]
    if _MORE_BEFORE.search(before) or _MORE_AFTER.match(after):
        return Fraction(1, 2)
    if _LESS_BEFORE.search(before) or _LESS_AFTER.match(after):
        return Fraction(-1, 2)
    return Fraction(0)


_VALUE_AFTER = re.compile(r"^(?:으로|로)(?![가-힣])")  # "200으로 줬더니": the value something was set to
_VALUE_BEFORE = re.compile(r"(?i)\b(?:set|changed|raised|lowered) to\s*$")  # "page size set to 200"


def is_value(norm: str, number: str) -> bool:
    """True for a number written as the value something was given ("200으로", "set to 200"): an
    amount, whatever code or status has the same digits."""
    at = _number_at(norm, number)
    return at is not None and bool(_VALUE_AFTER.match(norm[at[1]:]) or _VALUE_BEFORE.search(norm[:at[0]]))


_WORD_BEFORE = re.compile(r"(?i)\b([a-z]{3,})\W{0,3}$")
_MARKERS = frozenset({"code", "error", "errorcode", "status", "http", "https", "err", "number", "no"})


def follows_limited_word(norm: str, number: str, vocab) -> bool:
    """True for a number written right after a word the catalog states a limit of ("width 100",
    "interval 500"): a value, whatever code or status has the same digits."""
    at = _number_at(norm, number)
    m = _WORD_BEFORE.search(norm[:at[0]]) if at else None
    if m is None or m.group(1).lower() in _MARKERS:
        return False
    return any(stem in vocab.limited for stem in en_terms(m.group(1).lower()))


# a code as people copy it from a screenshot or read it out: digits in groups ("250 104", "250-104"),
# a letter for a look-alike digit ("2501O4"), a letter or two in front ("E250104", "#250104")
_LOOSE_CODE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{0,5}[#:]?((?:[0-9OoIl]{1,4}[ .\-]?){1,3}[0-9OoIl]{1,4})(?![A-Za-z0-9_])")
_LOOK_ALIKE = str.maketrans("OoIl", "0011")


def loose_codes(norm: str, vocab) -> list[tuple[str, str]]:
    """(as written, code) for every code of the index written loosely in a query, the written form
    being no code, number or word of its own ('"errorCode":250104' writes the code as it is)."""
    out = []
    for m in _LOOSE_CODE.finditer(norm):
        written, digits = m.group(), m.group(1)
        parts = re.split(r"[ .\-]", digits)
        code = "".join(parts).translate(_LOOK_ALIKE)
        if (code != written.lstrip("#:") and code in vocab.doc_of and sum(c.isdigit() for c in digits) >= 3
                and not (len(parts) > 1 and any(part in vocab.doc_of for part in parts))):
            out.append((written, code))
    return out


def near_codes(number: str, vocab) -> list[str]:
    """The codes one slip from a number that is none (a digit wrong, missing, doubled or two
    swapped: 250999, 25104, 2501044, 205104), in code order."""
    by_deletion = held_for(_CODE_DELETIONS, vocab, _code_deletions)
    candidates = {c for key in {number, *deletions(number)} for c in by_deletion.get(key, ())}
    return sorted((c for c in candidates if osa(number, c, 1) <= 1), key=lambda c: (len(c), c))


_CODE_DELETIONS: dict[int, tuple] = {}
_STATED_BOUNDS: dict[int, tuple] = {}


def _stated_bounds(vocab) -> tuple[Bound, ...]:
    """The limits the index's codes state (its bound field's terms), read once per index."""
    return tuple(b for b in map(Bound.parse, sorted(vocab.terms.get("bound", ()))) if b is not None)


def _code_deletions(vocab) -> dict[str, list[str]]:
    """Every code by itself and by itself less one digit: codes one slip from a number share a key
    with it, so a catalog of 10,000 codes is not scanned for every number of every query."""
    out: dict[str, list[str]] = {}
    for c in vocab.doc_of:
        for key in {c, *deletions(c)}:
            out.setdefault(key, []).append(c)
    return out


def correct(word: str, vocab) -> str | None:
    """The index word closest to a word the index does not know.

    Candidates share the word, or the word less one letter, with the word typed less at most
    one letter (one wrong, missing, extra or swapped letter; some pairs of them), then the
    edit distance decides: nearest, then the word more common in the language (a real word over
    a published typo such as PUBLIHSING), then closest in length, then alphabetical."""
    limit = max_typos(word)
    candidates = set()
    for key in {word, *deletions(word)}:
        candidates.update(vocab.deletes.get(key, ()))
    best = []
    for cand in candidates:
        d = osa(word, cand, limit)
        if d <= limit:
            best.append((cand, d))
    return lexicon.prefer_real_words(word, best, vocab.zipf)

def near_name(name: str, vocab) -> str | None:
    """A published name one or two letters away from a name-like token (compared part by part)."""
    parts = name.split("_")
    limit = 2 if len(name) >= 12 else 1
    found = []
    for cand, cparts in vocab.names.get(len(parts), ()):
        if abs(len(cand) - len(name)) > limit:  # the parts' distances add up to at least this
            continue
        differ = [(a, b) for a, b in zip(parts, cparts) if a != b]
        if len(differ) > limit:  # each part that differs is at least one letter away
            continue
        distance = 0
        for a, b in differ:
            distance += osa(a, b, 2)
            if distance > limit:
                break
        if 0 < distance <= limit:
            found.append((distance, cand))
    return min(found)[1] if found else None


def written_apart(parts: list[str], vocab) -> bool:
    """True when words stand in a row in some name or official message ("short clip" in
    SHORT_CLIP_NOT_FOUND): written as one word, they are still those words."""
    return len(parts) > 1 and all(pair in vocab.pairs for pair in zip(parts, parts[1:]))


def stated_bounds(vocab) -> tuple[Bound, ...]:
    """The limits the index's codes state, read once per index."""
    return held_for(_STATED_BOUNDS, vocab, _stated_bounds)

