"""Short titles for articles (sample picker, file names)."""

from __future__ import annotations

from datetime import date

import pytest

from layers.app.state import Source
from layers.app.views import export_title
from layers.files.inputs import file_stem, headline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Floods in Basra\n\nThe river rose.", "Floods in Basra"),
        ("# Floods in Basra\nThe river rose.", "Floods in Basra"),
        ("\n\n  Short line.  \n", "Short line."),
        ("", "Untitled article"),
        (
            "Iran's President Masoud Pezeshkian embarked on his first foreign trip as "
            "president, aiming to strengthen ties with Baghdad. More text follows.",
            "Iran's President Masoud Pezeshkian embarked on his first foreign trip…",
        ),
        (
            "Storms hit Perth. Crews cleared roads in the city all night long, then slept.",
            "Storms hit Perth",
        ),
    ],
)
def test_headline(text: str, expected: str) -> None:
    assert headline(text) == expected


def test_headline_respects_the_limit() -> None:
    title = headline("word " * 100)
    assert len(title) <= 71 and title.endswith("…")


def test_file_stems_name_the_article_and_its_day() -> None:
    day = date(2024, 9, 11)
    assert file_stem("Floods in Basra", day) == "floods-in-basra-2024-09-11"
    assert file_stem("Ça déborde à Zürich!", day) == "ca-deborde-a-zurich-2024-09-11"
    assert file_stem("سيول في البصرة", day) == "newsmap-2024-09-11"
    long = file_stem("word " * 40, day)
    assert long == "-".join(["word"] * 12) + "-2024-09-11"


def test_exports_are_named_after_the_headline_or_the_file() -> None:
    pasted = Source((("pasted article", "Floods in Basra\nThe river rose."),))
    assert export_title(pasted) == "Floods in Basra"
    upload = Source((("report march.txt", "Anything."),))
    assert export_title(upload) == "report march"
    assert export_title(Source((), '{"type": "FeatureCollection", "features": []}')) == "saved map"
