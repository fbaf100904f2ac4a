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
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_sites(seed_text, geoparser):
    from geodata.pipeline import extract_sites

    return extract_sites(seed_text, article_date=SEED_DATE, geoparser=geoparser)
