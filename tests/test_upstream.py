"""Following NCP's table: reading the saved page, reporting differences verbatim, applying them to data/."""
import difflib
import tomllib
from datetime import date
from pathlib import Path

import pytest
import tomlkit

import upstream
from changes import CHANGES_FILE
from catalog import CatalogError, load_catalog
from support import ROOT

TABLE = ROOT / "data" / "upstream" / upstream.TABLE_FILE
DAY = date(2026, 12, 1)

ADDED_ROW = ("250175 SNAPSHOT_LIMIT_EXCEEDED The snapshot limit is set.\nNo more than {0} snapshots can be kept.\n"
             "스냅샷 생성 한도 초과")
EDITS = [  # (before, after) on the real table: one code added, one removed, a message changed, a name's typo fixed
    ("250174 SNAPSHOT_EXPIRED Short clip create not allowed: Snapshot expired.\n",
     "250174 SNAPSHOT_EXPIRED Short clip create not allowed: Snapshot expired.\n" + ADDED_ROW + "\n"),
    ("250707 BUCKET_LOAD_ERROR Could not find object bucket.\n", ""),
    ("250106 STOP_TEST_PUBLISH_FAILED Stop publish failed", "250106 STOP_TEST_PUBLISH_FAILED Stopping the test publish failed."),
    ("250128 INVALID_TARGET_PLARFORM_STANDARD", "250128 INVALID_TARGET_PLATFORM_STANDARD"),
]
GUIDANCE = {"retry": "after_wait", "retry_wait_en": "An old snapshot must be deleted.",
            "retry_wait_ko": "이전 스냅샷을 삭제해야 합니다.", "who_acts": "operator", "states": [], "request_fields": [],
            "guidance_inferred": True, "next_steps_en": ["Delete a snapshot you no longer need."],
            "next_steps_ko": ["필요 없는 스냅샷을 삭제해 주십시오."]}


def edited_table() -> str:
    text = TABLE.read_text("utf-8")
    for before, after in EDITS:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text


def saved_edited_page(folder: Path) -> Path:
    """The edited table saved as a page in folder, as a maintainer would save NCP's page."""
    path = folder / "saved-page.txt"
    path.write_text(edited_table(), "utf-8")
    return path


def test_every_published_row_reads_into_the_catalog_fields_without_hints(catalog):
    rows = upstream.parse_table(TABLE.read_text("utf-8"))
    assert len(rows) == 211
    for code, row in rows.items():
        text = row.text
        if code in upstream.READINGS:
            text = upstream.squash(text).replace(*upstream.READINGS[code])
        fields = upstream.split_row(text)
        entry = catalog.get(code)
        for f in upstream.OFFICIAL_FIELDS:
            assert upstream.squash(fields.get(f)) == upstream.squash(getattr(entry, f)), (code, f)


def test_the_saved_table_has_no_differences_with_the_data(catalog):
    assert not upstream.diff(catalog, TABLE.read_text("utf-8"))


def test_report_names_every_difference_verbatim(catalog):
    found = upstream.diff(catalog, edited_table())
    assert [a.code for a in found.added] == ["250175"]
    added = found.added[0]
    assert added.fields == upstream.Official("SNAPSHOT_LIMIT_EXCEEDED",
                                             "The snapshot limit is set.\nNo more than {0} snapshots can be kept.",
                                             "스냅샷 생성 한도 초과")
    assert (added.category, added.after_code) == ("snapshot-short-clip", "250174")
    assert [(r.code, r.category) for r in found.removed] == [("250707", "recording")]
    changes = {c.code: [(f.field, f.before, f.after) for f in c.changes] for c in found.changed}
    assert changes == {
        "250106": [("message", "Stop publish failed", "Stopping the test publish failed.")],
        "250128": [("name", "INVALID_TARGET_PLARFORM_STANDARD", "INVALID_TARGET_PLATFORM_STANDARD")],
    }
    report = upstream.format_report(found, "saved-page.txt")
    assert "1 added, 1 removed, 2 changed" in report
    for text in ("250175", "    message: The snapshot limit is set.\n", "No more than {0} snapshots can be kept.",
                 "description_ko: 스냅샷 생성 한도 초과", "250707", "Could not find object bucket.",
                 "- message: Stop publish failed", "+ message: Stopping the test publish failed.",
                 "- name: INVALID_TARGET_PLARFORM_STANDARD", "+ name: INVALID_TARGET_PLATFORM_STANDARD"):
        assert text in report, text


def test_whitespace_and_line_breaks_are_not_changes(catalog):
    text = TABLE.read_text("utf-8").replace("250100 CHANNEL_NOT_FOUND Channel is not found",
                                            "250100  CHANNEL_NOT_FOUND Channel is\nnot found")
    assert not upstream.diff(catalog, text)


def test_a_changed_korean_description_is_told_apart_from_the_message(catalog):
    text = TABLE.read_text("utf-8").replace("DVR 이 설정되지 않은 채널", "DVR 이 설정되지 않은 채널입니다")
    (change,) = upstream.diff(catalog, text).changed
    assert [(f.field, f.after) for f in change.changes] == [("description_ko", "DVR 이 설정되지 않은 채널입니다")]


def test_a_table_with_a_code_twice_is_refused():
    with pytest.raises(upstream.UpstreamError, match="code 250100 appears twice"):
        upstream.parse_table(TABLE.read_text("utf-8") + "\n250100 CHANNEL_NOT_FOUND Channel is not found")


