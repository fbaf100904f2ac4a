"""Short titles for articles (sample picker, file names)."""

from __future__ import annotations

import pytest

from layers.files.inputs import headline


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
