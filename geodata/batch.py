"""Many articles at once: a streamed, resumable batch on Dask, written as a GeoParquet dataset.

The client plans partitions (:mod:`geodata.partitions`: paths and byte ranges,
never texts), sends those small descriptions to the workers, and gets a small
summary back from each. Each worker reads its partition, geoparses it with a
:class:`~geodata.pipeline.Geoparser` loaded once per worker process, and
writes one file per table into the output directory::

    OUT/_manifest.json              inputs' fingerprint, each partition's status and counts
    OUT/articles/part-00000.parquet one row per article (focus country and place)
    OUT/mentions/part-00000.parquet one row per resolved toponym (a point)
    OUT/sites/part-00000.parquet    the features of each article, with evidence
    OUT/errors/part-00000.parquet   one row per record that could not be used

Each file is written under a temporary name and renamed, and the manifest is
replaced atomically, so a killed run loses only the partitions in flight; the
same command again skips the partitions the manifest lists as done.

:func:`run_batch` is the programmatic entry (the CLI's ``newsmap batch`` and
the benchmark call it); :func:`parse_corpus` is the streaming path of
``newsmap parse`` and ``newsmap evaluate`` (``--workers N``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geodata.corpus import RecordError, record_date
from geodata.partitions import FileReader, Partition, plan_partitions, read_partition
from geodata.pipeline import MAX_TEXT_CHARS, Geoparser, resolution_to_dict
from geodata.schema import COLUMNS, LIST_COLUMNS

__all__ = [
    "MAX_BATCH_CHARS",
    "TABLES",
    "BatchError",
    "BatchSummary",
    "check_corpus",
    "collect_records",
    "parse_corpus",
    "process_partition",
    "read_manifest",
    "run_batch",
    "summary_dict",
    "table_frames",
]

#: Longest article text geoparsed (characters); longer ones are cut here, with
#: a note in the articles table. spaCy's own default ``nlp.max_length``; the NER
#: reads a long text in pieces (``geodata.recognize.MAX_NER_CHARS``), so memory
#: stays bounded, but time grows with the length, and no news article comes near
#: (the longest in the dev corpora is under 40,000).
MAX_BATCH_CHARS = MAX_TEXT_CHARS
#: The dataset's tables, one folder each.
TABLES = ("articles", "mentions", "sites", "errors")
MANIFEST = "_manifest.json"
_FORMAT = 1
#: Records geoparsed together (one spaCy ``pipe`` call): bounds worker memory.
_CHUNK = 64

#: One GeoParser per worker process and pipeline: the gazetteer and spaCy load once.
_PARSERS: dict[str | None, Geoparser] = {}
#: How many times this process loaded a Geoparser (a test asks the workers: once each).
_LOADS = 0


class BatchError(ValueError):
    """A batch that cannot start (an output folder of another corpus, no input)."""


@dataclass
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    documents : int
        Records read in this run (articles written + failures).
    articles, mentions, features, failures : int
        Rows written to each table in this run.
    cut : int
        Articles cut at :data:`MAX_BATCH_CHARS`.
    partitions, skipped, failed_partitions : int
        Partitions planned, already done before this run, and lost to a worker error.
    seconds : float
        Wall time of this run (planning included).
    workers : int
        Worker processes (1: in-process, no Dask).
    worker_peak_rss_mb : float
        The largest peak resident memory of a worker process (MiB, Linux's
        ``ru_maxrss``), as the workers reported it after each partition.
    notes : list of str
        The workers' notes (a missing spaCy model...), each once.
    problems : list of str
        One line per failed partition.
    """

    documents: int = 0
    articles: int = 0
    mentions: int = 0
    features: int = 0
    failures: int = 0
    cut: int = 0
    partitions: int = 0
    skipped: int = 0
    failed_partitions: int = 0
    seconds: float = 0.0
    workers: int = 1
    worker_peak_rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def documents_per_second(self) -> float:
        """Documents read per second of wall time (0 when nothing ran)."""
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def add(self, counts: dict[str, Any]) -> None:
        """Add one partition's counts."""
        for name in ("documents", "articles", "mentions", "features", "failures", "cut"):
            setattr(self, name, getattr(self, name) + int(counts.get(name, 0)))
        self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, float(counts.get("rss_mb", 0.0)))
        for note in counts.get("notes", ()):
            if note not in self.notes:
                self.notes.append(note)


