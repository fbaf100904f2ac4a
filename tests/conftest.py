"""Shared fixtures: one geoparser per test session, the seed article and its sites."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = sorted((ROOT / "seeds").glob("*.txt"))[0]
# The seed article is dated by its content (Pezeshkian's first foreign trip: Baghdad,
# 11 September 2024); tests pass the date explicitly so "in April" resolves.
SEED_DATE = date(2024, 9, 11)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


@pytest.fixture(scope="session", autouse=True)
def saved_maps_database(tmp_path_factory: pytest.TempPathFactory):
    """Saved maps go to a throwaway database, never to the user's cache folder.

    Set before any app runs (the app opens it once per process) and inherited by
    the browser tests' Streamlit server.
    """
    path = tmp_path_factory.mktemp("saved") / "maps.sqlite3"
    before = os.environ.get("NEWSMAP_DB")
    os.environ["NEWSMAP_DB"] = str(path)
    yield path
    if before is None:
        os.environ.pop("NEWSMAP_DB", None)
    else:
        os.environ["NEWSMAP_DB"] = before


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden")) or bool(
        os.environ.get("NEWSMAP_UPDATE_GOLDEN")
    )


@pytest.fixture(scope="session")
def geoparser():
    from geodata.pipeline import Geoparser

    return Geoparser()


@pytest.fixture(scope="session")
def small_geoparser(geoparser):
    """A geoparser on the small fixture gazetteer (tests/data/gazetteer-small.json).

    About 1,300 rows instead of 250,000: every country, the first-level areas of
    the countries the tests name, and every homonym of the names in the rule and
    property tests (made by ``scripts/make_test_gazetteer.py``). The NER pipeline
    is the session's.
    """
    import json

    from geodata.gazetteer import Gazetteer
    from geodata.pipeline import Geoparser

    rows = json.loads((ROOT / "tests" / "data" / "gazetteer-small.json").read_text("utf-8"))
    return Geoparser(gazetteer=Gazetteer(rows), nlp=geoparser.nlp)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_sites(seed_text, geoparser):
    from geodata.pipeline import extract_sites

    return extract_sites(seed_text, article_date=SEED_DATE, geoparser=geoparser)


# --------------------------------------------------------------------------- browser tests
# One Chromium and one ``streamlit run`` server for the whole session; each test
# gets a new context and page (a fresh Streamlit session). See tests/browser.py.


@pytest.fixture(scope="session")
def browser():
    from .browser import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    from .browser import streamlit_server

    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "streamlit.log") as url:
        yield url


@pytest.fixture
def browser_page(browser, app_url: str, request: pytest.FixtureRequest):
    """A page on the app in a new browser context; screenshot on failure.

    Parametrized indirectly with a viewport (``{"width", "height"}``), the page has
    that size; else the desktop size of ``tests/browser.py``.
    """
    from .browser import browser_page as open_page

    failed_before = request.session.testsfailed
    # the call phase's report is logged before fixture teardown runs
    with open_page(
        browser,
        app_url,
        request.node.name,
        lambda: request.session.testsfailed > failed_before,
        viewport=getattr(request, "param", None),
    ) as state:
        yield state


@pytest.fixture(scope="session")
def corpus_datasets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one batch dataset, ``news`` (``tests/corpus_data.py``, incidents too)."""
    from .corpus_data import build_dataset

    root = tmp_path_factory.mktemp("datasets")
    build_dataset(root, incidents=True)
    return root


@pytest.fixture(scope="session")
def corpus_url(corpus_datasets: Path, tmp_path_factory: pytest.TempPathFactory):
    """A ``streamlit run`` server whose dataset folder (``NEWSMAP_DATASETS``) holds ``news``."""
    from .browser import streamlit_server

    before = os.environ.get("NEWSMAP_DATASETS")
    os.environ["NEWSMAP_DATASETS"] = str(corpus_datasets)
    try:
        log = tmp_path_factory.mktemp("streamlit-corpus") / "streamlit.log"
        with streamlit_server(log) as url:
            yield url
    finally:
        if before is None:
            os.environ.pop("NEWSMAP_DATASETS", None)
        else:
            os.environ["NEWSMAP_DATASETS"] = before
