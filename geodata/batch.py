"""Many articles at once: the same pipeline on Dask, written as GeoParquet.

Articles are split into chunks; each chunk is one task on a ``dask.distributed``
cluster (a :class:`~dask.distributed.LocalCluster` of worker processes by default,
or the scheduler at a given address). Each worker process loads the gazetteer
and the NER pipeline once and reuses them for every chunk it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata.corpus import record_date
from geodata.pipeline import Geoparser
from geodata.schema import COLUMNS, LIST_COLUMNS, rows_to_frame

__all__ = ["extract_chunk", "run_batch"]

_PARSERS: dict[str | None, Any] = {}


def extract_chunk(
    records: Sequence[dict[str, Any]], pipeline: str | None = None
) -> gpd.GeoDataFrame:
    """Extract the sites of a chunk of articles (runs inside a worker).

    Parameters
    ----------
    records : sequence of dict
        Articles with ``text`` and optional ``id`` and ``date`` (YYYY-MM-DD).
    pipeline : str, optional
        spaCy pipeline name (see :func:`geodata.recognize.load_nlp`).

    Returns
    -------
    GeoDataFrame
        The sites of every article (EPSG:4326) with an ``article_id`` column;
        list columns as JSON text (Parquet-friendly).
    """
    parser = _PARSERS.get(pipeline)
    if parser is None:
        parser = _PARSERS[pipeline] = Geoparser(pipeline=pipeline)
    texts = [r["text"] for r in records]
    dates = [record_date(r.get("date")) for r in records]
    frames = []
    for record, sites in zip(records, parser.sites(texts, dates), strict=True):
        sites.insert(0, "article_id", str(record.get("id", "")))
        frames.append(sites)
    if not frames:
        return rows_to_frame([], columns=["article_id", *COLUMNS])
    out = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    for column in LIST_COLUMNS:
        out[column] = [json.dumps(v, ensure_ascii=False) for v in out[column]]
    return out


def run_batch(
    records: Sequence[dict[str, Any]],
    output: str | Path,
    scheduler: str | None = None,
    workers: int = 2,
    chunk_size: int = 64,
    pipeline: str | None = None,
    writer: Callable[[gpd.GeoDataFrame, Path], Any] | None = None,
) -> int:
    """Extract sites from many articles on Dask and write one file (GeoParquet by default).

    Parameters
    ----------
    records : sequence of dict
        Articles (``id``, ``text``, optional ``date``).
    output : str or Path
        GeoParquet file to write.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler; default: start a
        LocalCluster with ``workers`` processes of one thread each.
    workers : int, default 2
        Worker processes of the LocalCluster.
    chunk_size : int, default 64
        Articles per task.
    pipeline : str, optional
        spaCy pipeline name.
    writer : callable, optional
        ``writer(frame, path)`` writes the result (the CLI passes
        :func:`layers.files.formats.write_sites`, which writes by extension);
        default ``GeoDataFrame.to_parquet``. The frame has an ``article_id``
        column and list columns as JSON text.

    Returns
    -------
    int
        Number of features written.
    """
    from dask.distributed import Client, LocalCluster

    chunks = [list(records[i : i + chunk_size]) for i in range(0, len(records), chunk_size)]
    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(extract_chunk, chunks, pipeline=pipeline, pure=False)
        frames = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    frames = [f for f in frames if len(f)]
    if frames:
        result = gpd.GeoDataFrame(
            pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326"
        )
    else:
        result = extract_chunk([], pipeline)
    if writer is None:
        result.to_parquet(output)
    else:
        writer(result, Path(output))
    return len(result)