def _parser(pipeline: str | None) -> Geoparser:
    global _LOADS
    parser = _PARSERS.get(pipeline)
    if parser is None:
        parser = _PARSERS[pipeline] = Geoparser(pipeline=pipeline)
        _LOADS += 1
    return parser


# --- one partition, on a worker --------------------------------------------------------


def _text_or_reason(record: dict[str, Any]) -> str | None:
    """Why a record cannot be geoparsed, or None."""
    if "text" not in record or record["text"] is None:
        return 'no "text"'
    if not isinstance(record["text"], str):
        return f'"text" is not a string (got {type(record["text"]).__name__})'
    if not record["text"].strip():
        return "empty text"
    return None


def _str_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, str) else str(value)


def _article_id(record: dict[str, Any], path: str, line: int) -> str:
    given = _str_or_none(record.get("id"))
    return given if given not in (None, "") else f"{Path(path).name}:{line}"


def _mention_rows(article_id: str, recognized: Any, resolutions: Sequence[Any]) -> list[dict]:
    """One row per resolved toponym, from the parse (``newsmap parse``'s record + sentence)."""
    rows = []
    for resolution in resolutions:
        if resolution.place is None:
            continue
        record = resolution_to_dict(resolution, alternatives=False)
        mention = resolution.mention
        sentence_start, sentence_end = recognized.sentences[mention.sentence]
        rows.append(
            {
                "article_id": article_id,
                "start": record["start"],
                "end": record["end"],
                "surface": record["name"],
                "feature_id": record["feature_id"],
                "name": resolution.place.name,
                "kind": record["kind"],
                "country_code": record["country_code"],
                "geonameid": record["geonameid"],
                "lon": record["lon"],
                "lat": record["lat"],
                "score": record["score"],
                "confidence": record["confidence"],
                "demonym": record["demonym"],
                "sentence_start": sentence_start,
                "sentence_end": sentence_end,
            }
        )
    return rows


def _article_row(
    record: dict[str, Any],
    article_id: str,
    path: str,
    line: int,
    chars: int,
    sites: list[dict[str, Any]],
) -> dict[str, Any]:
    from geodata.focus import focus_of_rows

    focus = focus_of_rows(sites)
    point = None
    if focus["place_id"] is not None:
        match = [s["geometry"] for s in sites if s["feature_id"] == focus["place_id"]]
        point = match[0].representative_point() if match else None
    cut = chars > MAX_BATCH_CHARS
    return {
        "id": article_id,
        "title": _str_or_none(record.get("title")),
        "url": _str_or_none(record.get("url")),
        "date": record_date(record.get("date")),
        "source": _str_or_none(record.get("source")),
        "input": path,
        "line": line,
        "chars": chars,
        "text": record["text"][:MAX_BATCH_CHARS],
        "cut": cut,
        "note": f"cut at {MAX_BATCH_CHARS:,} characters of {chars:,}" if cut else None,
        "features": len(sites),
        "focus_country": focus["country_code"],
        "focus_country_name": focus["country"],
        "focus_place": focus["place"],
        "focus_place_id": focus["place_id"],
        "focus_place_mentions": focus["place_mentions"],
        "geometry": point,
    }


def _geoparse(
    parser: Geoparser,
    chunk: list[tuple[str, int, str, dict[str, Any]]],
    out: dict[str, list],
) -> None:
    """Geoparse a chunk of (path, line, id, record); an article that breaks it is an error row."""
    texts = [r["text"][:MAX_BATCH_CHARS] for _, _, _, r in chunk]
    dates = [record_date(r.get("date")) for _, _, _, r in chunk]
    try:
        results = list(parser.analyse_rows(texts, dates))
    except Exception:
        if len(chunk) > 1:  # find the one article that breaks it; the others go on
            for item in chunk:
                _geoparse(parser, [item], out)
            return
        path, line, article_id, _ = chunk[0]
        error = sys.exc_info()[1]
        out["errors"].append(
            {
                "input": path,
                "line": line,
                "id": article_id,
                "reason": f"the geoparser failed: {type(error).__name__}: {error}",
            }
        )
        return
    for (path, line, article_id, record), (recognized, resolutions, sites) in zip(
        chunk, results, strict=True
    ):
        mentions = _mention_rows(article_id, recognized, resolutions)
        row = _article_row(record, article_id, path, line, len(record["text"]), sites)
        row["mentions"] = len(mentions)
        out["articles"].append(row)
        out["mentions"].extend(mentions)
        out["sites"].extend({"article_id": article_id, **site} for site in sites)


