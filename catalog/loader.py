"""Load data/*.toml into a Catalog, checking every value; every problem is reported at once.

Nothing here raises anything but CatalogError for bad data: wrong types, wrong shapes, unknown
keys and broken references all become problems naming the file and the code.
"""
from __future__ import annotations

import datetime
import hashlib
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import (PLACEHOLDER_RE, RETRY_VALUES, WHO_ACTS_VALUES, Catalog, Category, DocLink, ErrorCode,
                    Guidance, Localized, Note, Placeholder, RetiredCode)

SOURCES = ("common", "api-gateway")
NOTE_KINDS = (
    "transcription",  # how we read an ambiguous row of the published table
    "typo",  # the published name or message has a spelling mistake users will see
    "shared-name",  # another code has the same name
    "shared-message",  # another code has the same message
    "untranslated-key",  # the message is a message-bundle key, not text
    "mismatch",  # the message does not fit the name
    "not-an-error",  # the code reports success
    "inferred",  # something we inferred that NCP does not say
    "support",  # anything else a support person should know
)
RETIRED_FILE = "retired.toml"
REGISTRY_FILE = "published-codes.txt"
CODE_RE = re.compile(r"^\d{3,6}$")
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
STATE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\[\]]*$")
SLUG_RE = re.compile(r"^[a-z0-9-]+$")
MAX_STEPS = 5

OFFICIAL_CODE_KEYS = {"code", "name", "name_aliases", "message", "description_ko", "http_status"}
GUIDANCE_KEYS = {"retry", "retry_wait_en", "retry_wait_ko", "who_acts", "states", "request_fields",
                 "guidance_inferred", "next_steps_en", "next_steps_ko"}
OUR_CODE_KEYS = {"summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko",
                 "related", "placeholders", "notes", "docs", *GUIDANCE_KEYS}
REQUIRED_OURS = ("summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko")
CATEGORY_KEYS = {"slug", "order", "source", "title_en", "title_ko", "intro_en", "intro_ko", "docs"}
DOC_KEYS = {"slug", "title_en", "title_ko"}
PLACEHOLDER_KEYS = {"index", "meaning_en", "meaning_ko", "example"}
NOTE_KEYS = {"kind", "en", "ko"}
RETIRED_KEYS = {"code", "name", "message", "category", "retired_on", "note_en", "note_ko", "replaced_by"}
# Every code must carry structured guidance when its project-written fields are required.
GUIDANCE_REQUIRED = True


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the form all catalog text is kept in."""
    return unicodedata.normalize("NFC", text)


def display_path(path: Path | str) -> str:
    """A data file as people name it: relative to the working directory, else data/<file>."""
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        rel = str(path)
    if rel.startswith(".."):
        rel = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    return rel


@dataclass(frozen=True)
class Problem:
    path: str
    code: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}" + (f" [code {self.code}]" if self.code else "") + f": {self.message}"


class CatalogError(Exception):
    """The data is inconsistent. `problems` lists every problem found, each naming file and code;
    str() gives one `data/<file> [code <code>]: <problem>` line per problem."""

    def __init__(self, path_or_problems, message: str | None = None, code: str | None = None):
        if message is None:
            self.problems = list(path_or_problems)
        else:
            self.problems = [Problem(display_path(path_or_problems), code, message)]
        first = self.problems[0] if self.problems else Problem("data", None, "unknown problem")
        self.path, self.code = first.path, first.code
        super().__init__("\n".join(str(p) for p in self.problems))


class _Problems:
    """Collects problems while loading, so that one run reports all of them."""

    def __init__(self):
        self.items: list[Problem] = []
        self.rejected: set[str] = set()  # codes already reported as malformed: references to them are not news

    def add(self, path, code, message: str) -> None:
        self.items.append(Problem(display_path(path), code, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise CatalogError(self.items)


def _code_label(value: Any) -> str | None:
    """How a bad code value is named in a problem: itself when it is a short number or string."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) and re.fullmatch(r"[\w-]{1,12}", str(value)):
        return str(value)
    return None


def _describe(value: Any) -> str:
    kind = {str: "a string", int: "an integer", float: "a number", bool: "true/false", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} ({shown[:40]}{'…' if len(shown) > 40 else ''})"


