"""The change log (data/changes.toml): what changed in NCP's table and when, checked against the catalog (no Flask)."""
from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

from catalog import CatalogError, Localized, Problem, display_path

CHANGES_FILE = "changes.toml"
KINDS = ("added", "changed", "retired")
FIELDS = ("name", "message", "description_ko", "http_status")
KEYS = {"date", "kind", "codes", "fields", "before", "after", "summary_en", "summary_ko"}


@dataclass(frozen=True)
class Change:
    """One entry of the log: a date, what happened, to which codes; `number` is its place in the file."""

    number: int
    date: datetime.date
    kind: str
    codes: tuple[str, ...]
    summary: Localized
    fields: tuple[str, ...] = ()
    before: tuple[tuple[str, str], ...] = ()  # (field, official text before the change)
    after: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ChangeLog:
    changes: tuple[Change, ...]  # in file order, oldest first

    def newest_first(self) -> tuple[Change, ...]:
        return tuple(sorted(self.changes, key=lambda c: (c.date, c.number), reverse=True))

    def for_code(self, code: str) -> tuple[Change, ...]:
        return tuple(c for c in self.newest_first() if code in c.codes)

    @property
    def updated(self) -> datetime.date | None:
        return max((c.date for c in self.changes), default=None)

    def __len__(self) -> int:
        return len(self.changes)


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _texts(value) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict) or not all(isinstance(v, (str, int)) for v in value.values()):
        return None
    return tuple((k, str(v)) for k, v in value.items())


def load_changes(data_dir: str | Path, cat) -> ChangeLog:
    """Read data/changes.toml (none is an empty log); raise CatalogError listing every problem."""
    path = Path(data_dir) / CHANGES_FILE
    if not path.exists():
        return ChangeLog(())
    problems: list[Problem] = []
    where = display_path(path)

    def problem(code, message):
        problems.append(Problem(where, code, message))

    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"not valid TOML: {exc}") from exc
    extra = sorted(set(raw) - {"changes"})
    if extra:
        problem(None, f"unknown keys: {', '.join(extra)} (entries are [[changes]] tables)")
    entries = raw.get("changes", [])
    if not isinstance(entries, list):
        raise CatalogError(path, "'changes' must be [[changes]] tables")
    active, retired = {c.code for c in cat.codes}, {r.code for r in cat.retired}
    out = []
    for number, t in enumerate(entries, 1):
        if not isinstance(t, dict):
            problem(None, f"entry {number}: not a table")
            continue
        codes = t.get("codes")
        label = codes[0] if isinstance(codes, list) and len(codes) == 1 and isinstance(codes[0], str) else None

        def bad(message, label=label, number=number):
            problem(label, f"entry {number}: {message}")

        extra = sorted(set(t) - KEYS)
        if extra:
            bad(f"unknown keys: {', '.join(extra)}")
        day = _date(t.get("date"))
        if day is None:
            bad(f"date {t.get('date')!r} is not a date (YYYY-MM-DD)")
        kind = t.get("kind")
        if kind not in KINDS:
            bad(f"kind {kind!r}; expected one of {', '.join(KINDS)}")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            bad("'codes' must be a non-empty list of code strings")
            codes = []
        for code in codes:
            if kind == "retired" and code not in retired:
                bad(f"code {code} is not in retired.toml")
            elif kind != "retired" and code not in active and code not in retired:
                bad(f"code {code} is neither in the catalog nor retired")
        fields = t.get("fields", [])
        if not isinstance(fields, list) or any(f not in FIELDS for f in fields):
            bad(f"'fields' must list some of {', '.join(FIELDS)}")
            fields = []
        if kind == "changed" and not fields:
            bad("a 'changed' entry names the fields that changed")
        before, after = _texts(t.get("before", {})), _texts(t.get("after", {}))
        if before is None or after is None:
            bad("'before' and 'after' must be tables of field = text")
            before, after = (), ()
        elif any(f not in fields for f, _ in before + after):
            bad("'before' and 'after' may only hold the fields listed in 'fields'")
        summary = []
        for key in ("summary_en", "summary_ko"):
            value = t.get(key)
            if not isinstance(value, str) or not value.strip():
                bad(f"missing required field '{key}'")
                value = ""
            summary.append(value.strip())
        if day is not None and kind in KINDS:
            out.append(Change(number, day, kind, tuple(codes), Localized(*summary), tuple(fields), before, after))
    if problems:
        raise CatalogError(problems)
    return ChangeLog(tuple(out))