def fill_ours(data_dir: Path, file: str, code: str) -> None:
    """What a writer does after --apply: the project-written fields of a new code."""
    path = data_dir / file
    doc = tomlkit.parse(path.read_text("utf-8"))
    entry = next(t for t in doc["codes"] if t["code"] == code)
    for key in upstream.OUR_TEXT_KEYS:
        entry[key] = "스냅샷 한도를 넘었습니다." if key.endswith("_ko") else "Too many snapshots."
    for p in entry.get("placeholders", ()):
        p.update({"meaning_en": "The limit (inferred).", "meaning_ko": "한도 (추정)", "example": "10"})
    for key, value in GUIDANCE.items():
        entry[key] = value
    path.write_text(tomlkit.dumps(doc), "utf-8")


def test_apply_round_trips_into_valid_data(data_copy, tmp_path):
    edited = saved_edited_page(tmp_path)
    found = upstream.diff(load_catalog(data_copy), edited.read_text("utf-8"))
    before = {p.name: p.read_text("utf-8") for p in data_copy.glob("*.toml")}
    written = upstream.apply(found, data_copy, edited.read_text("utf-8"), DAY)
    assert {p.name for p in written} >= {"channel.toml", "recording.toml", "snapshot-short-clip.toml",
                                          "retired.toml", CHANGES_FILE, "published-codes.txt",
                                          upstream.TABLE_FILE}

    # until a writer fills the new code's fields, validation refuses the data and says what is missing
    with pytest.raises(CatalogError, match=r"snapshot-short-clip\.toml \[code 250175\]: missing required field 'summary_en'") as exc:
        load_catalog(data_copy)
    assert "[code 250175]: missing guidance" in str(exc.value)
    assert all(p.code == "250175" for p in exc.value.problems)  # nothing else is broken
    fill_ours(data_copy, "snapshot-short-clip.toml", "250175")
    cat = load_catalog(data_copy)
    assert not upstream.diff(cat, edited.read_text("utf-8"))
    assert not upstream.diff(cat, (data_copy / "upstream" / upstream.TABLE_FILE).read_text("utf-8"))

    new = cat.get("250175")
    assert (new.name, new.message, new.description_ko, new.category) == (
        "SNAPSHOT_LIMIT_EXCEEDED", "The snapshot limit is set.\nNo more than {0} snapshots can be kept.",
        "스냅샷 생성 한도 초과", "snapshot-short-clip")
    assert cat.get("250106").message == "Stopping the test publish failed."
    assert cat.get("250128").name == "INVALID_TARGET_PLATFORM_STANDARD"
    assert cat.get("250707") is None
    retired = cat.get_retired("250707")
    assert (retired.name, retired.message, retired.category, retired.retired_on) == (
        "BUCKET_LOAD_ERROR", "Could not find object bucket.", "recording", "2026-12-01")
    assert all("250707" not in c.related for c in cat.codes)
    assert "250175" in (data_copy / "published-codes.txt").read_text("utf-8").split()

    log = tomllib.loads((data_copy / CHANGES_FILE).read_text("utf-8"))["changes"]
    assert [(c["kind"], c["codes"], c.get("fields")) for c in log[-4:]] == [
        ("changed", ["250106"], ["message"]), ("changed", ["250128"], ["name"]),
        ("retired", ["250707"], None), ("added", ["250175"], None)]
    assert log[-3]["before"] == {"name": "INVALID_TARGET_PLARFORM_STANDARD"}
    assert log[-3]["after"] == {"name": "INVALID_TARGET_PLATFORM_STANDARD"}
    assert all(c["date"] == DAY for c in log[-4:])

    # comments and layout survive: only the edited lines of channel.toml differ
    after = (data_copy / "channel.toml").read_text("utf-8")
    changed = [line for line in difflib.unified_diff(before["channel.toml"].splitlines(), after.splitlines(), n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ['-message = "Stop publish failed"', '+message = "Stopping the test publish failed."',
                       '-name = "INVALID_TARGET_PLARFORM_STANDARD"', '+name = "INVALID_TARGET_PLATFORM_STANDARD"']
    for name in ("common.toml", "quality.toml", "api-gateway.toml"):
        assert (data_copy / name).read_text("utf-8") == before[name]
    assert after.count("# ours: written by this project, not NCP") == before["channel.toml"].count(
        "# ours: written by this project, not NCP")


def test_a_multiline_official_field_keeps_the_data_files_style(data_copy, tmp_path):
    edited = saved_edited_page(tmp_path)
    found = upstream.diff(load_catalog(data_copy), edited.read_text("utf-8"))
    upstream.apply(found, data_copy, edited.read_text("utf-8"), DAY)
    text = (data_copy / "snapshot-short-clip.toml").read_text("utf-8")
    assert ('code = "250175"\nname = "SNAPSHOT_LIMIT_EXCEEDED"\nmessage = """\nThe snapshot limit is set.\n'
            'No more than {0} snapshots can be kept."""\ndescription_ko = "스냅샷 생성 한도 초과"\n') in text


def test_command_reports_then_applies(runner, data_copy, tmp_path):
    edited = saved_edited_page(tmp_path)
    result = runner.invoke(args=["diff-upstream", str(edited), "--data-dir", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 removed, 2 changed" in result.output and "--apply" in result.output
    assert (data_copy / "upstream" / upstream.TABLE_FILE).read_text("utf-8") == TABLE.read_text("utf-8")

    result = runner.invoke(args=["diff-upstream", str(edited), "--data-dir", str(data_copy), "--apply",
                                 "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "wrote " in result.output
    assert "check-data will fail until" in result.output and "[code 250175]" in result.output
    result = runner.invoke(args=["diff-upstream", str(edited), "--data-dir", str(data_copy)])
    assert "0 added, 0 removed, 0 changed" in result.output


def test_command_refuses_an_unreadable_table(runner, tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("nothing like a table\n", "utf-8")
    result = runner.invoke(args=["diff-upstream", str(path)])
    assert result.exit_code != 0 and "no rows found" in result.output