class _Table:
    """Reads the keys of one TOML table with type checks; a bad value becomes a problem and a
    harmless default, so loading goes on and finds the next problem too."""

    def __init__(self, problems: _Problems, path: Path, code: str | None, table: dict, where: str = ""):
        self.problems, self.path, self.code, self.table, self.where = problems, path, code, table, where

    def problem(self, message: str) -> None:
        self.problems.add(self.path, self.code, f"{self.where}{message}")

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            self.problem(f"unknown keys: {', '.join(extra)}")

    def text(self, key: str, required: bool = True, hint: str = "") -> str:
        value = self.table.get(key, "")
        if not isinstance(value, str):
            self.problem(f"'{key}' must be a string, not {_describe(value)}")
            return ""
        if required and not value.strip():
            self.problem(f"missing required field '{key}'{hint}")
        return nfc(value.strip("\n"))

    def localized(self, key: str, required: bool = True) -> Localized:
        return Localized(self.text(f"{key}_en", required), self.text(f"{key}_ko", required))

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.table.get(key, default)
        if value is None or value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"'{key}' must be an integer, not {_describe(value)}")
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"'{key}' must be true or false, not {_describe(value)}")
            return default
        return value

    def choice(self, key: str, values: tuple[str, ...], what: str | None = None) -> str:
        value = self.table.get(key)
        if value not in values:
            self.problem(f"unknown {what or key} {value!r}; expected one of {', '.join(values)}")
            return values[0]
        return value

    def strings(self, key: str, pattern: re.Pattern | None = None, what: str = "") -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"'{key}' must be a list of strings, not {_describe(value)}")
            return ()
        out = []
        for v in value:
            v = nfc(v.strip())
            if pattern is not None and not pattern.match(v):
                self.problem(f"{what or key} {v!r} is not valid in '{key}'")
                continue
            out.append(v)
        return tuple(out)

    def tables(self, key: str) -> list[dict]:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.problem(f"'{key}' must be a list of tables ([[...{key}]]), not {_describe(value)}")
            return []
        good = [v for v in value if isinstance(v, dict)]
        if len(good) != len(value):
            self.problem(f"each '{key}' entry must be a table, not {_describe(next(v for v in value if not isinstance(v, dict)))}")
        return good

    def sub(self, table: dict, where: str) -> "_Table":
        return _Table(self.problems, self.path, self.code, table, where)


def _docs(t: _Table) -> tuple[DocLink, ...]:
    out = []
    for i, raw in enumerate(t.tables("docs")):
        d = t.sub(raw, f"docs[{i}]: ")
        d.unknown(DOC_KEYS)
        slug = d.text("slug")
        title_en = d.text("title_en", required=False) or slug
        out.append(DocLink(slug, Localized(title_en, d.text("title_ko", required=False) or title_en)))
    return tuple(out)


def _load_category(problems: _Problems, path: Path, data: dict, require_ours: bool) -> tuple[Category, list]:
    raw = data.get("category")
    if not isinstance(raw, dict):
        problems.add(path, None, "missing [category] table")
        return None, []
    t = _Table(problems, path, None, raw)
    t.unknown(CATEGORY_KEYS)
    slug = raw.get("slug", "")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        t.problem(f"bad category slug {slug!r}")
    elif slug != path.stem:
        t.problem(f"category slug {slug!r} must match the file name")
    source = t.choice("source", SOURCES, "source")
    category = Category(
        slug=path.stem, order=t.integer("order", 99), source=source,
        title=t.localized("title"), intro=t.localized("intro", require_ours), docs=_docs(t), path=str(path))
    extra = sorted(set(data) - {"category", "codes"})
    if extra:
        problems.add(path, None, f"unknown top-level keys: {', '.join(extra)}")
    codes_raw = data.get("codes", [])
    if not isinstance(codes_raw, list) or not codes_raw:
        problems.add(path, None, "a category needs at least one [[codes]] entry")
        return category, []
    codes = []
    for raw_code in codes_raw:
        if not isinstance(raw_code, dict):
            problems.add(path, None, f"each [[codes]] entry must be a table, not {_describe(raw_code)}")
            continue
        entry = _load_code(problems, path, raw_code, category, require_ours)
        if entry is not None:
            codes.append(entry)
    return category, codes


