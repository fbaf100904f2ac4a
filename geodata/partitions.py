"""A corpus in partitions: planned by the client, read by the workers.

The client of a batch never holds the corpus. :func:`plan_partitions` looks at
the inputs' sizes (and a Parquet file's footer) and returns small
:class:`Partition` descriptions: a path and a byte range aligned on line starts,
a compressed file, a group of article files, or a run of Parquet row groups.
:func:`read_partition` runs on a worker and yields each record of one partition,
or a :class:`~geodata.corpus.RecordError` for each one that cannot be read
(a bad line, a file that cannot be opened), never raising for bad input.

Inputs:

- JSON Lines (``.jsonl``, ``.ndjson``, ``.json``): UTF-8 in byte ranges;
  UTF-16/UTF-32 (:func:`geodata.corpus.sniff_unicode`) as one partition per file;
- compressed JSON Lines (``.jsonl.gz``, ``.jsonl.zst``): one partition per
  file, decompressed as a stream;
- article files (``.txt``, ``.md``, ``.markdown``, ``.html``, ``.htm``), given
  one by one, as a directory (searched recursively) or as a glob: groups of
  files, each read by a ``read_file(data, name)`` function (the CLI passes
  ``layers.files.inputs.read_article``, so that encodings, HTML and Markdown
  are read as in the app);
- Parquet (``.parquet``) with a ``text`` column (plus optional ``id``,
  ``date``, ``title``, ``url``, ``source``): runs of whole row groups.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geodata.corpus import RecordError, iter_jsonl, jsonl_lines, sniff_unicode

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_FILE_BYTES",
    "Partition",
    "expand_inputs",
    "plan_partitions",
    "read_partition",
]

#: Article files read one article each.
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_PARQUET_COLUMNS = ("id", "text", "date", "title", "url", "source")
#: Largest article file read (bytes): the app's upload limit (50 MB).
MAX_FILE_BYTES = 50_000_000
#: Byte ranges of a JSON Lines file: about 1/64 of the input, within these bounds.
_MIN_BLOCK, _MAX_BLOCK = 64 * 1024, 16 * 1024 * 1024

#: ``read_file(data, name) -> {"text", "name", "date"?}``, raising for a file that is no article.
FileReader = Callable[[bytes, str], dict[str, Any]]


@dataclass(frozen=True)
class Partition:
    """One unit of work: a small description of where its records are.

    Attributes
    ----------
    id : str
        ``part-00000``... in plan order (the names of its output files).
    kind : str
        ``jsonl`` (a byte range of a UTF-8 file), ``stream`` (a whole file,
        compressed or UTF-16/32), ``files`` (article files), ``parquet`` (row
        groups) or ``broken`` (an input that cannot be planned: ``reason``).
    path : str
        The input file ("" for ``files``).
    start, end : int
        Byte range of ``jsonl`` (end exclusive); row numbers of ``parquet``.
    first_line : int
        1-based line (or row) number of the first record.
    paths : tuple of str
        The article files of a ``files`` partition.
    row_groups : tuple of int
        The row groups of a ``parquet`` partition.
    reason : str
        Why a ``broken`` input cannot be read.
    """

    id: str
    kind: str
    path: str = ""
    start: int = 0
    end: int = 0
    first_line: int = 1
    paths: tuple[str, ...] = ()
    row_groups: tuple[int, ...] = ()
    reason: str = ""

    def describe(self) -> dict[str, Any]:
        """Return the partition as JSON-native values (for the manifest)."""
        out = {k: v for k, v in asdict(self).items() if v not in ((), "", 0)}
        out["first_line"] = self.first_line
        out["paths"] = list(self.paths) if self.paths else None
        out["row_groups"] = list(self.row_groups) if self.row_groups else None
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class _Plan:
    parts: list[Partition] = field(default_factory=list)

    def add(self, **fields: Any) -> None:
        self.parts.append(Partition(id=f"part-{len(self.parts):05d}", **fields))


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Return the input files named by paths, directories and globs, in a stable order.

    Parameters
    ----------
    inputs : iterable of str
        Files, directories (searched recursively for the known suffixes) or
        glob patterns (``**`` recursive).

    Returns
    -------
    list of str
        Files, each once, in the order given (a directory's and a glob's sorted).

    Raises
    ------
    FileNotFoundError
        When an input names nothing (a one-line message).
    """
    known = (*ARTICLE_SUFFIXES, *_JSONL_SUFFIXES, ".gz", ".zst", ".parquet")
    out: list[str] = []
    seen: set[str] = set()
    for item in inputs:
        if os.path.isdir(item):
            found = sorted(
                str(p)
                for p in Path(item).rglob("*")
                if p.is_file() and p.name.lower().endswith(known)
            )
            if not found:
                raise FileNotFoundError(f"{item} holds no {', '.join(known)} file")
        elif os.path.exists(item) or not _is_glob(item):
            if not os.path.exists(item):
                raise FileNotFoundError(f"cannot read {item}: no such file")
            found = [item]
        else:
            found = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not found:
                raise FileNotFoundError(f"{item} matches no file")
        for path in found:
            if path not in seen:
                seen.add(path)
                out.append(path)
    return out


