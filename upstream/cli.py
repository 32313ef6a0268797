"""`flask --app app diff-upstream FILE [--apply]`: the report for a terminal, and the command."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

import catalog as catalog_module

from .apply import apply
from .diff import Diff, diff
from .table import OFFICIAL_FIELDS, UpstreamError

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
@click.option("--data-dir", default=str(Path(__file__).resolve().parent.parent / "data"), show_default=True,
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
