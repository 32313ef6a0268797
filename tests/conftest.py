"""Shared fixtures: the app built from the real data, its test client and CLI runner."""
from pathlib import Path

import pytest

from app import create_app
from catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({"TESTING": True, "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("search_index"))})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(DATA_DIR)


@pytest.fixture(scope="session")
def search_service(app):
    """The app's search service (index built from the real data in a temporary directory)."""
    return app.extensions["search"]


@pytest.fixture
def make_catalog(catalog):
    """Build a small Catalog from the real categories and the given ErrorCode objects."""
    from catalog import Catalog

    def make(codes, fingerprint="test"):
        slugs = {c.category for c in codes}
        return Catalog(tuple(c for c in catalog.categories if c.slug in slugs), tuple(codes), (), fingerprint)

    return make