def collect_records(
    parser: Geoparser,
    path: str | None,
    records: Iterable[tuple[int, dict[str, Any] | RecordError]],
    progress: Callable[[int], None] | None = None,
) -> dict[str, list]:
    """Geoparse records into the dataset's rows: every bad record an ``errors`` row.

    Parameters
    ----------
    parser : Geoparser
    path : str or None
        The input's name for ``input`` and default ids (None: a group of article
        files, each record's ``id`` is its path).
    records : iterable of (int, dict or RecordError)
        (line, record) as :func:`geodata.partitions.read_partition` yields them.
    progress : callable, optional
        Called with the number of records read so far after each chunk.

    Returns
    -------
    dict of str to list
        ``articles``, ``mentions``, ``sites`` and ``errors`` rows (dicts, a
        site's with its ``article_id`` and shapely geometry), for
        :func:`table_frames`.
    """
    out: dict[str, list] = {name: [] for name in TABLES}
    chunk: list[tuple[str, int, str, dict[str, Any]]] = []
    seen = 0
    for line, record in records:
        seen += 1
        if isinstance(record, RecordError):
            out["errors"].append(
                {"input": record.source, "line": line or None, "id": None, "reason": record.reason}
            )
            continue
        source = path or str(record.get("id", ""))
        article_id = _article_id(record, source, line)
        reason = _text_or_reason(record)
        if reason:
            out["errors"].append(
                {"input": source, "line": line, "id": article_id, "reason": reason}
            )
            continue
        chunk.append((source, line, article_id, record))
        if len(chunk) >= _CHUNK:
            _geoparse(parser, chunk, out)
            chunk = []
            if progress is not None:
                progress(seen)
    if chunk:
        _geoparse(parser, chunk, out)
    if progress is not None:
        progress(seen)
    return out


def process_partition(
    part: Partition | dict[str, Any],
    output: str,
    pipeline: str | None = None,
    read_file: FileReader | None = None,
) -> dict[str, Any]:
    """Read, geoparse and write one partition (runs on a worker).

    Parameters
    ----------
    part : Partition or dict
        From :func:`geodata.partitions.plan_partitions` (a dict: its fields).
    output : str
        The dataset directory (shared by the workers and the client).
    pipeline : str, optional
        spaCy pipeline name (:func:`geodata.recognize.load_nlp`); ``"none"``:
        gazetteer matching only.
    read_file : callable, optional
        Reader of article files (see :func:`geodata.partitions.read_partition`).

    Returns
    -------
    dict
        ``id``, ``documents``, ``articles``, ``mentions``, ``features``,
        ``failures``, ``cut``, ``seconds``, ``rss_mb`` (the worker process's
        peak resident memory so far, MiB), ``notes``: small, for the client.
        Bad records become rows of the ``errors`` table; only a failure to
        write the output raises.
    """
    started = time.perf_counter()
    if isinstance(part, dict):
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in part.items()
        }
        part = Partition(**fields)
    parser = _parser(pipeline)
    out = collect_records(parser, part.path, read_partition(part, read_file))
    cut = sum(bool(a["cut"]) for a in out["articles"])
    features = len(out["sites"])
    _write_partition(Path(output), part.id, out)
    return {
        "id": part.id,
        "documents": len(out["articles"]) + len(out["errors"]),
        "articles": len(out["articles"]),
        "mentions": len(out["mentions"]),
        "features": features,
        "failures": len(out["errors"]),
        "cut": cut,
        "seconds": round(time.perf_counter() - started, 3),
        "rss_mb": round(_peak_rss_mb(), 1),
        "notes": list(parser.notes),
    }


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the tables ------------------------------------------------------------------------

