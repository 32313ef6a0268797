"""The error-code catalog: loads data/*.toml into frozen objects and validates them (no Flask)."""
from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

DOCS_BASE = "https://api.ncloud-docs.com/docs/"
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
PLACEHOLDER_RE = re.compile(r"\{(\d+)\}")
CODE_RE = re.compile(r"^\d{3,6}$")
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")

OFFICIAL_CODE_KEYS = {"code", "name", "name_aliases", "message", "description_ko", "http_status"}
OUR_CODE_KEYS = {
    "summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko",
    "related", "placeholders", "notes", "docs",
}
REQUIRED_OURS = ("summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko")
CATEGORY_KEYS = {"slug", "order", "source", "title_en", "title_ko", "intro_en", "intro_ko", "docs"}


class CatalogError(Exception):
    """A data file is inconsistent; the message names the file and, where known, the code."""

    def __init__(self, path: Path | str, message: str, code: str | None = None):
        self.path, self.code = str(path), code
        where = f"{path}" + (f" [code {code}]" if code else "")
        super().__init__(f"{where}: {message}")


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the form all catalog text is kept in."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class DocLink:
    slug: str
    title_en: str
    title_ko: str

    @property
    def url(self) -> str:
        return DOCS_BASE + self.slug


@dataclass(frozen=True)
class Placeholder:
    """One {n} argument of a message template, explained by this project."""

    index: int
    meaning_en: str
    meaning_ko: str
    example: str

    @property
    def token(self) -> str:
        return "{%d}" % self.index


@dataclass(frozen=True)
class Note:
    kind: str
    en: str
    ko: str


@dataclass(frozen=True)
class Category:
    slug: str
    order: int
    source: str
    title_en: str
    title_ko: str
    intro_en: str
    intro_ko: str
    docs: tuple[DocLink, ...]
    path: str

    def title(self, lang: str) -> str:
        return self.title_ko if lang == "ko" else self.title_en

    def intro(self, lang: str) -> str:
        return self.intro_ko if lang == "ko" else self.intro_en