def _kind(path: str) -> str:
    lower = path.lower()
    if lower.endswith((".gz", ".zst")):
        return "stream"
    if lower.endswith(".parquet"):
        return "parquet"
    if lower.endswith(ARTICLE_SUFFIXES):
        return "file"
    return "jsonl"


def _counted_ranges(path: str, lines: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, end, first_line)`` ranges of ``lines`` lines each (a streamed pass)."""
    start = end = count = 0
    line = 1
    with open(path, "rb") as handle:
        for raw in handle:
            end += len(raw)
            count += 1
            if count == lines:
                yield start, end, line
                start, line, count = end, line + count, 0
    if end > start:
        yield start, end, line


def _line_ranges(path: str, blocksize: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, end, first_line)`` ranges of about ``blocksize`` bytes, cut after a newline.

    One pass over the file in 1 MiB reads (constant memory) that also counts
    lines, so that a worker reports a bad line by its number in the file.
    """
    size = os.path.getsize(path)
    start, line = 0, 1
    with open(path, "rb") as handle:
        while start < size:
            target = min(start + blocksize, size)
            handle.seek(start)
            newlines, position = 0, start
            while position < target:
                chunk = handle.read(min(1 << 20, target - position))
                if not chunk:
                    break
                newlines += chunk.count(b"\n")
                position += len(chunk)
            end = position
            if end < size:  # finish the line the boundary fell in
                while True:
                    chunk = handle.read(1 << 16)
                    if not chunk:
                        end = size
                        break
                    cut = chunk.find(b"\n")
                    if cut >= 0:
                        end += cut + 1
                        newlines += 1
                        break
                    end += len(chunk)
            yield start, end, line
            start, line = end, line + newlines


