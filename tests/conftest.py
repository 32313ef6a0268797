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
