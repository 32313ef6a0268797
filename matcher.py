"""Recognise which error code a pasted message or JSON error body belongs to, and recover its placeholder values."""
from __future__ import annotations

import dataclasses
import functools
import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

PLACEHOLDER_RE = re.compile(r"\{(\d+)\}")
MAX_VALUE = 300  # longest placeholder value we recover; bounds every regex's backtracking
MAX_RESULTS = 10
MIN_PARTIAL_SPECIFICITY = 6  # "OK" alone is too short to be recognised inside longer text
MAX_JSON_ATTEMPTS = 32  # raw_decode tries per paste, so nested-brace junk stays linear
MAX_BODIES = 3  # error bodies read from one paste (a curl -v dump of a retried call has several)
MAX_STARTS_PER_ANCHOR = 6  # objects tried around one errorCode/errorName key, innermost first
# Every quote folds to '"': NCP's messages mix “_”, 'READY' and "QualitySet", and logs re-quote them.
QUOTES = dict.fromkeys("'\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2018\u2019\u201a\u201b\u2032", '"')
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
PLAIN_RUN_RE = re.compile(r"[!#-&(-\[\]-~]+")  # printable ASCII but blanks, quotes and backslash
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
ESCAPES = {"n": "\n", "r": "\n", "t": " ", '"': '"'}  # JSON escapes left in log lines
# Where a message can start inside a log line: after these, a leading {0} begins.
BOUNDARY_RE = re.compile(r"\n|[:\]>|;)] |[\"'(\[{=]")
LOG_SEPARATOR_RE = re.compile(r"\n|[:\]>|] ")  # inside a leading value, a sign that a log prefix was swallowed
BODY_START_RE = re.compile(r'\{\s*"')
ANCHOR_RE = re.compile(r'"error(?:Code|Name)"\s*:')  # a key only an error body has
SALVAGE_CODE_RE = re.compile(r'errorCode\\?"?\s*[:=]\s*\\?"?\s*(\d{1,9})')
SALVAGE_NAME_RE = re.compile(r'errorName\\?"?\s*[:=]\s*\\?"?\s*([A-Za-z][A-Za-z0-9_]{0,80})')
SALVAGE_MESSAGE_RES = (
    re.compile(r'"message"\s*:\s*"((?:[^"\\\n]|\\.){0,4096})"'),  # well-formed string
    re.compile(r'\\"message\\"\s*:\s*\\"(.{0,4096}?)\\"'),  # JSON escaped inside another string
    re.compile(r'"message"\s*:\s*"([^"\n]{1,4096})'),  # unterminated string
)
HANGUL_RE = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
IDENTIFIER_RE = re.compile(r"\w[-_/.:#@]\w|\d[A-Za-z]|[A-Za-z]\d|[a-z][A-Z]")
SENTENCE_PUNCT_RE = re.compile(r"[,:;\"'“”‘’()\[\]]")


# What a note can say; templates/paste_notes.html words each kind, in both languages.
NOTE_KINDS = (
    "same_message",  # codes: every code publishing this message; the message alone cannot tell them apart
    "picked_by_field",  # codes: the one picked; values: field (errorCode | errorName)
    "unknown_code",  # values: code, the body's errorCode that is no known code
    "unknown_name",  # values: name, the body's errorName that is no known name
    "name_conflict",  # codes: the errorName's codes; values: name, code (what errorCode says)
    "message_conflict",  # codes: whose template the message fits; values: field, said, picked (codes)
    "earlier_body",  # codes: the code of an earlier error body in the same paste
)
CONFLICT_KINDS = frozenset({"name_conflict", "message_conflict"})


@dataclass(frozen=True)
class Note:
    """Something the matcher noticed, as data: what (`kind`), about which `codes`, with which `values`."""

    kind: str
    codes: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"kind": self.kind, "codes": list(self.codes),
                "values": {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}}


@dataclass(frozen=True)
class Match:
    """One candidate code for a paste."""

    code: str
    params: dict[str, str]
    exact: bool
    source: str  # "errorCode" | "message" | "errorName"
    specificity: int
    notes: tuple[Note, ...] = ()

    def as_json(self) -> dict:
        """The `match` field of /api/search results."""
        return {"params": dict(self.params), "exact": self.exact, "source": self.source}