_ARTICLES = {
    "id": "string",
    "title": "string",
    "url": "string",
    "date": "date",
    "source": "string",
    "input": "string",
    "line": "int",
    "chars": "int",
    "text": "string",
    "cut": "bool",
    "note": "string",
    "mentions": "int",
    "features": "int",
    "focus_country": "string",
    "focus_country_name": "string",
    "focus_place": "string",
    "focus_place_id": "string",
    "focus_place_mentions": "int",
}
_MENTIONS = {
    "article_id": "string",
    "start": "int",
    "end": "int",
    "surface": "string",
    "feature_id": "string",
    "name": "string",
    "kind": "string",
    "country_code": "string",
    "geonameid": "int",
    "lon": "float",
    "lat": "float",
    "score": "float",
    "confidence": "float",
    "demonym": "bool",
    "sentence_start": "int",
    "sentence_end": "int",
}
_SITES = {
    "article_id": "string",
    **{
        name: {"confidence": "float", "mentions": "int", "inferred": "bool"}.get(name, "string")
        for name in COLUMNS
        if name != "geometry"
    },
}
_ERRORS = {"input": "string", "line": "int", "id": "string", "reason": "string"}
_SCHEMAS = {"articles": _ARTICLES, "mentions": _MENTIONS, "sites": _SITES, "errors": _ERRORS}


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
    }[name]


def _typed(rows: Any, schema: dict[str, str]) -> Any:
    """Return a frame whose columns have the schema's Arrow types, even when empty or all null.

    Every partition's file then has one schema, which a dataset reader
    (pyarrow, DuckDB, GDAL) needs to read the folder as one table.
    """
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=list(schema))
    out = {}
    for name, kind in schema.items():
        values = list(frame[name]) if name in frame else [None] * len(frame)
        if kind == "string":
            values = [_str_or_none(v) for v in values]
        elif kind in ("int", "float", "bool"):
            values = [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values
            ]
        out[name] = pd.array(values, dtype=pd.ArrowDtype(_arrow_type(kind)))
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def table_frames(out: dict[str, list]) -> dict[str, Any]:
    """Return the four tables of :func:`collect_records`' rows, typed as in the dataset.

    Returns
    -------
    dict of str to DataFrame
        ``articles``, ``mentions``, ``sites`` (GeoDataFrames, EPSG:4326) and
        ``errors`` (a DataFrame), with the columns and Arrow types of the README's
        schema, list columns of ``sites`` as JSON text.
    """
    import geopandas as gpd
    import pandas as pd

    frames: dict[str, Any] = {}
    articles = out["articles"]
    frames["articles"] = gpd.GeoDataFrame(
        _typed(articles, _ARTICLES),
        geometry=gpd.GeoSeries([a["geometry"] for a in articles], crs="EPSG:4326"),
    )
    mentions = out["mentions"]
    frames["mentions"] = gpd.GeoDataFrame(
        _typed(mentions, _MENTIONS),
        geometry=gpd.points_from_xy(
            [m["lon"] for m in mentions], [m["lat"] for m in mentions], crs="EPSG:4326"
        ),
    )
    sites = pd.DataFrame(out["sites"], columns=[*_SITES, "geometry"])
    for column in LIST_COLUMNS:
        sites[column] = [json.dumps(v, ensure_ascii=False, default=str) for v in sites[column]]
    geometry = gpd.GeoSeries(list(sites["geometry"]), crs="EPSG:4326")
    frames["sites"] = gpd.GeoDataFrame(_typed(sites, _SITES), geometry=geometry)
    frames["errors"] = _typed(out["errors"], _ERRORS)
    return frames


def _write_partition(output: Path, part_id: str, out: dict[str, list]) -> None:
    import geopandas as gpd

    for table, frame in table_frames(out).items():
        folder = output / table
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{part_id}.parquet"
        temporary = folder / f".{part_id}.parquet.{os.getpid()}.tmp"
        if isinstance(frame, gpd.GeoDataFrame):
            # GeoParquet 1.1: WKB geometry, its types, and a bbox covering column
            frame.to_parquet(
                temporary, index=False, schema_version="1.1.0", write_covering_bbox=True
            )
        else:
            frame.to_parquet(temporary, index=False)
        os.replace(temporary, final)


