"""The Live Station error-code reference: application factory and CLI commands."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import catalog as catalog_module
import i18n
import matcher
import search
import upstream
import views
import views_search
import views_tools
import web
import web.assets

ROOT = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: load and validate the catalog once, then register views and commands."""
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=str(ROOT / "data"),
        SEARCH_INDEX_DIR=str(ROOT / "search_index"),
        SITE_NAME="Live Station Error Codes",
        JSON_AS_ASCII=False,
    )
    app.config.from_prefixed_env("LSE")
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    app.extensions["catalog"] = catalog_module.load_catalog(
        app.config["DATA_DIR"], require_ours=app.config.get("REQUIRE_COMPLETE_DATA", True))
    service = search.SearchService(app.extensions["catalog"], app.config["SEARCH_INDEX_DIR"], logger=app.logger,
                                   build_apart=bool(app.config.get("SEARCH_BUILD_APART", False)))
    app.extensions["search"] = service
    app.extensions["matcher"] = matcher.MessageMatcher(app.extensions["catalog"])
    if app.config.get("SEARCH_BUILD_ON_START", True):
        try:  # build or open the index now, so the first search does not pay for it
            service.ensure()
        except Exception:  # search still answers from an index in memory; never stop the site
            app.logger.exception("search index could not be prepared in %s", app.config["SEARCH_INDEX_DIR"])
    i18n.init_app(app)
    views.init_app(app)
    views_search.init_app(app)
    views_tools.init_app(app)
    web.init_app(app)  # last: wraps every view with caching, headers and error pages
    app.cli.add_command(check_data_command)
    app.cli.add_command(build_index_command)
    app.cli.add_command(upstream.diff_upstream_command)
    app.cli.add_command(web.assets.build_static_command)
    return app


@click.command("check-data")
@click.option("--data-dir", default=str(ROOT / "data"), show_default=True)
def check_data_command(data_dir: str) -> None:
    """Validate every data file and report what the catalog holds."""
    try:
        cat = catalog_module.load_catalog(data_dir)
    except catalog_module.CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    for category in cat.categories:
        click.echo(f"{category.slug:22} {len(cat.in_category(category.slug)):4} codes")
    click.echo(f"{'total':22} {len(cat):4} codes, {len(cat.retired)} retired, fingerprint {cat.fingerprint}")


@click.command("build-index")
@click.option("--force", is_flag=True, help="Build a new index even if the current one is up to date.")
@with_appcontext
def build_index_command(force: bool) -> None:
    """Build the search index if it is missing or stale (or always, with --force) and swap it in."""
    service = current_app.extensions["search"]
    gen = service.rebuild() if force else service.ensure()
    built = f"built in {service.last_build_seconds:.2f} s" if service.last_build_seconds is not None else "up to date"
    click.echo(f"search index {gen} ({len(service.catalog)} codes): {built}")


if __name__ == "__main__":  # pragma: no cover - convenience for `python app.py`
    create_app().run(port=int(os.environ.get("PORT", 8000)))