@dataclass(frozen=True)
class PasteAnalysis:
    """Everything the matcher found in one paste, best match first."""

    text: str
    truncated: bool
    matches: tuple[Match, ...]
    body: dict | None
    segments: tuple
    notes: tuple[Note, ...] = ()  # about the paste as a whole: unknown fields, conflicts

    @property
    def conflicts(self) -> tuple[Note, ...]:
        """Notes saying that the body's fields disagree with each other."""
        return tuple(n for n in self.notes if n.kind in CONFLICT_KINDS)

    def all_notes(self) -> tuple[Note, ...]:
        """The paste's notes, then each match's, every note once."""
        out: list[Note] = []
        for note in (*self.notes, *(n for m in self.matches for n in m.notes)):
            if note not in out:
                out.append(note)
        return tuple(out)


@functools.lru_cache(maxsize=8192)
def _fold(ch: str) -> str:
    """One character as compared: quotes straightened, blanks as ' ' or '\\n', NFKC + casefold."""
    if ch in QUOTES:
        return QUOTES[ch]
    if ch in INVISIBLE:
        return ""
    if ch in LINE_BREAKS:
        return "\n"
    if ch.isspace() or unicodedata.category(ch) == "Cc":
        return " "
    return "".join(QUOTES.get(c, c) for c in unicodedata.normalize("NFKC", ch).casefold())


def normalise(text: str) -> tuple[str, list[int], list[int]]:
    """Fold text for matching; also return, per output char, the start and end of its source in `text`."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    gap_start, gap_end, gap_char = -1, 0, " "  # a pending run of blanks, emitted once as ' ' or '\n'
    i, n = 0, len(text)
    while i < n:
        if run := PLAIN_RUN_RE.match(text, i):  # plain ASCII needs only lower(): done in C, not per char
            j = run.end()
            if gap_start >= 0:
                if out:
                    out.append(gap_char), starts.append(gap_start), ends.append(gap_end)
                gap_start = -1
            out.append(run.group().lower()), starts.extend(range(i, j)), ends.extend(range(i + 1, j + 1))
            i = j
            continue
        ch, width = text[i], 1
        if ch == "\\" and i + 1 < n and text[i + 1] in ESCAPES:
            folded, width = ESCAPES[text[i + 1]], 2
        else:
            folded = _fold(ch)
        for c in folded:
            if c == " " or c == "\n":
                if gap_start < 0:
                    gap_start, gap_char = i, c
                elif c == "\n":
                    gap_char = "\n"
                gap_end = i + width
                continue
            if gap_start >= 0:
                if out:
                    out.append(gap_char), starts.append(gap_start), ends.append(gap_end)
                gap_start = -1
            out.append(c), starts.append(i), ends.append(i + width)
        i += width
    return "".join(out), starts, ends


def _literal_re(literal: str) -> str:
    """Regex for literal template text: a space may arrive as a line break, a line break may vanish."""
    return "".join("[ \n]" if c == " " else "[ \n]?" if c == "\n" else re.escape(c) for c in literal)


@dataclass(frozen=True)
class _Template:
    """One distinct message template, compiled; `codes` holds every code publishing it."""

    codes: tuple
    exact: re.Pattern
    partial: re.Pattern
    needle: str  # a literal the normalised text must contain: the cheap prefilter
    lead_literal: str | None  # literal after a leading placeholder, to find where the message starts
    specificity: int
    catch_all: bool
    ends_with_period: bool  # decides between templates differing only by it (250121 vs 250133)


@dataclass(frozen=True)
class _Prepared:
    text: str
    norm: str
    starts: list
    ends: list
    flat: str  # norm with line breaks as spaces, for substring prefilters
    core: tuple[int, int]  # norm span without surrounding quotes


@dataclass(frozen=True)
class _Hit:
    template: _Template
    params: dict
    exact: bool
    spans: tuple  # (start, end, placeholder index) in the original text
    region: tuple[int, int]  # span of the match in the normalised text
    period_agrees: bool  # the text has a trailing period exactly when the template does


def _compile(message: str) -> tuple[re.Pattern, re.Pattern, str, str | None, int]:
    """Exact and partial regexes, prefilter needle, lead literal and specificity of one template."""
    norm = normalise(message)[0]
    parts = PLACEHOLDER_RE.split(norm)
    literals, indexes = parts[0::2], [int(p) for p in parts[1::2]]
    if literals[-1].endswith("."):
        literals[-1] = literals[-1][:-1]  # the trailing period is optional on both sides
    specificity = sum(len(re.sub(r"\s", "", lit)) for lit in literals)

    def build(partial: bool) -> str:
        # Inside longer text, a template must not start or end mid-word: "OK" is not in "took".
        start = r"(?<!\w)" if partial and literals[0][:1].isalnum() else ""
        out, seen = [start + _literal_re(literals[0])], set()
        for k, index in enumerate(indexes):
            last = k == len(indexes) - 1
            if index in seen:
                value = f"(?P=p{index})"
            else:
                chars = '[^\n"]' if partial and last and not literals[-1] else "[^\n]"
                value = f"(?P<p{index}>{chars}{{1,{MAX_VALUE}}}?)"
                seen.add(index)
            # Earlier values take the first occurrence of the next literal (atomic): no nested backtracking.
            out.append(value + _literal_re(literals[k + 1]) if last else f"(?>{value}{_literal_re(literals[k + 1])})")
        if partial and indexes and not literals[-1]:
            out.append(r'(?:\.?(?=[\n"]|$)|\.(?= ))')  # a trailing value ends with its line or sentence
        else:
            out.append(r"(?!\w)\.?" if partial and literals[-1][-1:].isalnum() else r"\.?")
        return "".join(out)

    pieces = [p.strip() for lit in literals for p in lit.split("\n")]
    needle = max(pieces, key=len)
    lead = literals[1].split("\n")[0] if indexes and not literals[0] and len(literals) > 1 else None
    return re.compile(build(False)), re.compile(build(True)), needle, lead or None, specificity


def _code_text(value) -> str | None:
    """The errorCode as a string of digits, whether the body sent a number or a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
        return value.strip()
    return None