# --- the manifest ----------------------------------------------------------------------


def _fingerprint(parts: Sequence[Partition], pipeline: str | None) -> dict[str, Any]:
    """Return what a partition's output depends on: the inputs, their ranges, the pipeline."""
    files: dict[str, dict[str, Any]] = {}
    for part in parts:
        for path in part.paths or (part.path,):
            if path and path not in files:
                try:
                    stat = os.stat(path)
                    files[path] = {"path": path, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
                except OSError:
                    files[path] = {"path": path, "size": None, "mtime_ns": None}
    return {
        "format": _FORMAT,
        "pipeline": pipeline,
        "max_chars": MAX_BATCH_CHARS,
        "inputs": list(files.values()),
        "partitions": [p.describe() for p in parts],
    }


def _write_json(path: Path, value: Any) -> None:
    """Replace ``path`` atomically (a temporary file in the same folder, then rename)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # readable by the other machines of a cluster
        os.replace(temporary, path)
    except BaseException:  # Ctrl-C mid-write: the old manifest stays, no stray file
        Path(temporary).unlink(missing_ok=True)
        raise


def _prepare_output(
    output: Path, fingerprint: dict[str, Any], overwrite: bool
) -> dict[str, dict[str, Any]]:
    """Open (or start) the dataset folder; return the partitions already done."""
    manifest_path = output / MANIFEST
    if output.exists() and not output.is_dir():
        raise BatchError(f"cannot write {output}: it is a file, and the batch writes a folder")
    if overwrite and output.exists():
        for table in TABLES:
            shutil.rmtree(output / table, ignore_errors=True)
        manifest_path.unlink(missing_ok=True)
    elif output.is_dir() and not manifest_path.exists() and any(output.iterdir()):
        raise BatchError(
            f"cannot write {output}: a folder that is not empty and holds no batch "
            "(choose another folder, or pass --overwrite)"
        )
    output.mkdir(parents=True, exist_ok=True)
    done: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BatchError(f"{manifest_path} is damaged ({error}); pass --overwrite") from error
        if manifest.get("fingerprint") != fingerprint:
            raise BatchError(
                f"{output} holds a batch of other inputs or options; "
                "pass --overwrite to replace it, or choose another folder"
            )
        done = {
            k: v for k, v in manifest.get("partitions", {}).items() if v.get("status") == "done"
        }
    for stale in output.glob(f".{MANIFEST}.*.tmp"):  # a killed run's files in flight
        stale.unlink(missing_ok=True)
    for table in TABLES:
        for stale in (output / table).glob(".part-*.tmp") if (output / table).is_dir() else ():
            stale.unlink(missing_ok=True)
    return done


# --- running ---------------------------------------------------------------------------


class _Progress:
    """One line on stderr, redrawn as partitions finish (a new line per 10 % off a terminal)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.done = self.documents = 0
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def update(self, counts: dict[str, Any]) -> None:
        self.done += 1
        self.documents += int(counts.get("documents", 0))
        if self.quiet or not self.total:
            return
        fraction = self.done / self.total
        if not self.tty and int(fraction * 10) == self.shown and self.done < self.total:
            return
        self.shown = int(fraction * 10)
        elapsed = time.perf_counter() - self.started
        rate = self.documents / elapsed if elapsed else 0.0
        bar = "#" * int(fraction * 30)
        line = (
            f"newsmap: [{bar:<30}] {self.done}/{self.total} partitions, "
            f"{self.documents:,} documents, {rate:,.1f}/s"
        )
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr)
        if self.tty and self.done == self.total:
            print(file=sys.stderr)


@contextlib.contextmanager
def _sigint(handler: Any) -> Iterator[None]:
    """Set the SIGINT (Ctrl-C) handler for the block; outside the main thread, change nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """Open a dask.distributed client: of the scheduler at an address, or of a LocalCluster."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout=30)
        try:
            yield client
        finally:
            client.close()
        return
    # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536. Setting it at all
    # turns off glibc's adaptive mmap threshold, so each of the NER's large
    # temporary arrays is mapped and unmapped afresh: measured here, the workers'
    # system time tripled (5 -> 16 s on 3,200 articles) and throughput fell 8 %.
    # Unset for the workers of our own cluster (a cluster started by hand: README).
    # Ctrl-C in a terminal reaches every process of its group, and each worker printed
    # two tracebacks (60 lines) over the client's one-line "stopped". A signal ignored
    # at exec stays ignored (Python installs no handler of its own then): workers
    # spawned under SIG_IGN leave the stop to the client, which closes the cluster.
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
        _sigint(signal.SIG_IGN),
    ):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(cluster)
    try:
        client.run(_quiet_cancelled_tasks)
        yield client
    finally:
        client.close()
        cluster.close()


