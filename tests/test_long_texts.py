"""Long texts are read in bounded pieces, so memory grows with the length, not its square.

A text with no sentence end was one sentence, and every mention's evidence
quoted it whole: a run of "Baghdad " of 200 kB took 5 GB, of 1 MB over 24 GB
(the kernel killed the process). The NER now reads at most
``MAX_NER_CHARS`` characters at once and no sentence is longer than
``MAX_SENTENCE_CHARS``; offsets stay those of the whole text.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import recognize
from geodata.pipeline import Geoparser
from geodata.recognize import MAX_SENTENCE_CHARS, _bounded_sentences, _ner_pieces

ROOT = Path(__file__).resolve().parents[1]


def _spans(recognized: recognize.Recognized) -> list[tuple[int, int, str, str]]:
    return [(m.start, m.end, m.name, m.label) for m in recognized.mentions]


def _assert_covering(pieces: list[tuple[int, int]], text: str, limit: int) -> None:
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(pieces))
    assert all(0 < end - start <= limit for start, end in pieces)


def test_ner_pieces_cover_the_text_and_are_bounded(monkeypatch):
    monkeypatch.setattr(recognize, "MAX_NER_CHARS", 300)
    paragraph = "Rockets hit Baghdad on Monday. Officials in Basra said nothing. " * 3
    text = "\n\n".join([paragraph] * 6)
    pieces = _ner_pieces(text)
    _assert_covering(pieces, text, 300)
    # cut after paragraph breaks (the second half of 300 characters holds one each time)
    assert all(text[start - 2 : start] == "\n\n" for start, _ in pieces[1:])
    # no sentence end at all: cut after a space; no space either: cut at the bound
    for text in ("Baghdad " * 500, "<" * 1_000):
        _assert_covering(_ner_pieces(text), text, 300)
    assert _ner_pieces("") == [(0, 0)]


@pytest.mark.parametrize(
    "text",
    ["Baghdad " * 1_000 + "Basra.", "Baghdad\n" * 400 + "Basra " * 400, "<" * 2_500, "a" * 2_500],
)
def test_long_sentences_are_cut_within_the_bound(text):
    sentences = _bounded_sentences(text, [(0, 5), (5, len(text))])
    assert sentences[0] == (0, 5) and sentences[-1][1] == len(text)
    assert all(0 < end - start <= MAX_SENTENCE_CHARS for start, end in sentences)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(sentences))
    # only white space is left between them, and no word is cut where there is a space
    gaps = itertools.pairwise(sentences)
    between = "".join(text[a_end:b_start] for (_, a_end), (b_start, _) in gaps)
    assert not between.strip()
    if " " in text:
        assert all(text[start - 1].isspace() for start, _ in sentences[2:])
    short = [(0, 10), (10, 40)]
    assert _bounded_sentences(text, short) is short


def test_a_text_read_in_pieces_gives_the_mentions_read_whole(
    geoparser: Geoparser, seed_text: str, monkeypatch
):
    texts = ["", "\n\n".join([seed_text.strip()] * 3), "Blast in Baghdad.", ""]
    whole = geoparser.recognize(texts)
    monkeypatch.setattr(recognize, "MAX_NER_CHARS", 1_500)
    assert len(_ner_pieces(texts[1])) > 3
    cut = geoparser.recognize(texts, batch_size=2)
    assert [r.text for r in cut] == texts
    assert [_spans(r) for r in cut] == [_spans(r) for r in whole]
    assert [r.actors for r in cut] == [r.actors for r in whole]
    assert _spans(cut[2]) == [(9, 16, "Baghdad", "GPE")]


_CHILD = """
import json, re, resource, sys
from geodata.pipeline import Geoparser, extract_sites

def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))

geoparser = Geoparser()
extract_sites("Rockets hit Baghdad on Monday.", geoparser=geoparser)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
limit = (status("VmSize") + 2_000_000) * 1024  # 2 GB of address space more than loaded
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sites = extract_sites("Baghdad " * 37_500, geoparser=geoparser)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
longest = max(len(item["sentence"]) for item in sites["evidence"][0])
print(json.dumps({"grown_kb": grown, "mentions": int(sites["mentions"][0]), "longest": longest}))
"""


@pytest.mark.timeout(300)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_300_kb_run_of_names_geoparses_in_bounded_memory():
    # 37,500 mentions of "Baghdad" in one 300 kB sentence quoted it for each: 11 GB.
    # Run apart, with its address space limited, so that a regression fails here
    # (MemoryError) instead of taking the machine's memory.
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stderr[-2_000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mentions"] == 37_500
    assert result["longest"] <= MAX_SENTENCE_CHARS
    assert result["grown_kb"] < 1_000_000, result  # about 220 MB (11 GB before)