def plan_partitions(
    inputs: Iterable[str],
    blocksize: int | None = None,
    partition_size: int | None = None,
) -> list[Partition]:
    """Plan the partitions of a corpus without reading its records.

    Parameters
    ----------
    inputs : iterable of str
        Files, directories and globs (:func:`expand_inputs`).
    blocksize : int, optional
        Bytes per partition of an uncompressed UTF-8 JSON Lines file; default
        (when ``partition_size`` is not given either) 1/64 of all such input,
        at least 64 KiB and at most 16 MiB.
    partition_size : int, optional
        Records per partition: lines of a JSON Lines file (unless
        ``blocksize`` is given), article files, rows of Parquet (whole row
        groups); default 1/64 of them, at least 1 file or 1 row group, at
        most 500 files or 20,000 rows.

    Returns
    -------
    list of Partition
        In input order. Only the file sizes, the lines of JSON Lines files
        (counted in a streamed pass, to number bad lines) and Parquet footers
        are read.

    Raises
    ------
    FileNotFoundError
        When an input names nothing.
    """
    files = expand_inputs(inputs)
    plan = _Plan()
    jsonl = [p for p in files if _kind(p) == "jsonl"]
    total = sum(os.path.getsize(p) for p in jsonl)
    block = blocksize or min(max(total // 64, _MIN_BLOCK), _MAX_BLOCK)
    articles = [p for p in files if _kind(p) == "file"]
    group = partition_size or min(max(len(articles) // 64, 1), 500)
    pending: list[str] = []

    def flush() -> None:
        if pending:
            plan.add(kind="files", paths=tuple(pending))
            pending.clear()

    for path in files:
        kind = _kind(path)
        if kind == "file":
            pending.append(path)
            if len(pending) >= group:
                flush()
            continue
        flush()
        try:
            if kind == "stream":
                plan.add(kind="stream", path=path)
            elif kind == "parquet":
                _plan_parquet(plan, path, partition_size)
            else:
                with open(path, "rb") as handle:
                    codec = sniff_unicode(handle.read(4096))
                if codec not in (None, "utf-8-sig"):
                    plan.add(kind="stream", path=path)
                    continue
                ranges = (
                    _counted_ranges(path, partition_size)
                    if partition_size and not blocksize
                    else _line_ranges(path, block)
                )
                for start, end, line in ranges:
                    plan.add(kind="jsonl", path=path, start=start, end=end, first_line=line)
        except Exception as error:  # an unreadable input is an error row, not a stop
            plan.add(kind="broken", path=path, reason=_reason(error))
    flush()
    return plan.parts


def _plan_parquet(plan: _Plan, path: str, partition_size: int | None) -> None:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    target = partition_size or min(max(sum(rows) // 64, 1), 20_000)
    groups: list[int] = []
    first = count = 0
    for index, n in enumerate(rows):
        groups.append(index)
        count += n
        if count >= target:
            plan.add(
                kind="parquet",
                path=path,
                row_groups=tuple(groups),
                start=first,
                end=first + count,
                first_line=first + 1,
            )
            groups, first, count = [], first + count, 0
    if groups:
        plan.add(
            kind="parquet",
            path=path,
            row_groups=tuple(groups),
            start=first,
            end=first + count,
            first_line=first + 1,
        )


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read: {error.strerror}"
    text = str(error).strip().splitlines()
    return f"cannot read: {text[0] if text else type(error).__name__}"


def _range_lines(path: str, start: int, end: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start
        while position < end:
            line = handle.readline()
            if not line:
                return
            position += len(line)
            yield line


def _open_stream(path: str) -> Any:
    """Open a binary stream of a file's (decompressed) bytes."""
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb")
    if lower.endswith(".zst"):
        import zstandard

        raw = open(path, "rb")  # noqa: SIM115 - closed with the reader (closefd)
        reader = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
        return io.BufferedReader(reader)  # type: ignore[arg-type]
    return open(path, "rb")


Record = tuple[int, dict[str, Any] | RecordError]


def _numbered(records: Iterable[Record], path: str, first_line: int) -> Iterator[Record]:
    """Renumber iter_jsonl's lines from a partition's first line."""
    shift = first_line - 1
    for lineno, record in records:
        if isinstance(record, RecordError):
            record = RecordError(path, lineno + shift, record.reason)
        yield lineno + shift, record


def read_partition(part: Partition, read_file: FileReader | None = None) -> Iterator[Record]:
    """Yield the records of one partition (on a worker), each bad one as an error.

    Parameters
    ----------
    part : Partition
        From :func:`plan_partitions`.
    read_file : callable, optional
        ``read_file(data, name) -> dict`` with ``text`` and optional ``name``
        (a headline) and ``date``; raises for a file that is no article.
        Default: the bytes as UTF-8 (or UTF-16/32 with a byte-order mark).

    Yields
    ------
    (int, dict or RecordError)
        Line (row, file) number and a record with ``text`` and the optional
        ``id``, ``date``, ``title``, ``url``, ``source``; or the error for it.
        A record's ``text`` is not checked here (see :mod:`geodata.batch`);
        the input path is :attr:`RecordError.source` of each error.
    """
    path = part.path
    try:
        if part.kind == "broken":
            yield 0, RecordError(path, 0, part.reason)
        elif part.kind == "jsonl":
            lines = _range_lines(path, part.start, part.end)
            yield from _numbered(iter_jsonl(lines, path), path, part.first_line)
        elif part.kind == "stream":
            with _open_stream(path) as handle:
                yield from iter_jsonl(jsonl_lines(handle), path)
        elif part.kind == "parquet":
            yield from _parquet_records(part)
        elif part.kind == "files":
            for number, name in enumerate(part.paths, start=1):
                yield number, _file_record(name, read_file)
        else:
            raise ValueError(f"unknown partition kind {part.kind!r}")
    except Exception as error:  # a file that breaks mid-way (damaged gzip...): stop it here
        yield 0, RecordError(path, 0, _reason(error))


def _parquet_records(part: Partition) -> Iterator[Record]:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(part.path)
    names = set(handle.schema_arrow.names)
    if "text" not in names:
        yield part.first_line, RecordError(part.path, part.first_line, 'no "text" column')
        return
    columns = [c for c in _PARQUET_COLUMNS if c in names]
    row = part.first_line
    for batch in handle.iter_batches(
        batch_size=256, row_groups=list(part.row_groups), columns=columns
    ):
        for record in batch.to_pylist():
            yield row, {k: v for k, v in record.items() if v is not None}
            row += 1


def _file_record(path: str, read_file: FileReader | None) -> dict[str, Any] | RecordError:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return RecordError(path, 0, f"{size / 1e6:,.0f} MB: over {MAX_FILE_BYTES // 10**6} MB")
        data = Path(path).read_bytes()
    except OSError as error:
        return RecordError(path, 0, _reason(error))
    try:
        if read_file is None:
            article: dict[str, Any] = {"text": data.decode(sniff_unicode(data[:4096]) or "utf-8")}
        else:
            article = read_file(data, path)
    except UnicodeDecodeError as error:
        return RecordError(path, 0, f"invalid UTF-8 (byte {error.start})")
    except Exception as error:  # the reader's own refusal (InputError: not text, empty)
        return RecordError(path, 0, str(error) or type(error).__name__)
    record: dict[str, Any] = {"id": path, "text": article.get("text")}
    name = article.get("name")
    if name and name != path:
        record["title"] = name
    if article.get("date"):
        record["date"] = article["date"]
    return record