def _quiet_cancelled_tasks() -> None:
    """On a worker of our own cluster: drop Dask's warning that a running task was cancelled.

    That is what Ctrl-C does to the partitions in flight; the client says so in
    one line. Other warnings of the worker are kept.
    """
    import logging

    logging.getLogger("distributed.worker.state_machine").addFilter(
        lambda record: "CancelledError" not in record.getMessage()
    )


@contextlib.contextmanager
def _deferred_ctrl_c() -> Iterator[threading.Event]:
    """Turn Ctrl-C into a flag while the client waits on Dask (main thread only).

    A KeyboardInterrupt raised inside one of Dask's blocking calls left its event
    loop a callback that failed with a traceback (a NameError in
    ``distributed.utils.sync``); :func:`_as_done` raises it from our own code
    instead, between two waits of at most 0.1 s.
    """
    pressed = threading.Event()
    with _sigint(lambda *_: pressed.set()):
        yield pressed


def _as_done(futures: Sequence[Any], pressed: threading.Event, ordered: bool) -> Iterator[Any]:
    """Yield Dask futures once done (as they finish, or in order), polling every 0.1 s.

    Raises
    ------
    KeyboardInterrupt
        Once ``pressed`` is set (see :func:`_deferred_ctrl_c`).
    """
    pending = list(futures)
    while pending:
        if pressed.is_set():
            raise KeyboardInterrupt
        ready = [f for f in (pending[:1] if ordered else pending) if f.done()]
        if not ready:
            time.sleep(0.1)
            continue
        for future in ready:
            pending.remove(future)
            yield future


def _run_each(
    function: Callable[..., Any],
    items: Sequence[Any],
    on_done: Callable[[Any, Any], None],
    scheduler: str | None,
    workers: int,
    **kwargs: Any,
) -> None:
    """Run ``function(item, **kwargs)`` for each item, in-process or on Dask; report each result.

    ``on_done(item, result)`` gets the result, or the exception a task raised
    (a worker that died, an output that cannot be written).
    """
    if not items:
        return
    if scheduler is None and workers <= 1:
        for item in items:
            try:
                result = function(item, **kwargs)
            except Exception as error:
                result = error
            on_done(item, result)
        return
    with _client(scheduler, workers) as client, _deferred_ctrl_c() as pressed:
        futures = client.map(function, list(items), pure=False, **kwargs)
        which = {future.key: item for future, item in zip(futures, items, strict=True)}
        for future in _as_done(futures, pressed, ordered=False):
            try:
                result = future.result()
            except Exception as error:
                result = error
            on_done(which[future.key], result)


