"""What differs between a saved copy of NCP's table and the catalog's common codes."""
from __future__ import annotations

from dataclasses import dataclass

from .table import OFFICIAL_FIELDS, Official, parse_table, read_row, squash

@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Added:
    code: str
    fields: Official
    category: str
    after_code: str | None  # the row before it in the table, if we have that code


@dataclass(frozen=True)
class Removed:
    code: str
    fields: Official
    category: str


@dataclass(frozen=True)
class Changed:
    code: str
    category: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Diff:
    added: tuple[Added, ...]
    removed: tuple[Removed, ...]
    changed: tuple[Changed, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def official_of(entry) -> Official:
    return Official(entry.name, entry.message, entry.description_ko)


def diff(cat, table_text: str) -> Diff:
    """Compare a saved copy of the Live Station table with the catalog's common codes."""
    rows = parse_table(table_text)
    ours = {c.code: c for c in cat.codes if c.source == "common"}
    added, changed = [], []
    order = list(rows)
    for i, code in enumerate(order):
        entry = ours.get(code)
        if entry is None:
            before = next((c for c in reversed(order[:i]) if c in ours), None)
            after = next((c for c in order[i + 1:] if c in ours), None)
            neighbour = ours.get(before or after) if (before or after) else None
            category = neighbour.category if neighbour else _default_category(cat)
            added.append(Added(code, read_row(rows[code]), category, before))
            continue
        known = official_of(entry)
        now = read_row(rows[code], known)
        changes = tuple(FieldChange(f, known.get(f), now.get(f)) for f in OFFICIAL_FIELDS
                        if squash(known.get(f)) != squash(now.get(f)))
        if changes:
            changed.append(Changed(code, entry.category, changes))
    removed = tuple(Removed(c.code, official_of(c), c.category) for c in ours.values() if c.code not in rows)
    return Diff(tuple(added), removed, tuple(changed))


def _default_category(cat) -> str:
    return next(c.slug for c in cat.categories if c.source == "common")
