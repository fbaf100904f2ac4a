"""The one JSON Lines reader: strict for the CLI and evaluation, tolerant for the app."""

from __future__ import annotations

import pytest

from geodata.corpus import RecordError, iter_jsonl, read_jsonl


def test_read_jsonl_roundtrip(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text('\ufeff{"id": "a", "name": "Zürich"}\n\n{"id": "b"}\n', encoding="utf-8")
    assert read_jsonl(path) == [{"id": "a", "name": "Zürich"}, {"id": "b"}]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b'{"id": "a"}\n{"id": "b"}\n{"id": oops}\n', 3, "invalid JSON"),
        (b'{"id": "a"}\n[1, 2]\n', 2, "expected a JSON object, got list"),
        (b'{"id": "a"}\n{"id": "\xff"}\n', 2, "invalid UTF-8"),
    ],
)
def test_read_jsonl_names_the_file_and_line(tmp_path, content, line, reason):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordError, match=reason) as raised:
        read_jsonl(path)
    assert raised.value.lineno == line
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_require_text():
    lines = ['{"id": 1, "text": "Basra"}', '{"id": 2}', '{"id": 3, "text": 4}']
    out = list(iter_jsonl(lines, "c.jsonl", require_text=True))
    assert out[0] == (1, {"id": 1, "text": "Basra"})
    assert [n for n, r in out if isinstance(r, RecordError)] == [2, 3]
    assert str(out[1][1]) == 'c.jsonl:2: expected an object with a "text" string'


def test_tolerant_iteration_keeps_going_after_bad_lines():
    lines = ["not json", "", '{"text": "Karbala"}', "[]", '{"text": "Najaf"}']
    good = [r["text"] for _, r in iter_jsonl(lines) if not isinstance(r, RecordError)]
    bad = [n for n, r in iter_jsonl(lines) if isinstance(r, RecordError)]
    assert good == ["Karbala", "Najaf"]
    assert bad == [1, 4]