def _guidance(t: _Table, required: bool) -> Guidance | None:
    if not GUIDANCE_KEYS & set(t.table):
        if required:
            t.problem("missing guidance (retry, who_acts, next_steps_en, next_steps_ko)")
        return None
    retry = t.choice("retry", RETRY_VALUES, "retry value")
    who = t.choice("who_acts", WHO_ACTS_VALUES, "who_acts value")
    wait = Localized(t.text("retry_wait_en", required=False), t.text("retry_wait_ko", required=False))
    if retry == "after_wait" and not (wait.en and wait.ko):
        t.problem("retry = \"after_wait\" needs retry_wait_en and retry_wait_ko (what must change)")
    if retry != "after_wait" and wait:
        t.problem("retry_wait_en/retry_wait_ko are only for retry = \"after_wait\"")
    en, ko = t.strings("next_steps_en"), t.strings("next_steps_ko")
    if not en or not ko or any(not s for s in en + ko):
        t.problem("next_steps_en and next_steps_ko need at least one non-empty step each")
    elif len(en) != len(ko):
        t.problem(f"next_steps_en has {len(en)} steps but next_steps_ko has {len(ko)}")
    elif len(en) > MAX_STEPS:
        t.problem(f"at most {MAX_STEPS} next steps, not {len(en)}")
    return Guidance(
        retry=retry, who_acts=who, retry_wait=wait,
        next_steps=tuple(Localized(a, b) for a, b in zip(en, ko)),
        states=t.strings("states", STATE_RE, "state"),
        request_fields=t.strings("request_fields", FIELD_RE, "request field"),
        inferred=t.boolean("guidance_inferred", True))


def _load_code(problems: _Problems, path: Path, raw: dict, category: Category, require_ours: bool):
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.add(path, _code_label(code), f"bad or missing code: {_describe(code)}, not a string of 3-6 digits")
        problems.rejected.add(_code_label(code) or "")
        return None
    t = _Table(problems, path, code, raw)
    t.unknown(OFFICIAL_CODE_KEYS | OUR_CODE_KEYS)
    if "name" not in raw:
        t.problem("missing required field 'name' (use \"\" where NCP published none)")
    name = t.text("name", required=False)
    aliases = t.strings("name_aliases")
    for n in (name, *aliases):
        if n and not NAME_RE.match(n):
            t.problem(f"name {n!r} is not UPPER_SNAKE_CASE")
    message = t.text("message")
    status = t.integer("http_status")
    if category.source == "api-gateway" and status is None:
        t.problem("API Gateway codes need their published http_status")
    if status is not None and not 100 <= status <= 599:
        t.problem(f"bad http_status {status!r}")
        status = None

    used = {int(i) for i in PLACEHOLDER_RE.findall(message)}
    placeholders = []
    for raw_p in t.tables("placeholders"):
        index = raw_p.get("index")
        p = t.sub(raw_p, f"placeholder {{{index}}}: " if isinstance(index, int) else "placeholder: ")
        p.unknown(PLACEHOLDER_KEYS)
        if isinstance(index, bool) or not isinstance(index, int):
            p.problem("each placeholder needs an integer 'index'")
            continue
        if index not in used:
            t.problem(f"placeholder {{{index}}} is explained but not used in the message")
        placeholders.append(Placeholder(index, p.localized("meaning", require_ours),
                                        p.text("example", require_ours)))
    explained = [p.index for p in placeholders]
    if len(explained) != len(set(explained)):
        t.problem("a placeholder is explained twice")
    missing = used - set(explained)
    if missing:
        t.problem("placeholders used in the message but not explained: "
                  + ", ".join("{%d}" % i for i in sorted(missing)))

    notes = []
    for i, raw_n in enumerate(t.tables("notes")):
        n = t.sub(raw_n, f"notes[{i}]: ")
        n.unknown(NOTE_KEYS)
        kind = raw_n.get("kind")
        if kind not in NOTE_KINDS:
            t.problem(f"unknown note kind {kind!r}; expected one of {', '.join(NOTE_KINDS)}")
            continue
        notes.append(Note(kind, Localized(n.text("en"), n.text("ko"))))

    ours = {k: t.localized(k, require_ours) for k in ("summary", "explanation", "fix")}
    return ErrorCode(
        code=code, name=name, name_aliases=aliases, message=message,
        description_ko=t.text("description_ko", required=False),
        http_status=status, source=category.source, category=category.slug,
        guidance=_guidance(t, require_ours and GUIDANCE_REQUIRED),
        related=t.strings("related", CODE_RE, "code"),
        placeholders=tuple(sorted(placeholders, key=lambda p: p.index)),
        notes=tuple(notes), docs=_docs(t), path=str(path), **ours,
    )


