"""Numbers with their units in English or Korean text ("21자", "200개", "25 fps", "1초", "100 MB"), as
comparable quantities: the evidence that a query names the limit a code's text states.

Pure functions, no I/O. Every unit is brought to one base (seconds, bytes, bits per second, hertz),
so "24 hours" in a message and "1 day" in a query, or "5 Mbps" and "5000 kbps", are the same term.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction

# unit as written (lower case) -> (base unit, factor)
_UNITS = {
    "characters": ("char", 1), "character": ("char", 1), "chars": ("char", 1), "char": ("char", 1),
    "letters": ("char", 1), "자": ("char", 1), "글자": ("char", 1), "자리": ("char", 1), "바이트": ("byte", 1),
    "items": ("count", 1), "item": ("count", 1), "개": ("count", 1), "건": ("count", 1),
    "ms": ("s", Fraction(1, 1000)), "milliseconds": ("s", Fraction(1, 1000)), "millisecond": ("s", Fraction(1, 1000)),
    "밀리초": ("s", Fraction(1, 1000)),
    "s": ("s", 1), "sec": ("s", 1), "secs": ("s", 1), "seconds": ("s", 1), "second": ("s", 1), "초": ("s", 1),
    "min": ("s", 60), "mins": ("s", 60), "minutes": ("s", 60), "minute": ("s", 60), "분": ("s", 60),
    "h": ("s", 3600), "hr": ("s", 3600), "hrs": ("s", 3600), "hours": ("s", 3600), "hour": ("s", 3600),
    "시간": ("s", 3600),
    "days": ("s", 86400), "day": ("s", 86400), "일": ("s", 86400),
    "fps": ("fps", 1), "프레임": ("fps", 1),
    "bps": ("bps", 1), "kbps": ("bps", 1000), "mbps": ("bps", 1_000_000), "gbps": ("bps", 1_000_000_000),
    "b": ("byte", 1), "bytes": ("byte", 1), "byte": ("byte", 1), "kb": ("byte", 1024),
    "mb": ("byte", 1024 ** 2), "gb": ("byte", 1024 ** 3), "tb": ("byte", 1024 ** 4),
    "hz": ("hz", 1), "khz": ("hz", 1000),
    "p": ("lines", 1),
}
_LATIN_UNITS = sorted((u for u in _UNITS if u.isascii()), key=len, reverse=True)
_HANGUL_UNITS = sorted((u for u in _UNITS if not u.isascii()), key=len, reverse=True)
# A number, optional space, a unit. A Latin unit ends at a non-letter ("25fps", "100 MB," but not
# "5 bananas"); a Hangul unit may carry a particle ("20자를", "1초에") but not be the start of
# another word where it changes meaning ("10초과" is "over 10", "1일치" "one day's worth").
_QUANTITY_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?"
    r"(?:(?P<latin>" + "|".join(map(re.escape, _LATIN_UNITS)) + r")(?![A-Za-z])"
    r"|(?P<hangul>" + "|".join(map(re.escape, _HANGUL_UNITS)) + r")(?!과|치|반|째))",
    re.IGNORECASE,
)

# the first number of a range whose unit is written once: "between 1 and 800 characters", "3~20자"
_RANGE_START_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:and|to|or|-|~|–|부터|에서)\s?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quantity:
    """A number in a base unit: Quantity(Fraction(20), "char") for "20자" and "20 characters"."""

    value: Fraction
    unit: str

    @property
    def term(self) -> str:
        """An index token for the quantity ("20char", "3600s", "0.5s")."""
        v = self.value
        text = str(v.numerator) if v.denominator == 1 else format(float(v), "g")
        return f"{text}{self.unit}"


# numbers written as words, before a unit ("두 글자", "five items", "a whole day")
_NUMBER_WORDS = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
    "열한": 11, "열두": 12, "스무": 20,
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60,
    "hundred": 100, "a": 1, "an": 1,
}
_NUMBER_WORD = r"(?<![\w])(" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")"
_SPELLED_RE = re.compile(
    _NUMBER_WORD + r"(?:\s(?:whole|full|single))?\s(?=(?:" + "|".join(map(re.escape, sorted(_UNITS, key=len, reverse=True)))
    + r")(?![A-Za-z]))",
    re.IGNORECASE,
)
_STANDALONE_NUMBER_RE = re.compile(_NUMBER_WORD + r"(?![\w])", re.IGNORECASE)
_TIME_UNIT_AFTER = re.compile(r"(?:\s(?:whole|full|single))?\s(?:second|minute|hour|day)s?\b", re.IGNORECASE)


def spelled_numbers(text: str) -> str:
    """text with every number written as a word before a unit written in digits ("두 글자" -> "2 글자"),
    "a"/"an" only before a unit of time ("a day", not "a b frame")."""
    def digits(m):
        word = m.group(1).lower()
        if word in ("a", "an") and not _TIME_UNIT_AFTER.match(text, m.end(1)):
            return m.group()
        return f"{_NUMBER_WORDS[word]} "
    return _SPELLED_RE.sub(digits, text)


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every number with a unit in text, in order, duplicates dropped."""
    out: dict[Quantity, None] = {}
    text = spelled_numbers(text)
    for m in _QUANTITY_RE.finditer(text):
        unit = (m.group("latin") or m.group("hangul")).lower()
        base, factor = _UNITS[unit]
        if base == "lines" and not m.group(1).isdigit():
            continue
        end = Fraction(m.group(1).replace(",", ""))
        start = _RANGE_START_RE.search(text, max(0, m.start() - 24), m.start())
        if start and Fraction(start.group(1)) <= end:  # a range runs upwards; "250104 and 20" is none
            out[Quantity(Fraction(start.group(1)) * factor, base)] = None
        out[Quantity(end * factor, base)] = None
    return tuple(out)


