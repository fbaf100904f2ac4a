"""Canonical edge-case inputs that tests parametrise over (written for this project)."""

from __future__ import annotations

EMPTY = ""
WHITESPACE = "  \n\t  \n"
NO_PLACES = "The committee met on Tuesday and agreed to publish its report next month."
ONE_PLACE = "Heavy rain flooded several streets in Baghdad on Monday."
DUPLICATE_NAMES = (
    "Officials in Paris, Texas, said the storm missed the town. "
    "Forecasters in Paris, France, expect rain."
)
NON_LATIN = "Протесты прошли в Москве. 抗议活动在北京举行。 تظاهرات في بغداد."
HOSTILE_HTML = (
    '<script>alert("x")</script> A blast hit <img src=x onerror=alert(1)> Baghdad '
    'near <b onmouseover="alert(2)">Basra</b>. "><svg/onload=alert(3)> Karbala.'
)
BINARY_ISH = "Basra\x00\x01\x02\ufffd\ufffe Najaf \x7f" + "\x00" * 10
MIXED_SCRIPTS = "Najaf النجف and Mashhad مشهد and Kyiv Київ."

TEXTS = {
    "empty": EMPTY,
    "whitespace": WHITESPACE,
    "no_places": NO_PLACES,
    "one_place": ONE_PLACE,
    "duplicate_names": DUPLICATE_NAMES,
    "non_latin": NON_LATIN,
    "hostile_html": HOSTILE_HTML,
    "binary_ish": BINARY_ISH,
    "mixed_scripts": MIXED_SCRIPTS,
}