def _read_toml(problems: _Problems, path: Path) -> dict | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.add(path, None, f"not valid TOML: {exc}")
    except UnicodeDecodeError as exc:
        problems.add(path, None, f"not UTF-8: {exc}")
    except OSError as exc:
        problems.add(path, None, f"cannot be read: {exc.strerror or exc}")
    return None


def _iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _load_retired(problems: _Problems, path: Path, known_slugs: set[str]) -> list[RetiredCode]:
    data = _read_toml(problems, path)
    if data is None:
        return []
    top = _Table(problems, path, None, data)
    top.unknown({"codes"})
    out = []
    for raw in top.tables("codes"):
        code = raw.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems.add(path, _code_label(code), f"bad or missing code: {_describe(code)}, not a string of 3-6 digits")
            continue
        t = _Table(problems, path, code, raw)
        t.unknown(RETIRED_KEYS)
        cat = t.text("category")
        if cat and cat not in known_slugs:
            t.problem(f"unknown category {cat!r}")
        retired_on = t.text("retired_on")
        if retired_on and not _iso_date(retired_on):
            t.problem(f"retired_on {retired_on!r} is not a date (YYYY-MM-DD)")
        out.append(RetiredCode(
            code=code, name=t.text("name", required=False), message=t.text("message"), category=cat,
            retired_on=retired_on, note=t.localized("note"), replaced_by=t.strings("replaced_by", CODE_RE, "code")))
    return out


def load_catalog(data_dir: str | Path, require_ours: bool | frozenset[str] = True) -> Catalog:
    """Load and validate every data file; raise CatalogError listing every problem, each naming the
    file and the code.

    require_ours may be a set of category slugs whose project-written fields must be complete.
    """
    data_dir = Path(data_dir)
    problems = _Problems()
    files = sorted(p for p in data_dir.glob("*.toml") if p.name != RETIRED_FILE)
    if not files:
        problems.add(data_dir, None, "no category files (*.toml) found")
        problems.raise_if_any()
    digest = hashlib.sha256()
    categories, codes, seen = [], [], {}
    unreadable = False  # a file that does not parse hides its codes: cross-file checks would only mislead
    for path in files:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            pass  # reported by _read_toml
        data = _read_toml(problems, path)
        if data is None:
            unreadable = True
            continue
        strict = require_ours if isinstance(require_ours, bool) else path.stem in require_ours
        category, entries = _load_category(problems, path, data, strict)
        if category is None:
            continue
        categories.append(category)
        for entry in entries:
            if entry.code in seen:
                problems.add(path, entry.code, f"duplicate code, also defined in {seen[entry.code]}")
                continue
            seen[entry.code] = path.name
            codes.append(entry)

    if unreadable:
        problems.raise_if_any()
    by_code = {c.code: c for c in codes}
    for entry in codes:
        for rel in entry.related:
            if rel == entry.code:
                problems.add(entry.path, entry.code, "a code cannot be related to itself")
            elif rel not in by_code and rel not in problems.rejected:
                problems.add(entry.path, entry.code, f"related code {rel} does not exist")

    retired_path = data_dir / RETIRED_FILE
    retired: list[RetiredCode] = []
    if retired_path.exists():
        digest.update(retired_path.read_bytes())
        retired = _load_retired(problems, retired_path, {c.slug for c in categories})
    retired_codes = {r.code for r in retired}
    for r in retired:
        if r.code in by_code:
            problems.add(retired_path, r.code, "code is both retired and active")
        for rep in r.replaced_by:
            if rep not in by_code:
                problems.add(retired_path, r.code, f"replaced_by code {rep} does not exist")

    registry_path = data_dir / REGISTRY_FILE
    if registry_path.exists():
        published = {line.strip() for line in registry_path.read_text("utf-8").splitlines()
                     if line.strip() and not line.startswith("#")}
        gone = published - set(by_code) - retired_codes - problems.rejected
        if gone:
            problems.add(registry_path, None, "codes removed from the data without an entry in "
                         f"{RETIRED_FILE} (permalinks must not die): {', '.join(sorted(gone))}")
        unlisted = (set(by_code) | retired_codes) - published
        if unlisted:
            problems.add(registry_path, None, f"codes missing from the registry: {', '.join(sorted(unlisted))}")
    problems.raise_if_any()

    categories.sort(key=lambda c: (c.order, c.slug))
    order = {c.slug: i for i, c in enumerate(categories)}
    codes.sort(key=lambda c: (order[c.category], int(c.code)))
    return Catalog(tuple(categories), tuple(codes), tuple(retired), digest.hexdigest()[:16])