def units_written(text: str) -> dict[str, str]:
    """The unit words of text's quantities as written (lower case), each with its number as written:
    {"seconds": "15"} for "15 seconds"."""
    return {(m.group("latin") or m.group("hangul")).lower(): m.group(1)
            for m in _QUANTITY_RE.finditer(spelled_numbers(text))}


def numbers_with_units(text: str) -> frozenset[str]:
    """The numbers of text, as written, that carry a unit ("200" in "200개"): amounts, not codes."""
    return frozenset(m.group(1) for m in _QUANTITY_RE.finditer(text))


# ------------------------------------------------------------------------------ stated bounds

@dataclass(frozen=True)
class Bound:
    """A limit a text states: values above `value` ("over") or below it ("under") are refused, or
    every value but the `allowed` ones ("only": "only [0, 1, 2] are supported").
    unit is a base unit ("char", "count", "s"...) or "" for a bare number ("the limit is 10")."""

    side: str  # "over", "under" or "only"
    unit: str
    value: Fraction  # the limit ("over", "under"); the least allowed value ("only")
    allowed: tuple[Fraction, ...] = ()  # "only": every value allowed, in order

    @functools.cached_property
    def term(self) -> str:
        if self.side == "only":
            return f"only:{self.unit}:" + ",".join(_number_text(v) for v in self.allowed)
        return f"{self.side}:{self.unit}:{_number_text(self.value)}"

    @classmethod
    def parse(cls, term: str) -> "Bound | None":
        side, _, rest = term.partition(":")
        unit, _, value = rest.rpartition(":")
        try:
            if side == "only":
                allowed = tuple(Fraction(v) for v in value.split(","))
                return cls(side, unit, min(allowed), allowed) if allowed else None
            return cls(side, unit, Fraction(value)) if side in ("over", "under") else None
        except (ValueError, ZeroDivisionError):
            return None

    def refuses(self, value: Fraction, unit: str = "") -> bool:
        """True when the value, in that base unit ("" for none), is on the refused side of this bound."""
        if unit != self.unit:
            return False
        if self.side == "only":
            return value not in self.allowed
        return value > self.value if self.side == "over" else value < self.value