def _error_object(value, depth: int = 0) -> dict | None:
    """The {errorCode, message, errorName} object inside a decoded JSON value, searched a few levels deep."""
    if depth > 6:
        return None
    if isinstance(value, dict):
        inner = value.get("error")
        if isinstance(inner, dict) and ({"errorCode", "errorName", "message"} & inner.keys()):
            return inner
        if {"errorCode", "errorName"} & value.keys():
            return value
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children[:50]:
        if isinstance(child, str) and "errorCode" in child and depth < 3:
            found = _find_bodies(child, 1)  # a body logged as an escaped string
            if found:
                return found[0]["error"]
        found = _error_object(child, depth + 1)
        if found is not None:
            return found
    return None


def _find_bodies(text: str, limit: int = MAX_BODIES) -> list[dict]:
    """The {"error": {...}} bodies in the text, the last one first (a dump ends with the answer).

    Balanced JSON via raw_decode around each errorCode/errorName key, innermost object first;
    else the first decodable object holding an error; else fields salvaged with regexes.
    """
    if "error" not in text:
        return []
    decoder = json.JSONDecoder()
    starts = [m.start() for m in BODY_START_RE.finditer(text)]
    found: list[tuple[int, int, dict]] = []  # (start, end, error object), last first
    attempts = 0
    for anchor in reversed([m.start() for m in ANCHOR_RE.finditer(text)]):
        if len(found) >= limit or attempts >= MAX_JSON_ATTEMPTS:
            break
        if any(s <= anchor < e for s, e, _ in found):
            continue  # a key of a body already read
        i = bisect_left(starts, anchor) - 1
        for _ in range(MAX_STARTS_PER_ANCHOR):
            if i < 0 or attempts >= MAX_JSON_ATTEMPTS:
                break
            start, i, attempts = starts[i], i - 1, attempts + 1
            try:
                value, end = decoder.raw_decode(text, start)
            except (ValueError, RecursionError):
                continue
            if end <= anchor:
                continue  # a closed object before the key, e.g. {"a": 1} in "details"
            error = _error_object(value)
            if error is not None:
                inside = [f for f in found if start <= f[0] and f[1] <= end]
                found = [f for f in found if f not in inside]  # an enclosing object replaces what it holds
                found.append((start, end, error))
                found.sort(key=lambda f: -f[0])
            break
    if found:
        return [{"error": error} for _, _, error in found]
    body = _first_body(text, decoder) or _salvage_body(text)
    return [body] if body else []


