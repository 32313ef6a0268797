"""Writing a diff into data/ with tomlkit, keeping the files' comments and layout."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import tomlkit

import catalog as catalog_module
from changes import CHANGES_FILE

from .diff import Added, Changed, Diff, Removed
from .table import TABLE_FILE, UpstreamError

RETIRED_HEADER = ("Codes NCP no longer publishes. Their permalinks live on: each keeps a page that says it was "
                  "retired and what replaces it.")
NEW_CODE_COMMENT = ("ours: written by this project, not NCP. New in NCP's table on {day}: "
                    "fill in every field below (check-data fails until then).")
GUIDANCE_COMMENT = ("ours: what to do next: retry = no | after_fix | after_wait (+ retry_wait_en/_ko) | yes; "
                    "who_acts = caller | account | operator | ncp; states; request_fields; guidance_inferred; "
                    "next_steps_en/_ko (data/README.md)")
OUR_TEXT_KEYS = ("summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko")
CHANGE_SUMMARIES = {
    "added": ("NCP added this code to its error table.", "NCP가 오류 코드 표에 이 코드를 추가했습니다."),
    "retired": ("NCP removed this code from its error table; its page stays.",
                "NCP가 오류 코드 표에서 이 코드를 삭제했습니다. 이 페이지는 유지됩니다."),
    "changed": ("NCP changed the published {fields}.", "NCP가 공개한 내용이 바뀌었습니다({fields_ko})."),
}
FIELD_WORDS = {"name": ("name", "오류명"), "message": ("message", "응답 메시지"),
               "description_ko": ("Korean description", "설명")}


def toml_text(value: str):
    """A TOML string in the data files' style: one line, or a triple-quoted block opening on a new line."""
    if "\n" not in value:
        return tomlkit.string(value)
    item = tomlkit.string(value, multiline=True)
    if value.startswith("\n"):
        return item
    raw = item.as_string()[3:-3]
    return tomlkit.items.String(tomlkit.items.StringType.MLB, value, "\n" + raw, tomlkit.items.Trivia())


class DataFiles:
    """The TOML files of data/, parsed with their comments and layout, written back only if touched."""

    def __init__(self, data_dir: Path):
        self.data_dir, self.docs, self.touched = data_dir, {}, set()

    def doc(self, name: str) -> tomlkit.TOMLDocument:
        if name not in self.docs:
            path = self.data_dir / name
            self.docs[name] = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.document()
        return self.docs[name]

    def edit(self, name: str) -> tomlkit.TOMLDocument:
        self.touched.add(name)
        return self.doc(name)

    def category_files(self) -> list[str]:
        return sorted(p.name for p in self.data_dir.glob("*.toml")
                      if p.name not in (catalog_module.RETIRED_FILE, CHANGES_FILE))

    def write(self) -> list[Path]:
        written = []
        for name in sorted(self.touched):
            path = self.data_dir / name
            path.write_text(tomlkit.dumps(self.docs[name]), "utf-8")
            written.append(path)
        return written


def _codes(doc) -> list:
    if "codes" not in doc:
        doc["codes"] = tomlkit.aot()
    return doc["codes"]


def _index(doc, code: str) -> int:
    for i, table in enumerate(_codes(doc)):
        if table.get("code") == code:
            return i
    raise UpstreamError(f"code {code} is not in this file")


def _new_code_table(item: Added, day: date):
    table = tomlkit.table()
    table["code"] = item.code
    table["name"] = toml_text(item.fields.name)
    table["message"] = toml_text(item.fields.message)
    table["description_ko"] = toml_text(item.fields.description_ko)
    table.add(tomlkit.comment(NEW_CODE_COMMENT.format(day=day.isoformat())))
    for key in OUR_TEXT_KEYS:
        table[key] = ""
    table.add(tomlkit.comment(GUIDANCE_COMMENT))
    table["related"] = tomlkit.array()
    indexes = sorted({int(i) for i in catalog_module.PLACEHOLDER_RE.findall(item.fields.message)})
    if indexes:
        placeholders = tomlkit.aot()
        for index in indexes:
            p = tomlkit.table()
            p.update({"index": index, "meaning_en": "", "meaning_ko": "", "example": ""})
            placeholders.append(p)
        table["placeholders"] = placeholders
    return table


