"""A small batch dataset for the Corpus page's tests, built with ``newsmap batch``.

Twelve short articles over three months of 2024, geoparsed with ``--pipeline
none`` (gazetteer matching only: a second, and the same places on every
machine). Which article names which place is set by :data:`ARTICLES`, so the
tests can count articles per place, per week and per month by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from geodata.batch import run_batch

#: (id, date, title, text). Dhaka: a1, a4, a7, a10 (one a month and one more in
#: January); Lagos: a2, a5; Geneva and Cairo: a3, a9; Najaf: a6; a8 names none.
ARTICLES = [
    ("a1", "2024-01-03", "Floods in Dhaka", "Floods hit Dhaka, the capital of Bangladesh."),
    ("a2", "2024-01-05", "Rain in Nigeria", "Rain fell on Lagos and Abuja in Nigeria."),
    ("a3", "2024-01-17", "Talks end", "Talks in Geneva ended; the envoy flew to Cairo."),
    ("a4", "2024-01-24", "Dhaka again", "More rain fell on Dhaka overnight."),
    ("a5", "2024-02-07", "Lagos port", "The port of Lagos reopened."),
    ("a6", "2024-02-14", "Pilgrims", "Pilgrims crowded the Imam Ali shrine in Najaf."),
    ("a7", "2024-02-21", "Dhaka traffic", "Traffic stopped in Dhaka for the march."),
    ("a8", "2024-02-28", "No place", "No place is named in this sentence."),
    ("a9", "2024-03-06", "Envoy returns", "The envoy left Cairo for Geneva."),
    ("a10", "2024-03-13", "Dhaka vote", "Voters in Dhaka queued from dawn."),
    ("a11", "2024-03-20", "Abuja budget", "The budget was read in Abuja."),
    ("a12", "2024-03-27", "Undated place", "Rain fell on Abuja again."),
]


#: Two articles whose incidents (found without NER too) are dated by the text,
#: days before the article: an attack by "Russian" forces on Kherson (and its
#: strike path from Russia) on 4 March, a protest in Nairobi on 2 February.
INCIDENTS = [
    ("b1", "2024-03-10", "Kherson attacked", "Russian troops attacked Kherson on 4 March 2024."),
    (
        "b2",
        "2024-02-05",
        "Nairobi protest",
        "Police clashed with protesters in Nairobi on 2 February 2024.",
    ),
]


def write_corpus(path: Path, incidents: bool = False) -> Path:
    """Write :data:`ARTICLES` (and :data:`INCIDENTS`) as JSON Lines (``a12`` undated)."""
    lines = []
    for article_id, day, title, text in ARTICLES + (INCIDENTS if incidents else []):
        record = {"id": article_id, "title": title, "text": text}
        if article_id != "a12":
            record["date"] = day
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_dataset(folder: Path, incidents: bool = False) -> Path:
    """Geoparse :data:`ARTICLES` (and :data:`INCIDENTS`) into ``folder/news``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(folder / "news.jsonl", incidents)
    out = folder / "news"
    run_batch(str(corpus), out, pipeline="none")
    return out