def _number_text(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else format(float(v), "g")


# the values a message allows, and no other: "only audio channel value [0, 1, 2] are supported",
# "only integer "1000" is supported", "bFrames only 0,1,2 are available", "should be 360"
_ONLY_LIST = re.compile(r"(?i)\bonly\b[A-Za-z0-9 :]{0,40}?\[\s*([\d.]+(?:\s*,\s*[\d.]+)*)\s*\]")
_ONLY_ONE = re.compile(r'(?i)\bonly (?:integer )?"(\d+(?:\.\d+)?)"|\bshould be (\d+(?:\.\d+)?)\s*(?:\.|$)')
_ONLY_AVAILABLE = re.compile(r"(?i)\bonly (\d+(?:\s*,\s*\d+)*) (?:is|are) (?:available|supported|allowed)")


def allowed_values(text: str) -> tuple[Bound, ...]:
    """The lists of values a text allows and no other, as "only" bounds."""
    out = []
    for m in (*_ONLY_LIST.finditer(text), *_ONLY_AVAILABLE.finditer(text)):
        out.append(tuple(dict.fromkeys(Fraction(v.strip()) for v in m.group(1).split(","))))
    for m in _ONLY_ONE.finditer(text):
        out.append((Fraction(m.group(1) or m.group(2)),))
    return tuple(Bound("only", "", min(values), values) for values in out if values)


_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_UPPER_BEFORE = re.compile(r"(?i)(?:\bmax(?:imum)?\b(?: size)?(?: is| of)?|\bup to|\bat most|\blimit is|\bless than(?: or equal to)?"
                           r"|\bcan ?not exceed|\bno more than|\bover|최대)\s*:?\s*$")
_LOWER_BEFORE = re.compile(r"(?i)(?:\bmin(?:imum)?\b(?: start)?(?: is| of)?|\bat least|\bgreater than(?: or equal to)?"
                           r"|\bbigger(?: than| or equal to)?|최소)\s*:?\s*$")
_UPPER_AFTER = re.compile(r"^\s?(?:[가-힣A-Za-z]{0,4})\s?(?:이하|까지)")
_LOWER_AFTER = re.compile(r"^\s?(?:[가-힣A-Za-z]{0,4})\s?이상")
_WORD_AFTER = re.compile(r"\s?([A-Za-z]+|[가-힣]+)")
_BARE_NUMBER = re.compile(r"(?<![\w.])" + _NUMBER + r"(?!\d|\.\d)")
_RANGE = re.compile(r"(?i)(?:between\s+|range\s+|value is\s+)?" + _NUMBER + r"\s?([가-힣A-Za-z]{0,10})?\s?(?:and|to|~|-)\s?" + _NUMBER)


def _unit_of(word: str | None) -> tuple[str, Fraction]:
    unit = _UNITS.get((word or "").lower())
    return (unit[0], Fraction(unit[1])) if unit else ("", Fraction(1))


def bounds(text: str) -> tuple[Bound, ...]:
    """The limits text states ("a maximum of 20 characters", "최대 4개", "between 1 and 800", "limit is
    10", "1~100"), as the side a value is refused on; a bare number keeps no unit."""
    out: dict[Bound, None] = {}
    for m in _RANGE.finditer(text):
        lo, word, hi = Fraction(m.group(1).replace(",", "")), m.group(2), Fraction(m.group(3).replace(",", ""))
        after = _WORD_AFTER.match(text, m.end())
        unit, factor = _unit_of(word if word and word.lower() in _UNITS else after.group(1) if after else None)
        if lo < hi and (m.group(0)[:1].isalpha() or unit or "~" in m.group(0)):
            out[Bound("under", unit, lo * factor)] = None
            out[Bound("over", unit, hi * factor)] = None
    for m in _BARE_NUMBER.finditer(text):
        value = Fraction(m.group(1).replace(",", ""))
        after = text[m.end():m.end() + 12]
        written = _QUANTITY_RE.match(text, m.start())  # its unit as quantities() reads it ("4개까지", "100MB")
        unit, factor = _unit_of((written.group("latin") or written.group("hangul")) if written else None)
        before = text[max(0, m.start() - 40):m.start()]
        if _UPPER_BEFORE.search(before) or _UPPER_AFTER.match(after):
            out[Bound("over", unit, value * factor)] = None
        elif _LOWER_BEFORE.search(before) or _LOWER_AFTER.match(after):
            out[Bound("under", unit, value * factor)] = None
    for bound in allowed_values(text):
        out[bound] = None
    return tuple(out)


def spelled_values(text: str) -> dict[str, Fraction]:
    """Numbers written as words standing alone ("five renditions", "다섯"): word -> value ("a" left out)."""
    out = {}
    for m in _STANDALONE_NUMBER_RE.finditer(text):
        word = m.group(1).lower()
        if word not in ("a", "an", "한", "세", "네"):  # a word, or a syllable of too many others
            out[word] = Fraction(_NUMBER_WORDS[word])
    return out