def run_batch(  # noqa: PLR0913 - the CLI's options, keyword-only
    inputs: str | Iterable[str],
    output: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    pipeline: str | None = None,
    blocksize: int | None = None,
    partition_size: int | None = None,
    overwrite: bool = False,
    quiet: bool = True,
    read_file: FileReader | None = None,
) -> BatchSummary:
    """Geoparse a corpus into a GeoParquet dataset, resuming a run that was stopped.

    Parameters
    ----------
    inputs : str or iterable of str
        JSON Lines files (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``), Parquet
        files, article files, directories and globs (:mod:`geodata.partitions`).
    output : str or Path
        The dataset folder (created; must be readable by every worker).
    workers : int, default 1
        Worker processes of a LocalCluster; 1 runs in this process, without Dask.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler
        (``tcp://host:8786``); ``workers`` is then ignored.
    pipeline : str, optional
        spaCy pipeline (``"none"``: gazetteer matching only).
    blocksize, partition_size : int, optional
        See :func:`geodata.partitions.plan_partitions`.
    overwrite : bool, default False
        Start afresh: delete the folder's tables and manifest first.
    quiet : bool, default True
        No progress line on stderr.
    read_file : callable, optional
        Reader of article files (the CLI passes ``layers.files.inputs.read_article``).

    Returns
    -------
    BatchSummary
        Counts of this run; partitions already done are ``skipped``.

    Raises
    ------
    BatchError
        When ``output`` holds a batch of other inputs or options (unless
        ``overwrite``), or is a non-empty folder without a manifest.
    FileNotFoundError
        When an input names nothing.
    """
    started = time.perf_counter()
    output = Path(output)
    parts = plan_partitions(
        [inputs] if isinstance(inputs, str) else inputs, blocksize, partition_size
    )
    if not parts:
        raise BatchError("no input")
    fingerprint = _fingerprint(parts, pipeline)
    done = _prepare_output(output, fingerprint, overwrite)
    manifest: dict[str, Any] = {
        "fingerprint": fingerprint,
        "partitions": {p.id: done.get(p.id, {"status": "pending"}) for p in parts},
    }
    _write_json(output / MANIFEST, manifest)
    todo = [p for p in parts if p.id not in done]
    summary = BatchSummary(
        partitions=len(parts),
        skipped=len(parts) - len(todo),
        workers=1 if scheduler is None and workers <= 1 else workers,
    )
    progress = _Progress(len(todo), quiet)
    last_write = time.perf_counter()

    def on_done(part: Partition, result: Any) -> None:
        nonlocal last_write
        if isinstance(result, BaseException):
            summary.failed_partitions += 1
            summary.problems.append(f"{part.id} ({part.path or 'files'}): {result}")
            manifest["partitions"][part.id] = {"status": "failed", "reason": str(result)}
        else:
            summary.add(result)
            counts = {k: v for k, v in result.items() if k not in ("id", "notes")}
            manifest["partitions"][part.id] = {"status": "done", **counts}
        progress.update(result if isinstance(result, dict) else {})
        # at most one rewrite a second: a kill loses only that much bookkeeping
        # (the partitions are done again, into the same files)
        if time.perf_counter() - last_write > 1.0:
            _write_json(output / MANIFEST, manifest)
            last_write = time.perf_counter()

    try:
        _run_each(
            process_partition,
            todo,
            on_done,
            scheduler,
            workers,
            output=str(output.resolve()),
            pipeline=pipeline,
            read_file=read_file,
        )
    finally:
        _write_json(output / MANIFEST, manifest)
    summary.seconds = time.perf_counter() - started
    return summary


def read_manifest(output: str | Path) -> dict[str, Any]:
    """Return a dataset folder's manifest (see :func:`run_batch`).

    Parameters
    ----------
    output : str or Path
        The dataset folder.

    Returns
    -------
    dict
        ``fingerprint`` (inputs, options, partitions) and ``partitions``
        (id -> ``status`` and counts).

    Raises
    ------
    OSError, ValueError
        When it cannot be read.
    """
    return dict(json.loads((Path(output) / MANIFEST).read_text(encoding="utf-8")))


# --- newsmap parse / evaluate ----------------------------------------------------------


def _parse_partition(
    part: Partition, folder: str, pipeline: str | None, demonyms: bool
) -> dict[str, Any]:
    """Write one partition's ``newsmap parse`` lines to ``folder/<id>.jsonl`` (on a worker)."""
    parser = _parser(pipeline)
    records = list(_checked_records(part))
    path = Path(folder) / f"{part.id}.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, len(records), _CHUNK):
            chunk = records[start : start + _CHUNK]
            texts = [r["text"] for r in chunk if isinstance(r, dict)]
            for record, toponyms in zip(chunk, parser.parse(texts, demonyms=demonyms), strict=True):
                assert isinstance(record, dict)
                line = {"id": record.get("id"), "toponyms": toponyms}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return {
        "path": str(path),
        "documents": len(records),
        "method": parser.method,
        "notes": parser.notes,
    }