def _first_body(text: str, decoder: json.JSONDecoder) -> dict | None:
    """The first decodable object holding an error: a body without its keys in plain sight."""
    resume, attempts = 0, 0
    for start in BODY_START_RE.finditer(text):
        if start.start() < resume:
            continue  # inside an object that already decoded without an error body
        attempts += 1
        if attempts > MAX_JSON_ATTEMPTS:
            break
        try:
            value, end = decoder.raw_decode(text, start.start())
        except (ValueError, RecursionError):
            continue
        found = _error_object(value)
        if found is not None:
            return {"error": found}
        resume = end
    return None


def _salvage_body(text: str) -> dict | None:
    """Fields of a slightly broken JSON body, found one by one: the last errorCode, the fields nearest it."""
    found: dict = {}
    code = name = None
    for code in SALVAGE_CODE_RE.finditer(text):
        pass
    for name in SALVAGE_NAME_RE.finditer(text, max(0, code.start() - 4096) if code else 0):
        if code and name.start() > code.end() + 4096:
            break
    anchor = code or name
    if anchor is None:
        return None
    if code:
        found["errorCode"] = code.group(1)
    if name:
        found["errorName"] = name.group(1)
    window = (max(0, anchor.start() - 4096), anchor.end() + 8192)
    for pattern in SALVAGE_MESSAGE_RES:
        messages = list(pattern.finditer(text, *window))
        if messages:
            message = min(messages, key=lambda m: abs(m.start() - anchor.start()))
            raw = message.group(1)
            try:
                found["message"] = json.loads(f'"{raw}"')
            except ValueError:
                found["message"] = raw
            break
    return {"error": found}


def _segments(text: str, spans) -> tuple:
    """The text as (piece, placeholder index or None), values marked, concatenating back to text."""
    pieces, pos = [], 0
    for start, end, index in sorted(spans):
        if start < pos:
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:end], index))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return tuple(pieces)


