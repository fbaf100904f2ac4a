"""Write the small gazetteer that the rule and property tests run on.

``tests/data/gazetteer-small.json`` holds every row of the full gazetteer
(:func:`geodata.gazetteer.build_rows`; each row keeps its ``source``) that the
unit tests can reach, and no other populated place:

- every country, continent and region (the context a resolver rule reads);
- every row, of any kind, known by a capitalised word or run of up to four
  words in the string literals of the test modules listed in ``MODULES``, so a
  name keeps all its homonyms (Paris in France and Paris in Texas both, else a
  disambiguation test could not fail);
- the first-level areas of the countries those rows lie in (state qualifiers
  such as "Texas" or "La." resolve through them).

Re-run it after adding a place name to one of those tests::

    .venv/bin/python scripts/make_test_gazetteer.py
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from geodata.gazetteer import build_rows
from geodata.names import normalize_name

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "gazetteer-small.json"
MODULES = ("tests/test_resolve_rules.py", "tests/test_geoparse_properties.py")
CONTEXT_KINDS = {"country", "continent", "region"}
# A capitalised word (any script's upper case, or a non-Latin word), optionally
# with a trailing period for abbreviations such as "La."
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
MAX_RUN = 4


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _keys(text: str) -> set[str]:
    """Normalised keys of every run of 1..MAX_RUN words that starts capitalised."""
    words = WORD.findall(text)
    keys: set[str] = set()
    for i, word in enumerate(words):
        if word[:1].islower():
            continue
        for j in range(i + 1, min(i + MAX_RUN, len(words)) + 1):
            for run in (" ".join(words[i:j]), " ".join(words[i:j]).rstrip(".")):
                key = normalize_name(run)
                if key:
                    keys.add(key)
    return keys


def select(rows: list[dict], keys: set[str]) -> list[dict]:
    """Select the rows the tests can reach (see the module docstring)."""
    named = [r for r in rows if {normalize_name(n) for n in r["names"] if n} & keys]
    countries = {r["country_code"] for r in named if r.get("country_code")}
    chosen = {id(r) for r in named}
    return [
        r
        for r in rows
        if id(r) in chosen
        or r["kind"] in CONTEXT_KINDS
        or (
            r["kind"] == "admin_area"
            and r.get("admin_level") == 1
            and r.get("country_code") in countries
        )
    ]


def main() -> None:
    """Write tests/data/gazetteer-small.json from the full gazetteer."""
    keys: set[str] = set()
    for module in MODULES:
        for literal in _literals(ROOT / module):
            keys |= _keys(literal)
    rows = select(build_rows(), keys)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows))
        f.write("\n]\n")
    print(f"{len(rows)} rows -> {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
