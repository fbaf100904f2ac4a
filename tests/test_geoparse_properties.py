"""Property tests: the geoparser never raises and keeps its span contract."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.pipeline import Geoparser


@pytest.fixture(scope="module")
def parser(small_geoparser: Geoparser) -> Geoparser:
    return small_geoparser


SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

place_words = st.sampled_from(
    [
        "Paris",
        "Texas",
        "Irbil",
        "Baghdad",
        "the Black Sea",
        "Queensland",
        "Kenyan",
        "in",
        "near",
        ",",
        ".",
        "La.",
        "Springfield",
        "Москва",
        "北京",
        "بغداد",
        "<b>",
        "</p>",
        "&amp;",
        "\x00",
        "\x1b",
        "\ufeff",
        "MANSFIELD —",
        "Police Department",
        "County Road",
        "’s",
    ]
)
mixed = st.lists(st.one_of(place_words, st.text(max_size=12)), max_size=40).map(" ".join)


def _check(parser: Geoparser, text: str) -> list[dict]:
    records = next(iter(parser.parse([text])))
    for record in records:
        assert text[record["start"] : record["end"]] == record["name"]
        assert 0.0 <= record["score"] <= 1.0
    starts = [r["start"] for r in records]
    assert starts == sorted(starts)
    return records


def test_empty(parser: Geoparser) -> None:
    assert _check(parser, "") == []


@SETTINGS
@given(text=mixed)
def test_mixed_text_never_raises(parser: Geoparser, text: str) -> None:
    _check(parser, text)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_binaryish_text_never_raises(parser: Geoparser, data: bytes) -> None:
    _check(parser, data.decode("latin-1"))


@SETTINGS
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_unicode_never_raises(parser: Geoparser, text: str) -> None:
    _check(parser, text)


@SETTINGS
@given(body=mixed)
def test_html_never_raises(parser: Geoparser, body: str) -> None:
    _check(parser, f"<html><body><p>{body}</p><script>var x = 'Paris';</script></body></html>")


@SETTINGS
@given(text=mixed)
def test_deterministic(parser: Geoparser, text: str) -> None:
    assert _check(parser, text) == _check(parser, text)


def test_one_megabyte(parser: Geoparser) -> None:
    sentence = "Aid reached Irbil, Iraq, and the Black Sea port of Odesa. "
    text = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    records = _check(parser, text)
    assert records


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_the_fast_case_fold_equals_folding_each_character(text):
    """`_fold` lowers the whole text at once; it must match lowering each character."""
    from geodata.recognize import _fold, _fold_chars

    folded = _fold(text)
    assert folded == _fold_chars(text)
    assert len(folded) == len(text)


def test_case_fold_of_letters_that_lower_by_context_or_to_two():
    from geodata.recognize import _fold

    # "İ" lowers to two characters and is kept; a word-final capital sigma is
    # lowered on its own ("σ", not the context form "ς"); dashes become spaces
    assert _fold("İzmir—ΟΔΟΣ") == "İzmir οδοσ"
    assert _fold("Dar’a\tSt-Paul") == "dar'a st paul"