@dataclass(frozen=True)
class ErrorCode:
    """One error code: NCP's published fields, then the fields this project writes."""

    # official, verbatim from NCP
    code: str
    name: str
    message: str
    description_ko: str
    http_status: int | None
    source: str
    category: str
    name_aliases: tuple[str, ...] = ()
    # ours
    summary_en: str = ""
    summary_ko: str = ""
    explanation_en: str = ""
    explanation_ko: str = ""
    fix_en: str = ""
    fix_ko: str = ""
    related: tuple[str, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()
    notes: tuple[Note, ...] = ()
    docs: tuple[DocLink, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        """The name, or the message where NCP published no name."""
        return self.name or self.message

    @property
    def placeholder_indexes(self) -> tuple[int, ...]:
        return tuple(sorted({int(i) for i in PLACEHOLDER_RE.findall(self.message)}))

    def summary(self, lang: str) -> str:
        return self.summary_ko if lang == "ko" else self.summary_en

    def explanation(self, lang: str) -> str:
        return self.explanation_ko if lang == "ko" else self.explanation_en

    def fix(self, lang: str) -> str:
        return self.fix_ko if lang == "ko" else self.fix_en

    def example_message(self) -> str:
        """The message with every placeholder replaced by its example value."""
        values = {p.index: p.example for p in self.placeholders}
        return PLACEHOLDER_RE.sub(lambda m: values.get(int(m.group(1)), m.group(0)), self.message)

    def as_dict(self) -> dict:
        """Every field as plain JSON-ready data; official and project-written fields kept apart."""
        return {
            "code": self.code, "name": self.name, "name_aliases": list(self.name_aliases),
            "message": self.message, "description_ko": self.description_ko,
            "category": self.category, "source": self.source, "http_status": self.http_status,
            "placeholders": [
                {"index": p.index, "token": p.token, "meaning_en": p.meaning_en, "meaning_ko": p.meaning_ko,
                 "example": p.example} for p in self.placeholders],
            "summary_en": self.summary_en, "summary_ko": self.summary_ko,
            "explanation_en": self.explanation_en, "explanation_ko": self.explanation_ko,
            "fix_en": self.fix_en, "fix_ko": self.fix_ko,
            "notes": [{"kind": n.kind, "en": n.en, "ko": n.ko} for n in self.notes],
            "related": list(self.related),
            "docs": [{"url": d.url, "title_en": d.title_en, "title_ko": d.title_ko} for d in self.docs],
            "example_body": self.example_body(),
            "official_fields": ["code", "name", "name_aliases", "message", "description_ko"]
            + (["http_status"] if self.source == "api-gateway" else []),
        }

    def example_body(self) -> dict:
        """The JSON error body this code comes back in, in the documented shape for its source."""
        if self.source == "api-gateway":
            return {"error": {"errorCode": self.code, "message": self.message}}
        return {"error": {"errorCode": int(self.code), "message": self.example_message(),
                          "errorName": self.name}}


@dataclass(frozen=True)
class RetiredCode:
    """A code that was removed from the data: its permalink keeps a page that says so."""

    code: str
    name: str
    message: str
    category: str
    retired_on: str
    note_en: str
    note_ko: str
    replaced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]
    codes: tuple[ErrorCode, ...]
    retired: tuple[RetiredCode, ...]
    fingerprint: str
    _by_code: dict = field(repr=False, compare=False, default_factory=dict)
    _by_name: dict = field(repr=False, compare=False, default_factory=dict)
    _by_category: dict = field(repr=False, compare=False, default_factory=dict)
    _retired_by_code: dict = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        self._by_code.update({c.code: c for c in self.codes})
        for c in self.codes:
            for name in (c.name, *c.name_aliases):
                if name:
                    self._by_name.setdefault(name.upper(), []).append(c)
            self._by_category.setdefault(c.category, []).append(c)
        self._retired_by_code.update({r.code: r for r in self.retired})

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> ErrorCode | None:
        return self._by_code.get(code)

    def get_retired(self, code: str) -> RetiredCode | None:
        return self._retired_by_code.get(code)

    def by_name(self, name: str) -> tuple[ErrorCode, ...]:
        """Every code published under this name (any letter case); usually one, sometimes two."""
        return tuple(self._by_name.get(name.strip().upper(), ()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def in_category(self, slug: str) -> tuple[ErrorCode, ...]:
        return tuple(self._by_category.get(slug, ()))

    def nearest(self, code: str, count: int = 5) -> tuple[ErrorCode, ...]:
        """The existing codes numerically closest to a code that does not exist."""
        digits = re.sub(r"\D", "", code)[:9]
        if not digits:
            return ()
        target = int(digits)
        same_len = [c for c in self.codes if len(c.code) == len(digits)] or list(self.codes)
        return tuple(sorted(same_len, key=lambda c: (abs(int(c.code) - target), int(c.code)))[:count])

    def same_message(self, entry: ErrorCode) -> tuple[ErrorCode, ...]:
        """Other codes whose published message is identical to this one's."""
        return tuple(c for c in self.codes if c is not entry and c.message == entry.message)


# ---------------------------------------------------------------------------- loading

def _text(path, code, table, key, required=True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise CatalogError(path, f"'{key}' must be a string", code)
    if required and not value.strip():
        raise CatalogError(path, f"missing required field '{key}'", code)
    return nfc(value.strip("\n"))


def _docs(path, code, raw) -> tuple[DocLink, ...]:
    out = []
    for d in raw or ():
        if not isinstance(d, dict) or not d.get("slug"):
            raise CatalogError(path, "each docs entry needs a 'slug'", code)
        out.append(DocLink(d["slug"], nfc(d.get("title_en", d["slug"])), nfc(d.get("title_ko", d.get("title_en", d["slug"])))))
    return tuple(out)


def _load_category(path: Path, data: dict, require_ours: bool) -> tuple[Category, list[ErrorCode]]:
    table = data.get("category")
    if not isinstance(table, dict):
        raise CatalogError(path, "missing [category] table")
    unknown = set(table) - CATEGORY_KEYS
    if unknown:
        raise CatalogError(path, f"unknown [category] keys: {', '.join(sorted(unknown))}")
    slug = table.get("slug", "")
    if not re.fullmatch(r"[a-z0-9-]+", slug or ""):
        raise CatalogError(path, f"bad category slug {slug!r}")
    if slug != path.stem:
        raise CatalogError(path, f"category slug {slug!r} must match the file name")
    source = table.get("source")
    if source not in SOURCES:
        raise CatalogError(path, f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    category = Category(
        slug=slug, order=int(table.get("order", 99)), source=source,
        title_en=_text(path, None, table, "title_en"), title_ko=_text(path, None, table, "title_ko"),
        intro_en=_text(path, None, table, "intro_en", require_ours),
        intro_ko=_text(path, None, table, "intro_ko", require_ours),
        docs=_docs(path, None, table.get("docs")), path=str(path),
    )
    codes = [_load_code(path, raw, category, require_ours) for raw in data.get("codes", [])]
    if not codes:
        raise CatalogError(path, "a category needs at least one [[codes]] entry")
    return category, codes


def _load_code(path: Path, raw: dict, category: Category, require_ours: bool) -> ErrorCode:
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise CatalogError(path, f"bad or missing code {code!r} (a string of 3-6 digits)", str(code))
    unknown = set(raw) - OFFICIAL_CODE_KEYS - OUR_CODE_KEYS
    if unknown:
        raise CatalogError(path, f"unknown keys: {', '.join(sorted(unknown))}", code)
    if "name" not in raw:
        raise CatalogError(path, "missing required field 'name' (use \"\" where NCP published none)", code)
    name = _text(path, code, raw, "name", required=False)
    aliases = tuple(raw.get("name_aliases", ()))
    for n in (name, *aliases):
        if n and not NAME_RE.match(n):
            raise CatalogError(path, f"name {n!r} is not UPPER_SNAKE_CASE", code)
    message = _text(path, code, raw, "message")
    status = raw.get("http_status")
    if category.source == "api-gateway" and not isinstance(status, int):
        raise CatalogError(path, "API Gateway codes need their published http_status", code)
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        raise CatalogError(path, f"bad http_status {status!r}", code)

    used = {int(i) for i in PLACEHOLDER_RE.findall(message)}
    placeholders = []
    for p in raw.get("placeholders", ()):
        index = p.get("index")
        if not isinstance(index, int):
            raise CatalogError(path, "each placeholder needs an integer 'index'", code)
        if index not in used:
            raise CatalogError(path, f"placeholder {{{index}}} is explained but not used in the message", code)
        placeholders.append(Placeholder(
            index, _text(path, code, p, "meaning_en", require_ours), _text(path, code, p, "meaning_ko", require_ours),
            _text(path, code, p, "example", require_ours)))
    explained = [p.index for p in placeholders]
    if len(explained) != len(set(explained)):
        raise CatalogError(path, "a placeholder is explained twice", code)
    missing = used - set(explained)
    if missing:
        raise CatalogError(path, "placeholders used in the message but not explained: "
                           + ", ".join("{%d}" % i for i in sorted(missing)), code)

    notes = []
    for n in raw.get("notes", ()):
        if n.get("kind") not in NOTE_KINDS:
            raise CatalogError(path, f"unknown note kind {n.get('kind')!r}; expected one of {', '.join(NOTE_KINDS)}", code)
        notes.append(Note(n["kind"], _text(path, code, n, "en"), _text(path, code, n, "ko")))

    related = raw.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        raise CatalogError(path, "'related' must be a list of code strings", code)

    ours = {k: _text(path, code, raw, k, require_ours) for k in REQUIRED_OURS}
    return ErrorCode(
        code=code, name=name, name_aliases=aliases, message=message,
        description_ko=_text(path, code, raw, "description_ko", required=False),
        http_status=status, source=category.source, category=category.slug,
        related=tuple(related), placeholders=tuple(sorted(placeholders, key=lambda p: p.index)),
        notes=tuple(notes), docs=_docs(path, code, raw.get("docs")), path=str(path), **ours,
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path, f"not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(path, f"not UTF-8: {exc}") from exc


def _load_retired(path: Path, known_slugs: set[str]) -> list[RetiredCode]:
    if not path.exists():
        return []
    out = []
    for raw in _read_toml(path).get("codes", []):
        code = raw.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise CatalogError(path, f"bad or missing code {code!r}", str(code))
        cat = raw.get("category", "")
        if cat not in known_slugs:
            raise CatalogError(path, f"unknown category {cat!r}", code)
        out.append(RetiredCode(
            code=code, name=raw.get("name", ""), message=_text(path, code, raw, "message"), category=cat,
            retired_on=_text(path, code, raw, "retired_on"), note_en=_text(path, code, raw, "note_en"),
            note_ko=_text(path, code, raw, "note_ko"), replaced_by=tuple(raw.get("replaced_by", ())),
        ))
    return out


def load_catalog(data_dir: str | Path, require_ours: bool | frozenset[str] = True) -> Catalog:
    """Load and validate every data file; raise CatalogError naming the file and code on any problem.

    require_ours may be a set of category slugs whose project-written fields must be complete.
    """
    data_dir = Path(data_dir)
    files = sorted(p for p in data_dir.glob("*.toml") if p.name != RETIRED_FILE)
    if not files:
        raise CatalogError(data_dir, "no category files (*.toml) found")
    digest = hashlib.sha256()
    categories, codes, seen = [], [], {}
    for path in files:
        raw_bytes = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw_bytes)
        strict = require_ours if isinstance(require_ours, bool) else path.stem in require_ours
        category, entries = _load_category(path, _read_toml(path), strict)
        categories.append(category)
        for entry in entries:
            if entry.code in seen:
                raise CatalogError(path, f"duplicate code, also defined in {seen[entry.code]}", entry.code)
            seen[entry.code] = path.name
            codes.append(entry)

    by_code = {c.code: c for c in codes}
    for entry in codes:
        for rel in entry.related:
            if rel == entry.code:
                raise CatalogError(entry.path, "a code cannot be related to itself", entry.code)
            if rel not in by_code:
                raise CatalogError(entry.path, f"related code {rel} does not exist", entry.code)

    retired_path = data_dir / RETIRED_FILE
    if retired_path.exists():
        digest.update(retired_path.read_bytes())
    retired = _load_retired(retired_path, {c.slug for c in categories})
    for r in retired:
        if r.code in by_code:
            raise CatalogError(retired_path, "code is both retired and active", r.code)

    registry_path = data_dir / REGISTRY_FILE
    if registry_path.exists():
        published = {line.strip() for line in registry_path.read_text("utf-8").splitlines()
                     if line.strip() and not line.startswith("#")}
        gone = published - set(by_code) - {r.code for r in retired}
        if gone:
            raise CatalogError(registry_path, "codes removed from the data without an entry in "
                               f"{RETIRED_FILE} (permalinks must not die): {', '.join(sorted(gone))}")
        unlisted = set(by_code) - published
        if unlisted:
            raise CatalogError(registry_path, f"codes missing from the registry: {', '.join(sorted(unlisted))}")

    categories.sort(key=lambda c: (c.order, c.slug))
    order = {c.slug: i for i, c in enumerate(categories)}
    codes.sort(key=lambda c: (order[c.category], int(c.code)))
    return Catalog(tuple(categories), tuple(codes), tuple(retired), digest.hexdigest()[:16])
