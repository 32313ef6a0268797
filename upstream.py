"""Following NCP's error table: read a saved copy of the page, compare it with data/, write the changes (no Flask)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
import tomlkit

import catalog as catalog_module
from changes import CHANGES_FILE

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


# ------------------------------------------------------------------------------ diff

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


# ----------------------------------------------------------------------------- apply

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


# ------------------------------------------------------------------------------- CLI

def _value_lines(label: str, value: str, mark: str = "") -> list[str]:
    lines = value.split("\n") if value else [""]
    pad = " " * (len(label) + len(mark) + 6)
    return [f"    {mark}{label}: {lines[0]}" if value else f"    {mark}{label}: (empty)"] + [pad + line for line in lines[1:]]


def format_report(found: Diff, source: str) -> str:
    """The differences, NCP's text verbatim (line breaks kept), for a terminal."""
    out = [f"{source} against data/: {len(found.added)} added, {len(found.removed)} removed, "
           f"{len(found.changed)} changed"]
    if found.added:
        out.append("Added:")
        for a in found.added:
            out.append(f"  {a.code} -> data/{a.category}.toml")
            for f in OFFICIAL_FIELDS:
                out += _value_lines(f, a.fields.get(f))
    if found.removed:
        out.append("Removed:")
        for r in found.removed:
            out.append(f"  {r.code} (data/{r.category}.toml)")
            for f in OFFICIAL_FIELDS:
                out += _value_lines(f, r.fields.get(f))
    if found.changed:
        out.append("Changed:")
        for c in found.changed:
            out.append(f"  {c.code} (data/{c.category}.toml)")
            for fc in c.changes:
                out += _value_lines(fc.field, fc.before, "- ") + _value_lines(fc.field, fc.after, "+ ")
    return "\n".join(out)


@click.command("diff-upstream")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "do_apply", is_flag=True, help="Write the differences into data/ and data/upstream/.")
@click.option("--data-dir", default=str(Path(__file__).resolve().parent / "data"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
@click.option("--date", "day", default=None, help="Date of the change log entries (YYYY-MM-DD; default today).")
def diff_upstream_command(table: Path, do_apply: bool, data_dir: Path, day: str | None) -> None:
    """Compare a newly saved copy of NCP's Live Station error-code page with data/ (and --apply it)."""
    try:
        text = table.read_text("utf-8")
        cat = catalog_module.load_catalog(data_dir, require_ours=False)
        found = diff(cat, text)
        when = date.fromisoformat(day) if day else date.today()
    except (UpstreamError, catalog_module.CatalogError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_report(found, str(table)))
    if not do_apply:
        if found:
            click.echo("Run again with --apply to write these changes into data/.")
        return
    for path in apply(found, data_dir, text, when):
        click.echo(f"wrote {path}")
    try:
        catalog_module.load_catalog(data_dir)
    except catalog_module.CatalogError as exc:
        click.echo(f"check-data will fail until the fields marked ours are written:\n{exc}", err=True)
