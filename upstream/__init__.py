"""Following NCP's error table: read a saved copy of the page, compare it with data/, write the changes (no Flask).

`table` reads the saved page into rows and official fields, `diff` compares them with the catalog,
`apply` writes the differences into data/, `cli` is the `diff-upstream` command.
"""
from .apply import GUIDANCE_COMMENT, OUR_TEXT_KEYS, apply, toml_text
from .cli import diff_upstream_command, format_report
from .diff import Added, Changed, Diff, FieldChange, Removed, diff, official_of
from .table import (OFFICIAL_FIELDS, READINGS, TABLE_FILE, Official, Row, UpstreamError, parse_table, read_row,
                    split_row, squash)

__all__ = [
    "Added", "Changed", "Diff", "FieldChange", "Official", "Removed", "Row", "UpstreamError", "GUIDANCE_COMMENT",
    "OFFICIAL_FIELDS", "OUR_TEXT_KEYS", "READINGS", "TABLE_FILE", "apply", "diff", "diff_upstream_command",
    "format_report", "official_of", "parse_table", "read_row", "split_row", "squash", "toml_text",
]