def _retired_table(item: Removed, day: date):
    table = tomlkit.table()
    table["code"] = item.code
    table["name"] = item.fields.name
    table["message"] = toml_text(item.fields.message)
    table["category"] = item.category
    table["retired_on"] = day.isoformat()
    table["note_en"] = f"Removed from NCP's published error table (noticed on {day.isoformat()})."
    table["note_ko"] = f"NCP가 공개한 오류 코드 표에서 삭제되었습니다({day.isoformat()} 확인)."
    table["replaced_by"] = tomlkit.array()
    return table


def _change_table(kind: str, code: str, day: date, change: Changed | None = None):
    table = tomlkit.table()
    table["date"] = day
    table["kind"] = kind
    table["codes"] = [code]
    en, ko = CHANGE_SUMMARIES[kind]
    if change is not None:
        fields = [c.field for c in change.changes]
        table["fields"] = fields
        en = en.format(fields=" and ".join(FIELD_WORDS[f][0] for f in fields))
        ko = ko.format(fields_ko="·".join(FIELD_WORDS[f][1] for f in fields))
        before, after = tomlkit.inline_table(), tomlkit.inline_table()
        for c in change.changes:
            before[c.field], after[c.field] = toml_text(c.before), toml_text(c.after)
        table["before"], table["after"] = before, after
    table["summary_en"], table["summary_ko"] = en, ko
    return table


def apply(found: Diff, data_dir: str | Path, table_text: str, day: date | None = None) -> list[Path]:
    """Write a diff into data/: fields changed in place, new codes to fill in, removed codes retired,
    the registry and the change log extended, and the saved table copied into data/upstream/."""
    data_dir, day = Path(data_dir), day or date.today()
    files = DataFiles(data_dir)
    log = []
    for change in found.changed:
        doc = files.edit(f"{change.category}.toml")
        entry = _codes(doc)[_index(doc, change.code)]
        for c in change.changes:
            entry[c.field] = toml_text(c.after)
        log.append(_change_table("changed", change.code, day, change))

    gone = {r.code for r in found.removed}
    for item in found.removed:
        doc = files.edit(f"{item.category}.toml")
        del _codes(doc)[_index(doc, item.code)]
        retired = files.edit(catalog_module.RETIRED_FILE)
        if "codes" not in retired and not retired.body:
            retired.add(tomlkit.comment(RETIRED_HEADER))
            retired.add(tomlkit.nl())
        _codes(retired).append(_retired_table(item, day))
        log.append(_change_table("retired", item.code, day))
    if gone:  # a related link to a retired code would fail validation: the page lists what replaces it
        for name in files.category_files():
            for entry in _codes(files.doc(name)):
                related = entry.get("related")
                if related is not None and any(r in gone for r in related):
                    files.touched.add(name)
                    for r in [r for r in related if r in gone]:
                        related.remove(r)

    for item in found.added:
        doc = files.edit(f"{item.category}.toml")
        codes = _codes(doc)
        at = len(codes)
        if item.after_code and any(t.get("code") == item.after_code for t in codes):
            at = _index(doc, item.after_code) + 1
        codes.insert(at, _new_code_table(item, day))
        retired = files.doc(catalog_module.RETIRED_FILE)
        if any(t.get("code") == item.code for t in retired.get("codes", ())):  # published again
            files.touched.add(catalog_module.RETIRED_FILE)
            del _codes(retired)[_index(retired, item.code)]
        log.append(_change_table("added", item.code, day))

    if log:
        changes = files.edit(CHANGES_FILE)
        if "changes" not in changes:
            changes["changes"] = tomlkit.aot()
        for table in log:
            changes["changes"].append(table)
    written = files.write()
    if found.added:
        written.append(_extend_registry(data_dir / catalog_module.REGISTRY_FILE, [a.code for a in found.added]))
    table_path = data_dir / "upstream" / TABLE_FILE
    if not table_path.exists() or table_path.read_text("utf-8") != table_text:
        table_path.parent.mkdir(parents=True, exist_ok=True)
        table_path.write_text(table_text, "utf-8")
        written.append(table_path)
    return written


def _extend_registry(path: Path, codes: list[str]) -> Path:
    """Add codes to published-codes.txt, keeping its comments and its numeric order."""
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    comments = [line for line in lines if line.startswith("#")]
    listed = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    path.write_text("\n".join(comments + sorted(listed | set(codes), key=int)) + "\n", "utf-8")
    return path