def parse_corpus(
    path: str,
    workers: int = 1,
    pipeline: str | None = None,
    demonyms: bool = True,
    geoparser: Geoparser | None = None,
    info: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield ``newsmap parse``'s line for each record of a JSON Lines corpus, in input order.

    Parameters
    ----------
    path : str
        A JSON Lines corpus (``.jsonl``, ``.gz``, ``.zst``; UTF-8/16/32) of
        records with a ``text`` string; check it first (a bad line raises).
    workers : int, default 1
        1: in this process, ``geoparser`` (or one loaded here), streamed in
        chunks; more: a LocalCluster of that many processes, each partition
        written to a temporary file and read back in order.
    pipeline : str, optional
        spaCy pipeline of the workers.
    demonyms : bool, default True
        Include demonym mentions.
    geoparser : Geoparser, optional
        For ``workers=1``.
    info : dict, optional
        Filled with ``method`` (the geoparser's) and ``notes`` (the workers').

    Yields
    ------
    dict
        ``{"id", "toponyms"}`` (see :meth:`geodata.pipeline.Geoparser.parse`).

    Raises
    ------
    RecordError
        At a line that is not a record with a ``text`` string.
    """
    info = info if info is not None else {}
    # about four partitions per worker (a byte range ends at a line's end: at least one line)
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    parts = plan_partitions([path], blocksize=min(max(size // (4 * workers), 1), 16 << 20))
    if workers <= 1:
        parser = geoparser or _parser(pipeline)
        info["method"], info["notes"] = parser.method, list(parser.notes)
        for part in parts:
            chunk: list[dict[str, Any]] = []
            for record in _checked_records(part):
                chunk.append(record)
                if len(chunk) >= _CHUNK:
                    yield from _parsed(parser, chunk, demonyms)
                    chunk = []
            yield from _parsed(parser, chunk, demonyms)
        return
    from dask.distributed import wait

    with (
        tempfile.TemporaryDirectory(prefix="newsmap-parse-") as folder,
        _client(None, workers) as client,
        _deferred_ctrl_c() as pressed,
    ):
        futures = client.map(
            _parse_partition, parts, folder=folder, pipeline=pipeline, demonyms=demonyms, pure=False
        )
        try:
            for future in _as_done(futures, pressed, ordered=True):
                result = future.result()
                info["method"] = result["method"]
                info.setdefault("notes", [])
                info["notes"] += [n for n in result["notes"] if n not in info["notes"]]
                with open(result["path"], encoding="utf-8") as handle:
                    for line in handle:
                        yield json.loads(line)
                os.unlink(result["path"])
        finally:
            client.cancel(futures)
            with contextlib.suppress(Exception):
                wait(futures, timeout=5)


def _checked_records(part: Partition) -> Iterator[dict[str, Any]]:
    """Yield the records of a partition, raising at the first that is not an article."""
    for line, record in read_partition(part):
        if isinstance(record, RecordError):
            raise record
        if not isinstance(record.get("text"), str):
            raise RecordError(part.path, line, 'expected an object with a "text" string')
        yield record


def check_corpus(path: str) -> int:
    """Read a JSON Lines corpus through once, raising at its first bad line.

    Streamed (constant memory), so that ``newsmap parse`` refuses a bad corpus
    before it writes anything.

    Parameters
    ----------
    path : str
        A corpus as :func:`parse_corpus` reads it.

    Returns
    -------
    int
        Number of records.

    Raises
    ------
    RecordError
        At the first line that is not a record with a ``text`` string.
    OSError
        When the file cannot be read.
    """
    count = 0
    for part in plan_partitions([path]):
        if part.kind == "broken":
            raise OSError(part.reason)
        for _ in _checked_records(part):
            count += 1
    return count


def _parsed(
    parser: Geoparser, chunk: list[dict[str, Any]], demonyms: bool
) -> Iterator[dict[str, Any]]:
    if not chunk:
        return
    for record, toponyms in zip(
        chunk, parser.parse([r["text"] for r in chunk], demonyms=demonyms), strict=True
    ):
        yield {"id": record.get("id"), "toponyms": toponyms}


def summary_dict(summary: BatchSummary) -> dict[str, Any]:
    """Return a summary as JSON-native values, with ``documents_per_second``.

    Parameters
    ----------
    summary : BatchSummary

    Returns
    -------
    dict
    """
    return {**asdict(summary), "documents_per_second": round(summary.documents_per_second, 2)}
