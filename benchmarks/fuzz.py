"""Fuzz the geoparser, the map and the GeoJSON round trip with generated texts.

Usage: ``python benchmarks/fuzz.py [--count 10000] [--seed 13] [--shard K/N] [--crashes F.jsonl]``

``--shard K/N`` checks only texts K, K+N, K+2N... of the same sequence (run N
processes, K = 0..N-1, to use N cores); the figures printed are the shard's.

Each text is made by a seeded generator (:func:`texts`) from place names (Latin
and other scripts), the hostile payloads of ``tests/data/hostile/payloads.txt``,
characters of many Unicode categories (letters of several scripts, combining
marks, bidi controls, zero-width characters, emoji, non-characters), C0/C1
control characters, runs of punctuation, empty and huge tokens, and line breaks.
Every text goes through :func:`check_text`: ``extract_sites``, the map layers
rendered to HTML (popups and tooltips parsed: no element or attribute that
newsmap did not write), and the GeoJSON written and read back (names and
evidence sentences unchanged). A crash is any exception; "live" is markup from
the text in a popup or tooltip.

Prints texts, crashes, live payloads, seconds and texts per second; exits 1 if
any text crashed or was live. ``tests/test_hostile.py`` runs 200 texts of the
same generator.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLACES = [
    *("Baghdad", "Basra", "Karbala", "Najaf", "Erbil", "Mosul", "Kirkuk", "Tehran", "Paris"),
    *("Paris, Texas", "Springfield", "Kyiv", "Odesa", "Gaza", "Rafah", "Damascus", "Aleppo"),
    *("Beirut", "Cairo", "Khartoum", "Lagos", "Quito", "Hanoi", "the Black Sea", "Queensland"),
    *("Baghdad International Airport", "Ain al-Asad Air Base", "Imam Ali Shrine", "Iraq"),
    *("Москва", "Київ", "北京", "東京", "بغداد", "النجف", "תל אביב", "Αθήνα", "मुंबई", "Elazığ"),
]
WORDS = [
    *("in", "near", "at", "from", "to", "outside", "the", "a", "and", "of", "on", "Monday"),
    *("rockets", "hit", "blast", "struck", "officials", "said", "earthquake", "floods", "killed"),
    *("President", "Reuters", "AP", "Police Department", "West Nile virus", "St.", "Mr.", "’s"),
]
#: (first, last) code points of the Unicode ranges characters are drawn from.
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x24F),  # Latin-1 and Latin Extended
    (0x300, 0x36F),  # combining marks
    (0x370, 0x3FF),  # Greek
    (0x400, 0x4FF),  # Cyrillic
    (0x590, 0x6FF),  # Hebrew and Arabic
    (0x900, 0x97F),  # Devanagari
    (0x4E00, 0x4FFF),  # CJK
    (0xAC00, 0xACFF),  # Hangul
    (0x1F300, 0x1F6FF),  # emoji
    (0xE000, 0xE0FF),  # private use
    (0xFFF0, 0xFFFF),  # specials and non-characters
    (0x10000, 0x1007F),  # Linear B (astral)
]
INVISIBLE = [
    *("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e"),
    *("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"),
    *("\u200e", "\u200f", "\u2028", "\u2029", "\u3000", "\u00a0", "\u2009", "\u3164"),
]
CONTROLS = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0))]
PUNCTUATION = list("<>&\"'`$\\{}[]()=;:/!?.,-_*#%@^~|+")
BREAKS = ["\n", "\n\n", "\r\n", "\t", "  ", " \n \n ", "\r"]


def _payloads() -> list[str]:
    from tests.hostile import PAYLOADS

    return [p.text for p in PAYLOADS]


def _payload(rng: random.Random, payloads: list[str]) -> str:
    """A payload, alone or glued to a place (a long one mostly cut to its end)."""
    payload = rng.choice(payloads)
    if len(payload) > 2000 and rng.random() < 0.9:
        payload = payload[-200:]
    return rng.choice(["", rng.choice(PLACES)]) + payload


def _characters(rng: random.Random, _: list[str]) -> str:
    first, last = rng.choice(RANGES)
    return "".join(chr(rng.randint(first, last)) for _ in range(rng.randint(1, 12)))


def _huge(rng: random.Random, _: list[str]) -> str:
    """A huge token (one text in three has one): a character repeated, or random letters."""
    size = rng.randint(500, 5000)
    if rng.random() < 0.5:
        return rng.choice([*PUNCTUATION, "a", "Ba"]) * size
    return "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(size)
    )


#: (upper bound of a uniform roll, token maker): each kind of token's share.
_TOKENS: list[tuple[float, Callable[[random.Random, list[str]], str]]] = [
    (0.22, lambda rng, _: rng.choice(PLACES)),
    (0.40, lambda rng, _: rng.choice(WORDS)),
    (0.55, _payload),
    (0.68, _characters),
    (0.76, lambda rng, _: "".join(rng.choice(INVISIBLE) for _ in range(rng.randint(1, 4)))),
    (0.82, lambda rng, _: "".join(rng.choice(CONTROLS) for _ in range(rng.randint(1, 4)))),
    (0.90, lambda rng, _: rng.choice(PUNCTUATION) * rng.randint(1, 40)),
    (0.95, lambda rng, _: rng.choice(BREAKS)),
    (0.996, lambda rng, _: ""),
    (1.0, _huge),
]


def _token(rng: random.Random, payloads: list[str]) -> str:
    roll = rng.random()
    make = next(make for bound, make in _TOKENS if roll < bound)
    return make(rng, payloads)


def texts(count: int, seed: int = 13) -> Iterator[str]:
    """Yield ``count`` generated texts (the same ones for the same ``seed``).

    Parameters
    ----------
    count : int
        How many texts.
    seed : int, default 13
        Seed of the generator.

    Yields
    ------
    str
        0 to 80 tokens joined by spaces or nothing; one text in 50 is empty or
        blank.
    """
    rng = random.Random(seed)
    payloads = _payloads()
    for _ in range(count):
        if rng.random() < 0.02:
            yield rng.choice(["", " ", "\n\n", "\x00"])
            continue
        tokens = [_token(rng, payloads) for _ in range(rng.randint(1, 80))]
        yield "".join(t + rng.choice([" ", " ", " ", "", ". ", ", "]) for t in tokens)


def check_text(text: str, geoparser) -> list[str]:
    """Run one text through the geoparser, the map and the GeoJSON round trip.

    Returns
    -------
    list of str
        Markup in a popup or tooltip that newsmap did not write, and values the
        GeoJSON round trip changed (empty when all is well).

    Raises
    ------
    Exception
        Whatever the pipeline raises: a crash.
    """
    import folium

    from geodata.pipeline import extract_sites
    from geodata.schema import as_sites
    from layers.catalog import build_layers
    from layers.files.export import read_geojson, to_geojson
    from layers.map.render import build_feature_groups
    from tests.hostile import map_features, markup_problems

    sites = extract_sites(text, geoparser=geoparser)
    page_map = folium.Map(tiles=None)
    for group in build_feature_groups(build_layers(sites)):
        group.add_to(page_map)
    page = page_map.get_root().render()
    problems = []
    for feature in map_features(page):
        properties = feature["properties"]
        problems += markup_problems(properties.get("popup", ""))
        problems += markup_problems(properties.get("tooltip", ""))
    back = as_sites(read_geojson(to_geojson(sites)))
    if list(back["name"]) != list(sites["name"]):
        problems.append("GeoJSON changed a name")
    sentences = [[e["sentence"] for e in ev] for ev in sites["evidence"]]
    if [[e["sentence"] for e in ev] for ev in back["evidence"]] != sentences:
        problems.append("GeoJSON changed an evidence sentence")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer; print the figures; return 1 if a text crashed or was live."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--shard", default="0/1", help="K/N: every N-th text from the K-th")
    parser.add_argument("--crashes", type=Path, help="write failing texts here (JSON Lines)")
    args = parser.parse_args(argv)
    shard, shards = (int(part) for part in args.shard.split("/"))

    from geodata.pipeline import Geoparser

    geoparser = Geoparser()
    check_text("Warm-up in Baghdad.", geoparser)
    crashes = live = chars = done = 0
    failures = []
    start = time.perf_counter()
    for number, text in enumerate(texts(args.count, args.seed), 1):
        if number % shards != shard:
            continue
        done += 1
        chars += len(text)
        try:
            problems = check_text(text, geoparser)
        except Exception as error:
            crashes += 1
            failures.append({"n": number, "text": text, "error": traceback.format_exc()})
            print(f"crash on text {number}: {error!r}", file=sys.stderr)
            continue
        if problems:
            live += 1
            failures.append({"n": number, "text": text, "problems": problems})
            print(f"live on text {number}: {problems[:3]}", file=sys.stderr)
        if done % 250 == 0:
            elapsed = time.perf_counter() - start
            print(
                f"{done} texts, {crashes} crashes, {live} live, {done / elapsed:.1f}/s", flush=True
            )
    elapsed = time.perf_counter() - start
    if args.crashes and failures:
        args.crashes.write_text(
            "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures), "utf-8"
        )
    print(
        json.dumps(
            {
                "texts": done,
                "seed": args.seed,
                "shard": args.shard,
                "characters": chars,
                "crashes": crashes,
                "live": live,
                "seconds": round(elapsed, 1),
                "texts_per_second": round(done / elapsed, 1),
            }
        )
    )
    return 1 if crashes or live else 0


if __name__ == "__main__":
    sys.exit(main())
