"""Reading a saved copy of NCP's Live Station error-code page: rows, and each row's official fields."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


TABLE_FILE = "livestation-error-codes.txt"
OFFICIAL_FIELDS = ("name", "message", "description_ko")
ROW_RE = re.compile(r"^(\d{6})(?=\s|$)")
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
HANGUL_RE = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
WORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
SENTENCE_END = (".", ":", ")", "!", "?", ";")
#: a Korean description may open with up to this many English words ("Video frame rate 는 ...")
LEAD_WORDS = 3

#: Rows whose published text we read differently (before -> after); data/ explains each in a transcription note.
READINGS = {
    "250015": ("OPEN_API_UNAUTHORIZED ACCESS_DENIED Access denied", "OPEN_API_UNAUTHORIZED Access denied"),
    "250120": ("is supported. - 지원하지", "is supported. 지원하지"),
}


class UpstreamError(Exception):
    """The saved table cannot be read; the message says where."""


def squash(text: str) -> str:
    """Text as compared with the table: NFC, whitespace runs as one space (line breaks are free)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Official:
    """The three official fields of a row of the Live Station table."""

    name: str
    message: str
    description_ko: str

    def get(self, field: str) -> str:
        return getattr(self, field)


@dataclass(frozen=True)
class Row:
    code: str
    text: str  # everything after the code, verbatim, line breaks kept
    line: int


# ------------------------------------------------------------------------ reading rows

def parse_table(text: str) -> dict[str, Row]:
    """Every row of the saved table, in table order, continuation lines joined with their line breaks."""
    rows: dict[str, Row] = {}
    current: list | None = None
    for number, line in enumerate(unicodedata.normalize("NFC", text).splitlines(), 1):
        match = ROW_RE.match(line)
        if match:
            code = match.group(1)
            if code in rows:
                raise UpstreamError(f"line {number}: code {code} appears twice (first on line {rows[code].line})")
            current = [code, [line[match.end():].strip()], number]
            rows[code] = Row(code, "", number)
        elif current is not None and line.strip():
            current[1].append(line.strip())
        else:
            continue
        rows[current[0]] = Row(current[0], "\n".join(p for p in current[1] if p), current[2])
    if not rows:
        raise UpstreamError("no rows found (a row starts with a six-digit code)")
    return rows


def _tokens(text: str) -> list[re.Match]:
    return list(re.finditer(r"\S+", text))


def _cut(text: str, start: int, end: int | None = None) -> str:
    return text[start:end].strip()


def _description_start(text: str, tokens: list[re.Match]) -> int | None:
    """Index of the token that opens the Korean description, or None when the row has none."""
    first = next((i for i, t in enumerate(tokens) if HANGUL_RE.search(t.group())), None)
    if first is None or first == 0:
        return first
    best_echo = best_boundary = None
    for k in range(1, LEAD_WORDS + 1):
        start = first - k
        if start < 1:  # the message needs at least one token of its own
            break
        run = [t.group() for t in tokens[start:first]]
        if not all(WORD_RE.match(w) for w in run):
            break
        before = tokens[start - 1].group()
        after_sentence = before.endswith(SENTENCE_END)
        if not (run[0][0].isupper() or after_sentence):
            continue
        # "Video frame rate 는": the English words of the description repeat the message's
        if "".join(run).lower() in re.sub(r"\s+", "", text[:tokens[start].start()]).lower():
            best_echo = start
        elif after_sentence:
            best_boundary = start
    if best_echo is not None:
        return best_echo
    if best_boundary is not None:
        return best_boundary
    return first


def _split_message(text: str) -> tuple[str, str]:
    """Message and Korean description of a row's text after its name."""
    tokens = _tokens(text)
    start = _description_start(text, tokens)
    if start is None:
        return text.strip(), ""
    return _cut(text, 0, tokens[start].start()), _cut(text, tokens[start].start())


def split_row(text: str) -> Official:
    """Split a row's text into name, message and Korean description, with no other clue."""
    tokens = _tokens(text)
    if len(tokens) > 1 and NAME_RE.match(tokens[0].group()):
        return Official(tokens[0].group(), *_split_message(_cut(text, tokens[0].end())))
    return Official("", *_split_message(text))


def _strip_prefix(text: str, prefix: str) -> str | None:
    """The rest of text after the words of prefix (compared squashed), or None if it does not start so."""
    tokens, words = _tokens(text), prefix.split()
    if [t.group() for t in tokens[:len(words)]] != words or len(tokens) == len(words) and not words:
        return None
    return _cut(text, tokens[len(words) - 1].end()) if words else text.strip()


def read_row(row: Row, known: Official | None = None) -> Official:
    """The official fields of a row; for a code we already have, its current fields guide the split."""
    text = row.text
    if row.code in READINGS and READINGS[row.code][0] in squash(text):
        before, after = READINGS[row.code]
        text = squash(text).replace(before, after)
    if known is None:
        return split_row(text)
    tokens = _tokens(text)
    if known.name and tokens and tokens[0].group() == known.name:
        name, rest = known.name, _cut(text, tokens[0].end())
    elif not known.name and not (len(tokens) > 1 and NAME_RE.match(tokens[0].group())):
        name, rest = "", text.strip()
    else:
        name = split_row(text).name
        rest = _cut(text, tokens[0].end()) if name else text.strip()
    rest_tokens = _tokens(rest)
    desc_words = known.description_ko.split()
    if desc_words and [t.group() for t in rest_tokens[-len(desc_words):]] == desc_words \
            and len(rest_tokens) > len(desc_words):
        cut = rest_tokens[-len(desc_words)].start()
        return Official(name, _cut(rest, 0, cut), _cut(rest, cut))
    after_message = _strip_prefix(rest, known.message)
    if after_message is not None and (after_message == "" or HANGUL_RE.search(after_message)):
        cut = len(rest) - len(after_message) if after_message else len(rest)
        return Official(name, _cut(rest, 0, cut), after_message)
    return Official(name, *_split_message(rest))