class MessageMatcher:
    """Matches pasted error messages and JSON bodies against every template of a catalog."""

    MAX_INPUT = 64 * 1024  # characters: a whole `curl -v` dump or log excerpt, body at the end

    def __init__(self, catalog):
        self._catalog = catalog
        groups: dict[str, list] = {}
        for entry in catalog.codes:  # codes publishing the same message share one template
            groups.setdefault(normalise(entry.message)[0], []).append(entry)
        self._templates: list[_Template] = []
        self._by_code: dict[str, _Template] = {}
        for entries in groups.values():
            exact, partial, needle, lead, specificity = _compile(entries[0].message)
            n_values = len(PLACEHOLDER_RE.findall(entries[0].message))
            template = _Template(tuple(entries), exact, partial, needle, lead, specificity,
                                 n_values > 0 and specificity < 4 * n_values, entries[0].message.endswith("."))
            self._templates.append(template)
            self._by_code.update({e.code: template for e in entries})
        # Most specific first, so ties in the final sort keep a stable, sensible order.
        self._templates.sort(key=lambda t: (-t.specificity, t.codes[0].code))
        self._needles = [(t.needle, t) for t in self._templates if not t.catch_all]  # plain pairs: the hot loop

    # ------------------------------------------------------------------ matching text

    def _prepare(self, text: str) -> _Prepared:
        norm, starts, ends = normalise(text)
        lo, hi = 0, len(norm)
        if hi - lo >= 2 and norm[0] == norm[-1] and norm[0] in "\"'`":
            lo, hi = lo + 1, hi - 1  # a message pasted inside quotes
            while lo < hi and norm[lo] in " \n":
                lo += 1
            while hi > lo and norm[hi - 1] in " \n":
                hi -= 1
        return _Prepared(text, norm, starts, ends, norm.replace("\n", " "), (lo, hi))

    def _hit(self, template: _Template, prep: _Prepared, m: re.Match, exact: bool) -> _Hit:
        params, spans = {}, []
        for group, value in m.groupdict().items():
            if value is None:
                continue
            s, e = m.span(group)
            start, end = prep.starts[s], prep.ends[e - 1]
            while start < end and prep.text[start].isspace():
                start += 1
            while end > start and prep.text[end - 1].isspace():
                end -= 1
            params[group[1:]] = prep.text[start:end]
            spans.append((start, end, int(group[1:])))
        period_agrees = m.group(0).endswith(".") == template.ends_with_period
        return _Hit(template, params, exact, tuple(spans), m.span(), period_agrees)

    def _search_partial(self, template: _Template, prep: _Prepared) -> re.Match | None:
        """The template somewhere inside the text; a leading value starts at the nearest log-line boundary."""
        if template.lead_literal is None:
            return template.partial.search(prep.norm)
        pos = 0
        for _ in range(20):
            at = prep.flat.find(template.lead_literal, pos)
            if at < 0:
                return None
            if at == 0:  # no room for the leading value here
                pos = 1
                continue
            window = max(0, at - MAX_VALUE)
            starts = {b.end() for b in BOUNDARY_RE.finditer(prep.norm, window, at)}
            if window == 0:
                starts.add(0)
            starts.add(prep.norm.rfind(" ", window, at - 1) + 1 or window)  # last resort: the word before
            for start in sorted(starts, reverse=True):
                if start < at and (m := template.partial.match(prep.norm, start)):
                    return m
            pos = at + 1
        return None

    def _try(self, template: _Template, prep: _Prepared) -> _Hit | None:
        """Exact match of the whole text, else the template found inside it."""
        if m := template.exact.fullmatch(prep.norm, *prep.core):
            # "<log prefix>: CH-1 not found." fits "{0} not found." whole, but the message starts after the prefix.
            if template.lead_literal and LOG_SEPARATOR_RE.search(m.group(1)):
                inner = self._search_partial(template, prep)
                if inner and inner.start() > m.start():
                    return self._hit(template, prep, inner, False)
            return self._hit(template, prep, m, True)
        if template.catch_all or template.specificity < MIN_PARTIAL_SPECIFICITY:
            return None
        if m := self._search_partial(template, prep):
            return self._hit(template, prep, m, False)
        return None

    def _match_text(self, prep: _Prepared, allow_catch_all: bool) -> list[_Hit]:
        flat = prep.flat
        hits = [hit for needle, t in self._needles if needle in flat and (hit := self._try(t, prep))]
        hits.sort(key=lambda h: (not h.exact, -h.template.specificity, not h.period_agrees))
        kept: list[_Hit] = []
        for hit in hits:  # drop partial hits lying inside a more specific hit: "Quality is not found." in 250155
            if hit.exact or not any(k.region[0] <= hit.region[0] and hit.region[1] <= k.region[1]
                                    and k.template.specificity > hit.template.specificity for k in kept):
                kept.append(hit)
        if not kept and allow_catch_all:
            for template in (t for t in self._templates if t.catch_all):
                if m := template.exact.fullmatch(prep.norm, *prep.core):
                    kept.append(self._hit(template, prep, m, False))  # the last resort is never "exact"
        return kept[:MAX_RESULTS]

    def _matches(self, hit: _Hit, source: str, first: str | None = None, extra: tuple = ()) -> list[Match]:
        """One Match per code of the hit's template, `first` leading."""
        codes = sorted(hit.template.codes, key=lambda e: e.code != first)
        notes = ((Note("same_message", tuple(e.code for e in hit.template.codes)),)
                 if len(hit.template.codes) > 1 else ()) + tuple(extra)
        return [Match(e.code, dict(hit.params), hit.exact, source, hit.template.specificity, notes) for e in codes]

    # ------------------------------------------------------------------ public

    def looks_like_paste(self, text: str) -> bool:
        """True when the text is probably a pasted message or JSON body rather than search words."""
        text = (text or "")[: self.MAX_INPUT].strip()
        if not text:
            return False
        if "{" in text and ("error" in text or "message" in text):
            return True
        if text.startswith("HTTP/") or "\nHTTP/" in text:
            return True
        if HANGUL_RE.search(text):
            return False  # Korean text is a description someone is searching for: messages are English
        words = text.split()
        if len(words) < 2:
            return False  # "250104", "CHANNEL_NOT_FOUND", "channel"
        if "\n" in text or "\\n" in text or text.endswith((".", "!", ")")):
            return True
        if IDENTIFIER_RE.search(text) or (len(words) >= 3 and SENTENCE_PUNCT_RE.search(text)):
            return True
        # A plain sentence of four words or more counts when it is one of the messages, values filled in.
        return len(words) >= 4 and any(hit.exact for hit in self._match_text(self._prepare(text), False))

    def analyse(self, text: str) -> PasteAnalysis:
        """Find the codes a paste belongs to, best first, with the values that filled their placeholders."""
        text = text if isinstance(text, str) else ""
        truncated = len(text) > self.MAX_INPUT
        text = text[: self.MAX_INPUT]
        bodies = _find_bodies(text)
        if bodies:
            analysis = self._analyse_body(text, truncated, bodies[0])
            return self._with_earlier_bodies(analysis, bodies[1:])
        prep = self._prepare(text)
        single = "\n" not in prep.norm[prep.core[0]:prep.core[1]] and prep.core[1] - prep.core[0] <= MAX_VALUE
        hits = self._match_text(prep, single and self.looks_like_paste(text))
        matches = [m for hit in hits for m in self._matches(hit, "message")]
        return PasteAnalysis(text, truncated, tuple(matches[:MAX_RESULTS]), None,
                             _segments(text, hits[0].spans) if hits else ())

    def _with_earlier_bodies(self, analysis: PasteAnalysis, earlier: list[dict]) -> PasteAnalysis:
        """Codes of the error bodies before the last one, listed after its own matches."""
        shown = {m.code for m in analysis.matches}
        extra = []
        for body in earlier:
            code = _code_text(body["error"].get("errorCode"))
            if code and code not in shown and code in self._by_code:
                shown.add(code)
                extra.append(Match(code, {}, False, "errorCode", self._by_code[code].specificity,
                                   (Note("earlier_body", (code,)),)))
        if not extra:
            return analysis
        return dataclasses.replace(analysis, matches=(analysis.matches + tuple(extra))[:MAX_RESULTS])

    def _analyse_body(self, text: str, truncated: bool, body: dict) -> PasteAnalysis:
        err = body["error"]
        message = err.get("message") if isinstance(err.get("message"), str) else ""
        prep = self._prepare(message[: self.MAX_INPUT])
        hits = self._match_text(prep, bool(prep.norm)) if prep.norm else []
        raw_code, name = err.get("errorCode"), err.get("errorName")
        name = name.strip()[:MAX_VALUE] if isinstance(name, str) and name.strip() else None
        code = _code_text(raw_code)
        entry = self._catalog.get(code) if code else None
        named = self._catalog.by_name(name) if name else ()
        notes: list[Note] = []
        if raw_code is not None and entry is None:
            notes.append(Note("unknown_code", values={"code": str(raw_code)[:MAX_VALUE]}))
        if name and not named:
            notes.append(Note("unknown_name", values={"name": name}))

        matches: list[Match] = []
        hit_codes = {e.code for h in hits if not h.template.catch_all for e in h.template.codes}
        picked, source = ([entry], "errorCode") if entry else (
            sorted(named, key=lambda e: e.code not in hit_codes), "errorName")
        own_hit = None
        for chosen in picked:
            template = self._by_code[chosen.code]
            hit = self._try(template, prep) if prep.norm else None
            own_hit = own_hit or hit
            if hit is None:
                matches.append(Match(chosen.code, {}, False, source, template.specificity))
                continue
            pick = (Note("picked_by_field", (chosen.code,), {"field": source}),) if len(template.codes) > 1 else ()
            group = self._matches(hit, source, chosen.code, pick)
            matches.append(group[0])
            matches.extend(Match(m.code, m.params, m.exact, "message", m.specificity, m.notes) for m in group[1:])
        conflicts: list[Note] = []
        if entry and named and entry not in named:
            conflicts.append(Note("name_conflict", tuple(e.code for e in named), {"name": name, "code": entry.code}))
            for other in named:
                template = self._by_code[other.code]
                hit = self._try(template, prep) if prep.norm else None
                matches.append(Match(other.code, dict(hit.params) if hit else {}, bool(hit and hit.exact),
                                     "errorName", template.specificity, (conflicts[-1],)))
        disagreeing = [h for h in hits if not h.template.catch_all] if picked and own_hit is None else []
        if disagreeing:
            conflicts.append(Note("message_conflict", tuple(e.code for e in disagreeing[0].template.codes), {
                "field": source, "said": entry.code if entry else name, "picked": tuple(e.code for e in picked)}))
        if not picked or disagreeing:
            for hit in (disagreeing or hits):
                matches.extend(self._matches(hit, "message", None, tuple(conflicts + notes)))
        seen: set[str] = set()
        unique = tuple(m for m in matches if not (m.code in seen or seen.add(m.code)))[:MAX_RESULTS]
        best_hit = own_hit if picked else (hits[0] if hits else None)
        segments = _segments(message, best_hit.spans) if best_hit and unique else ()
        return PasteAnalysis(text, truncated, unique, body, segments, tuple(notes + conflicts))
