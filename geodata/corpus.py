"""Reading corpora: the one JSON Lines reader of the CLI, the batch, the app and evaluation.

A corpus line is a JSON object; an article line has a ``text`` string (plus
optional ``id``, ``date``, ``title``...). :func:`iter_jsonl` reports each bad
line as a :class:`RecordError` value instead of stopping, so every caller picks
its policy: the CLI and evaluation stop at the first (:func:`read_jsonl`), the
app skips it with a message.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["RecordError", "iter_jsonl", "jsonl_lines", "read_jsonl", "sniff_unicode"]


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


#: Byte-order marks and their codecs; UTF-32's are tried first (UTF-32-LE's
#: mark starts with UTF-16-LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Where the NUL bytes of mostly-Latin text fall, by position modulo 4, for the
#: encodings that have them: UTF-32 has three per character, UTF-16 one.
_NUL_PATTERNS = (
    ("utf-32-le", (1, 2, 3)),
    ("utf-32-be", (0, 1, 2)),
    ("utf-16-le", (1, 3)),
    ("utf-16-be", (0, 2)),
)


def sniff_unicode(head: bytes) -> str | None:
    """Name the UTF-16 or UTF-32 (or UTF-8 with a BOM) encoding a file starts in.

    A byte-order mark decides. Without one, UTF-16 and UTF-32 text written in a
    Latin script has NUL bytes at fixed positions (``"A"`` is ``41 00`` in
    UTF-16-LE), which plain UTF-8 text never has; the positions tell which
    encoding. The guess is kept only if the bytes then decode.

    Parameters
    ----------
    head : bytes
        The first bytes of the file (4 kB is plenty).

    Returns
    -------
    str or None
        A Python codec name (``"utf-32"``, ``"utf-16"``, ``"utf-8-sig"`` with a
        BOM; ``"utf-16-le"`` etc. without one), or None for anything else
        (UTF-8, a legacy code page, binary data).

    Examples
    --------
    >>> sniff_unicode("Basra".encode("utf-16-le"))
    'utf-16-le'
    >>> sniff_unicode(b"Basra") is None
    True
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    sample = head[: len(head) // 4 * 4]
    if len(sample) < 8 or b"\0" not in sample:
        return None
    quarters = len(sample) // 4
    zeros = [sample[k::4].count(0) / quarters for k in range(4)]
    for codec, positions in _NUL_PATTERNS:
        others = [zeros[k] for k in range(4) if k not in positions]
        if min(zeros[k] for k in positions) >= 0.5 and max(others) <= 0.05:
            try:
                sample.decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def jsonl_lines(handle: Any) -> Iterator[str | bytes]:
    """Yield the lines of a binary JSON Lines stream, in the encoding it is written in.

    UTF-8 lines are yielded as bytes (so :func:`iter_jsonl` reports an invalid
    byte on its own line and goes on); a stream in UTF-16 or UTF-32
    (:func:`sniff_unicode`) is decoded as a whole and yielded as text lines.

    Parameters
    ----------
    handle : binary file object
        Open for reading (``open(path, "rb")``, ``sys.stdin.buffer``).

    Yields
    ------
    str or bytes
        One line at a time; never the whole stream in memory.
    """
    buffered: io.BufferedReader = handle if hasattr(handle, "peek") else io.BufferedReader(handle)
    codec = sniff_unicode(buffered.peek(4096)[:4096])
    if codec is None or codec == "utf-8-sig":
        yield from buffered
        return
    text = io.TextIOWrapper(buffered, encoding=codec, errors="replace", newline=None)
    yield from text


def read_jsonl(path: str | Path, require_text: bool = False) -> list[dict[str, Any]]:
    """Read a JSON Lines file of objects, stopping at the first bad line.

    Parameters
    ----------
    path : str or pathlib.Path
        File to read: UTF-8, or UTF-16/UTF-32 (:func:`jsonl_lines`).
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
        lines = jsonl_lines(handle)
        for _, record in iter_jsonl(lines, str(path), require_text=require_text):
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
