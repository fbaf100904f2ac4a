"""Reading corpora: the one JSON Lines reader of the CLI, the batch, the app and evaluation.

A corpus line is a JSON object; an article line has a ``text`` string (plus
optional ``id``, ``date``, ``title``...). :func:`iter_jsonl` reports each bad
line as a :class:`RecordError` value instead of stopping, so every caller picks
its policy: the CLI and evaluation stop at the first (:func:`read_jsonl`), the
app skips it with a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["RecordError", "iter_jsonl", "read_jsonl"]


class RecordError(ValueError):
    """A line of a JSON Lines file that cannot be used.

    Attributes
    ----------
    source : str
        File name (or another label of the input).
    lineno : int
        1-based line number.
    reason : str
        What is wrong, in plain words.
    """

    def __init__(self, source: str, lineno: int, reason: str) -> None:
        super().__init__(f"{source}:{lineno}: {reason}")
        self.source, self.lineno, self.reason = source, lineno, reason


def iter_jsonl(
    lines: Iterable[str | bytes], source: str = "<input>", require_text: bool = False
) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """Parse JSON Lines, yielding each usable object or the reason a line is not.

    Blank lines are skipped; a byte order mark on the first line is ignored.

    Parameters
    ----------
    lines : iterable of str or bytes
        The file's lines (bytes are decoded as UTF-8).
    source : str, default "<input>"
        Name used in error messages.
    require_text : bool, default False
        Also require a ``"text"`` string (an article).

    Yields
    ------
    (int, dict or RecordError)
        1-based line number and the object, or the error for that line.

    Examples
    --------
    >>> [r for _, r in iter_jsonl(['{"id": 1, "text": "Basra"}', ""])]
    [{'id': 1, 'text': 'Basra'}]
    """
    for lineno, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield lineno, RecordError(source, lineno, f"invalid UTF-8 (byte {error.start})")
                continue
        else:
            line = raw
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            reason = f"invalid JSON ({error.msg}, column {error.colno})"
            yield lineno, RecordError(source, lineno, reason)
            continue
        if not isinstance(record, dict):
            reason = f"expected a JSON object, got {type(record).__name__}"
            yield lineno, RecordError(source, lineno, reason)
        elif require_text and not isinstance(record.get("text"), str):
            yield lineno, RecordError(source, lineno, 'expected an object with a "text" string')
        else:
            yield lineno, record


def read_jsonl(path: str | Path, require_text: bool = False) -> list[dict[str, Any]]:
    """Read a JSON Lines file of objects, stopping at the first bad line.

    Parameters
    ----------
    path : str or pathlib.Path
        UTF-8 file to read.
    require_text : bool, default False
        Also require a ``"text"`` string on every line.

    Returns
    -------
    list of dict
        One dict per non-blank line, in file order.

    Raises
    ------
    RecordError
        A ``ValueError`` naming the file and line: invalid UTF-8, invalid JSON,
        not an object, or no text.
    OSError
        If the file cannot be read.
    """
    records: list[dict[str, Any]] = []
    with open(path, "rb") as handle:
        for _, record in iter_jsonl(handle, str(path), require_text=require_text):
            if isinstance(record, RecordError):
                raise record
            records.append(record)
    return records


def record_date(value: object) -> date | None:
    """Read an article's date from a record or page metadata, leniently.

    Parameters
    ----------
    value : object
        ISO 8601 text (a time part is ignored), a ``datetime.date``, or anything else.

    Returns
    -------
    datetime.date or None
        None when absent or not a valid date (a bad date never stops a corpus).

    Examples
    --------
    >>> record_date("2024-09-11T08:00:00Z")
    datetime.date(2024, 9, 11)
    >>> record_date("yesterday") is None
    True
    """
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
