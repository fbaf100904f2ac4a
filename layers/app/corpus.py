"""The Corpus page's model, without Streamlit: a corpus as rows, filters, places, time.

A corpus is a batch dataset (``newsmap batch``'s GeoParquet folder, see the
README), a zip of one, or a JSON Lines file geoparsed here into the same tables.
:class:`Corpus` holds it as two frames:

- ``articles``: one row per article (``id``, ``title``, ``url``, ``date``,
  ``source``, ``text``);
- ``items``: one row per (article, feature): every place the article names
  (from ``mentions``, grouped: its first mention gives the words and the
  sentence) and every other feature of its map (incidents, routes, sites the
  catalogue added, from ``sites``) at a representative point. Categories are
  pandas categoricals so that a filter is a few comparisons of integer codes.

:func:`filter_mask` turns a :class:`CorpusFilter` into a boolean mask over
``items``; :func:`aggregate_places` counts, per feature, the articles that name
it under that mask (the map's circles); :func:`histogram` counts articles per
day, week or month; :func:`place_articles` lists the articles behind one place
with the sentence and the words that put it there. Everything is vectorised
(numpy): a filter or time change over 1,000,000 mentions is measured by
``benchmarks/corpus_bench.py``.

Coordinates are degrees, WGS84 (EPSG:4326), lon first.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from geodata.schema import LAYER_KINDS, decode_list_columns

__all__ = [
    "GRANULARITIES",
    "MAX_DRAWN_PLACES",
    "MAX_ZIP_BYTES",
    "TIME_AXES",
    "Corpus",
    "CorpusError",
    "CorpusFilter",
    "aggregate_places",
    "corpus_from_records",
    "corpus_from_tables",
    "export_name",
    "filter_mask",
    "histogram",
    "mentions_csv",
    "open_dataset",
    "open_dataset_zip",
    "period_starts",
    "place_articles",
    "places_geojson",
    "selection_parquet",
    "with_article_sites",
]

#: Time steps of the slider and the histogram (a week starts on Monday).
GRANULARITIES: tuple[str, ...] = ("day", "week", "month")
#: The time axes and whose dates they are, in words for people: when the article
#: appeared, or when the incident happened (the article's date when the text gives none).
TIME_AXES: dict[str, str] = {"article": "articles", "incident": "incidents"}

#: The map draws at most this many places (the most named first); the page says
#: how many more the filters match. 20,000 circles on one canvas draw in well under
#: a second in Chromium; the page weight is about 100 bytes per place.
MAX_DRAWN_PLACES = 20_000

#: A zipped dataset may unpack to at most this many bytes (zip bombs), in at
#: most :data:`MAX_ZIP_MEMBERS` files.
MAX_ZIP_BYTES = 2_000_000_000
MAX_ZIP_MEMBERS = 20_000

_CATEGORIES = ("feature_id", "name", "kind", "layer", "country", "event_type")
_LAYER_OF_KIND = {kind: key for key, kinds in LAYER_KINDS.items() for kind in kinds}


class CorpusError(ValueError):
    """A dataset or file that cannot be opened as a corpus (the message says why, in one line)."""


@dataclass(eq=False)
class Corpus:
    """A geoparsed corpus, ready to filter and aggregate.

    Attributes
    ----------
    name : str
        The dataset's name (its folder or file), used in export file names.
    articles : DataFrame
        One row per article, index 0..n-1: ``id``, ``title``, ``url``, ``source``
        (str or None), ``date`` (datetime64, NaT when unknown), ``text`` (str or
        None when the dataset did not keep it).
    items : DataFrame
        One row per (article, feature): ``art`` (row of ``articles``, int32),
        categoricals ``feature_id``, ``name``, ``kind``, ``layer``, ``country``
        (ISO alpha-2, "" none), ``event_type`` ("" none); ``actors`` (str, "; "
        joined); ``confidence`` (float32, 0 when the dataset has none);
        ``date`` (datetime64: the incident's date, else the article's); ``lon``,
        ``lat`` (float64, degrees); ``mentions`` (int32); ``surface`` (the
        article's words); ``start``, ``end``, ``s0``, ``s1`` (int64 offsets of
        the words and their sentence in the text, -1 when unknown);
        ``sentence`` (str or None: the evidence sentence when offsets are unknown).
    errors : int
        Records the batch could not read (its ``errors`` table).
    notes : list of str
        What the reader should know (records left out, texts not kept).
    """

    name: str
    articles: pd.DataFrame
    items: pd.DataFrame
    errors: int = 0
    notes: list[str] = field(default_factory=list)
    _search: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: the case-folded titles and texts (shared with a corrected copy: texts stay)
    _texts: dict[str, Any] = field(default_factory=dict, repr=False)
    #: computed from ``items`` once (options, country names, counts): not shared
    #: with a corpus whose items changed (:func:`with_article_sites`)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def item_dates(self, time_by: str = "article") -> np.ndarray:
        """Each item's date on the chosen time axis (datetime64[ns], NaT unknown).

        Parameters
        ----------
        time_by : {"article", "incident"}
            ``"article"``: the date of the article that names it (publication);
            ``"incident"``: the incident's own date when the text gives one, else
            the article's.

        Raises
        ------
        KeyError
            ``time_by`` is not one of :data:`TIME_AXES`.
        """
        if time_by not in TIME_AXES:
            raise KeyError(time_by)
        if time_by == "incident":
            return self.items["date"].to_numpy()
        return self.articles["date"].to_numpy()[self.items["art"].to_numpy()]

    def date_range(self, time_by: str = "article") -> tuple[date, date] | None:
        """First and last date on a time axis, or None if nothing is dated.

        ``"article"`` spans the articles' dates (all of them, with or without a
        place); ``"incident"`` spans the items' dates (an incident reported years
        later stretches it: that is why it is not the default).
        """
        if time_by == "article":
            dates = self.articles["date"].dropna()
        else:
            dates = pd.Series(self.item_dates(time_by)).dropna()
        if dates.empty:
            return None
        return dates.min().date(), dates.max().date()

    def options(self, column: str) -> list[str]:
        """Values of a categorical column of ``items`` that occur, most frequent first."""
        memo = f"options:{column}"
        if memo not in self._memo:
            if column == "actors":
                actors = self.items["actors"]
                split = actors[actors != ""].str.split("; ").explode()
                self._memo[memo] = list(split.value_counts().index)
            else:
                counts = self.items[column].value_counts()
                self._memo[memo] = [v for v in counts.index if v != "" and counts[v] > 0]
        return list(self._memo[memo])

    def country_names(self) -> dict[str, str]:
        """ISO alpha-2 code -> the country's name as the corpus's country features have it."""
        if "countries" not in self._memo:
            items = self.items
            rows = np.flatnonzero(items["kind"].to_numpy() == "country")
            codes = items["country"].to_numpy()[rows]
            names = items["name"].to_numpy()[rows]
            self._memo["countries"] = dict(zip(map(str, codes), map(str, names), strict=True))
        return dict(self._memo["countries"])

    @property
    def place_count(self) -> int:
        """Distinct features named in the corpus."""
        if "places" not in self._memo:
            codes = self.items["feature_id"].cat.codes.to_numpy()
            self._memo["places"] = int(np.count_nonzero(np.bincount(codes))) if len(codes) else 0
        return int(self._memo["places"])

    def search(self, query: str) -> np.ndarray:
        """Boolean per article: the title or text contains ``query`` (any case, literally)."""
        key = query.strip().casefold()
        if key not in self._search:
            # the texts are case-folded once per corpus (the costly part), then searched
            if "folded" not in self._texts:
                titles = self.articles["title"].fillna("").astype(str).str.casefold()
                texts = self.articles["text"].fillna("").astype(str).str.casefold()
                self._texts["folded"] = (titles, texts)
            titles, texts = self._texts["folded"]
            hit = titles.str.contains(key, regex=False).to_numpy(bool)
            # not in place: arrays of Arrow-backed strings may be read-only
            hit = hit | texts.str.contains(key, regex=False).to_numpy(bool)
            if len(self._search) > 32:
                self._search.clear()
            self._search[key] = hit
        return self._search[key]


class CorpusFilter(NamedTuple):
    """What the Corpus page's controls ask for (hashable: a cache key).

    Attributes
    ----------
    start, end : date or None
        The time range, both ends included; None: no time filter (undated
        articles and incidents stay).
    countries, kinds, event_types, actors : tuple of str
        Keep items whose value is one of these; empty: all.
    min_confidence : float
        Keep items with at least this confidence (0..1).
    query : str
        Keep items of articles whose title or text contains it ("" all).
    time_by : {"article", "incident"}
        The time axis ``start`` and ``end`` apply to (see :meth:`Corpus.item_dates`).
    """

    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    min_confidence: float = 0.0
    query: str = ""
    time_by: str = "article"

    def without_time(self) -> CorpusFilter:
        """Return the same filter over all dates (what the histogram counts)."""
        return self._replace(start=None, end=None)


# --- reading ---------------------------------------------------------------------------


def _first_text(value: Any) -> str | None:
    """Text of a cell, None when missing (None, NaN, pandas' NA) or empty."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    text = str(value)
    return text if text else None


def _joined(values: Sequence[Any]) -> str:
    """Join a list cell (decoded by :func:`geodata.schema.decode_list_columns`) as "a; b"."""
    return "; ".join(str(v) for v in values if v)


def _first_sentence(evidence: Sequence[Any]) -> str | None:
    """Return the first evidence sentence of a site row (a decoded list of dicts)."""
    first = evidence[0] if len(evidence) else None
    return _first_text(first.get("sentence")) if isinstance(first, Mapping) else None


def _dates(values: Any) -> pd.Series:
    """Dates as datetime64 (incident dates may be "2024", "2024-04" or "2024-04-01")."""
    series = pd.Series(values, dtype="object").map(lambda v: None if v is None else str(v))
    return pd.to_datetime(series, errors="coerce", format="mixed").astype("datetime64[ns]")


def _mention_items(mentions: pd.DataFrame, art_of: pd.Series) -> pd.DataFrame:
    """Group mentions by (article, feature): one item each, its first mention's words."""
    m = mentions.copy()
    m["art"] = m["article_id"].map(art_of)
    m = m[m["art"].notna()]
    m["art"] = m["art"].astype("int64")
    m = m.sort_values(["art", "start"], kind="stable")
    grouped = m.groupby(["art", "feature_id"], sort=False, observed=True)
    first = grouped.first()
    out = pd.DataFrame(
        {
            "name": first["name"],
            "kind": first["kind"],
            "country": first["country_code"].fillna(""),
            "confidence": grouped["confidence"].max().fillna(0.0),
            "lon": first["lon"],
            "lat": first["lat"],
            "mentions": grouped.size(),
            "surface": first["surface"],
            "start": first["start"],
            "end": first["end"],
            "s0": first["sentence_start"],
            "s1": first["sentence_end"],
        }
    ).reset_index()
    out["event_type"] = ""
    out["actors"] = ""
    out["sentence"] = None
    out["item_date"] = pd.NaT
    return out


def _site_items(sites: pd.DataFrame, art_of: pd.Series, geometry: Sequence[Any]) -> pd.DataFrame:
    """Sites (incidents, routes, catalogue sites) as items at a representative point."""
    import shapely

    if not len(sites):
        return pd.DataFrame()
    # JSON text (Parquet) or lists (a frame from the app): one decoder for both
    lists = decode_list_columns(sites[[c for c in ("actors", "evidence") if c in sites]])
    points = shapely.point_on_surface(np.asarray(geometry, dtype=object))
    valid = ~shapely.is_missing(points) & ~shapely.is_empty(points)
    out = pd.DataFrame(
        {
            "art": sites["article_id"].map(art_of).to_numpy(),
            "feature_id": sites["feature_id"].to_numpy(),
            "name": sites["name"].to_numpy(),
            "kind": sites["kind"].to_numpy(),
            "country": sites["country_code"].fillna("").to_numpy(),
            "confidence": pd.to_numeric(sites["confidence"], errors="coerce")
            .fillna(0.0)
            .to_numpy(),
            "lon": shapely.get_x(points),
            "lat": shapely.get_y(points),
            "mentions": pd.to_numeric(sites["mentions"], errors="coerce")
            .fillna(1)
            .astype("int64")
            .to_numpy(),
            "surface": sites["surface"].fillna(sites["name"]).to_numpy()
            if "surface" in sites
            else sites["name"].to_numpy(),
            "event_type": sites["event_type"].fillna("").to_numpy()
            if "event_type" in sites
            else "",
            "actors": [_joined(v) for v in lists["actors"]] if "actors" in sites else "",
            "sentence": [_first_sentence(v) for v in lists["evidence"]]
            if "evidence" in sites
            else None,
            "item_date": _dates(sites["date"]).to_numpy()
            if "date" in sites
            else np.full(len(sites), np.datetime64("NaT"), "datetime64[ns]"),
        }
    )
    out = out[valid & out["art"].notna().to_numpy()].copy()
    out["art"] = out["art"].astype("int64")
    for column in ("start", "end", "s0", "s1"):
        out[column] = -1
    return out


def corpus_from_tables(
    name: str,
    articles: pd.DataFrame,
    mentions: pd.DataFrame,
    sites: pd.DataFrame,
    site_geometry: Sequence[Any] | None = None,
    errors: int = 0,
) -> Corpus:
    """Build a :class:`Corpus` from the batch dataset's tables.

    Parameters
    ----------
    name : str
        The dataset's name.
    articles, mentions, sites : DataFrame
        The tables as the README describes them (``sites`` may be a
        GeoDataFrame, or come with ``site_geometry``: shapely geometries, one per
        row; extra columns are ignored, missing optional ones are empty).
    site_geometry : sequence of shapely geometry, optional
        The geometry of each ``sites`` row when ``sites`` has none.
    errors : int
        Rows of the dataset's ``errors`` table.

    Returns
    -------
    Corpus
    """
    art = pd.DataFrame(
        {
            "id": articles["id"].astype(str).to_numpy(),
            "title": [_first_text(v) for v in articles.get("title", [None] * len(articles))],
            "url": [_first_text(v) for v in articles.get("url", [None] * len(articles))],
            "source": [_first_text(v) for v in articles.get("source", [None] * len(articles))],
            "date": _dates(articles["date"] if "date" in articles else [None] * len(articles)),
            "text": [_first_text(v) for v in articles["text"]]
            if "text" in articles
            else [None] * len(articles),
        }
    )
    art = art.drop_duplicates("id", keep="first").reset_index(drop=True)
    art_of = pd.Series(np.arange(len(art)), index=art["id"])
    parts = []
    if len(mentions):
        parts.append(_mention_items(mentions, art_of))
    if len(sites):
        geometry = site_geometry if site_geometry is not None else list(sites.geometry)
        site_items = _site_items(sites.reset_index(drop=True), art_of, geometry)
        if len(site_items) and parts:  # the places named are in mentions already
            named = pd.MultiIndex.from_frame(parts[0][["art", "feature_id"]])
            keys = pd.MultiIndex.from_frame(site_items[["art", "feature_id"]])
            site_items = site_items[~keys.isin(named)]
        parts.append(site_items)
    items = _finish_items(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), art)
    notes = []
    if art["text"].isna().all() and len(art):
        notes.append(
            "This dataset does not keep the articles' texts (made before newsmap kept "
            "them): sentences and opening an article are not available; run the batch again."
        )
    return Corpus(name=name, articles=art, items=items, errors=errors, notes=notes)


_ITEM_COLUMNS = {
    "art": "int32",
    "feature_id": "object",
    "name": "object",
    "kind": "object",
    "layer": "object",
    "country": "object",
    "event_type": "object",
    "actors": "object",
    "confidence": "float32",
    "date": "datetime64[ns]",
    "lon": "float64",
    "lat": "float64",
    "mentions": "int32",
    "surface": "object",
    "start": "int64",
    "end": "int64",
    "s0": "int64",
    "s1": "int64",
    "sentence": "object",
}


def _finish_items(items: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Types, layers, dates and categories of the items (an empty frame keeps its columns)."""
    if items.empty:
        empty = {c: pd.Series([], dtype=t) for c, t in _ITEM_COLUMNS.items()}
        items = pd.DataFrame(empty)
    else:
        items = items.copy()
        items["layer"] = items["kind"].map(_LAYER_OF_KIND).fillna("places")
        article_dates = articles["date"].to_numpy()[items["art"].to_numpy()]
        item_date = pd.to_datetime(items["item_date"]).to_numpy()
        items["date"] = np.where(pd.isna(item_date), article_dates, item_date)
        items = items[list(_ITEM_COLUMNS)].astype(_ITEM_COLUMNS)
        items = items[np.isfinite(items["lon"]) & np.isfinite(items["lat"])]
        items = items.reset_index(drop=True)
    for column in _CATEGORIES:
        items[column] = items[column].fillna("").astype(str).astype("category")
    return items


def _table(folder: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.dataset as ds

    path = folder / name
    if not path.is_dir() or not any(path.glob("*.parquet")):
        return pd.DataFrame()
    dataset = ds.dataset(str(path), format="parquet")
    names = [c for c in (columns or dataset.schema.names) if c in dataset.schema.names]
    return dataset.to_table(columns=names).to_pandas()


def _new_sites(folder: Path, mentions: pd.DataFrame) -> pd.DataFrame:
    """Read the ``sites`` rows that are not items of ``mentions`` already, file by file.

    A batch writes a sites row for every place an article names as well (a
    country's with its whole border): at a million mentions that is 2 GB of
    geometry whose rows :func:`corpus_from_tables` would drop. They are dropped
    here, in Arrow, before geometry and evidence are decoded.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    path = folder / "sites"
    if not path.is_dir() or not any(path.glob("*.parquet")):
        return pd.DataFrame()
    named = None
    if len(mentions):
        keys = mentions["article_id"].astype(str) + "\x1f" + mentions["feature_id"].astype(str)
        named = pa.array(keys.unique(), type=pa.string())
    tables = []
    for fragment in ds.dataset(str(path), format="parquet").get_fragments():
        table = fragment.to_table()
        if named is not None and table.num_rows:
            key = pc.binary_join_element_wise(
                pc.cast(table["article_id"], pa.string()),
                pc.cast(table["feature_id"], pa.string()),
                "\x1f",
            )
            known = pc.fill_null(pc.is_in(key, value_set=named), False)
            table = table.filter(pc.invert(known))
        tables.append(table)
    return pa.concat_tables(tables, promote_options="default").to_pandas()


def open_dataset(path: str | Path) -> Corpus:
    """Open a ``newsmap batch`` dataset folder.

    Parameters
    ----------
    path : str or Path
        The folder holding ``articles/``, ``mentions/``, ``sites/`` (and
        ``errors/``) of GeoParquet files.

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        The folder does not exist or holds no ``articles`` table.
    """
    import pyarrow as pa
    import shapely

    folder = Path(path).expanduser()
    # messages name the folder, not its path on the server
    if not folder.is_dir():
        raise CorpusError(f"{folder.name} is not a folder on this server.")
    if not (folder / "articles").is_dir():
        raise CorpusError(
            f"{folder.name} is not a newsmap batch dataset (no articles/ folder of Parquet files)."
        )
    try:
        articles = _table(folder, "articles", ["id", "title", "url", "source", "date", "text"])
        if "id" not in articles:
            raise CorpusError(
                f"{folder.name} holds no articles yet (is its newsmap batch run still going?)."
            )
        mentions = _table(folder, "mentions")
        sites = _new_sites(folder, mentions)
        geometry = None
        if len(sites):
            geometry = shapely.from_wkb(sites.pop("geometry").to_numpy())
        errors = len(_table(folder, "errors", ["line"]))
    except CorpusError:
        raise
    except (pa.ArrowException, OSError, ValueError, KeyError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        first = first.replace(str(folder.resolve()), folder.name).replace(str(folder), folder.name)
        raise CorpusError(f"{folder.name} cannot be read as a dataset: {first[:200]}") from None
    return corpus_from_tables(folder.name, articles, mentions, sites, geometry, errors)


def _dataset_root(root: Path) -> Path:
    """Find the folder of an unpacked zip that holds ``articles/`` (top or one level down)."""
    for candidate in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
        if (candidate / "articles").is_dir():
            return candidate
    raise CorpusError("The zip holds no newsmap batch dataset (no articles/ folder).")


def open_dataset_zip(data: bytes, name: str = "dataset.zip") -> Corpus:
    """Open a zipped batch dataset (uploaded in the browser).

    Only ``.parquet`` and ``.json`` members are unpacked, under a fresh
    temporary folder that is removed afterwards; names that leave it (absolute,
    ``..``) are refused, and so is a zip that would unpack to more than
    :data:`MAX_ZIP_BYTES` or hold more than :data:`MAX_ZIP_MEMBERS` files.

    Raises
    ------
    CorpusError
        Not a zip, too large once unpacked, unsafe names, or no dataset inside.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CorpusError(f"{name} is not a zip file.") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise CorpusError(f"{name} holds {len(members):,} files; at most {MAX_ZIP_MEMBERS:,}.")
        total = sum(m.file_size for m in members)
        if total > MAX_ZIP_BYTES:
            raise CorpusError(
                f"{name} would unpack to {total / 1e9:.1f} GB; "
                f"at most {MAX_ZIP_BYTES / 1e9:.0f} GB."
            )
        root = Path(tempfile.mkdtemp(prefix="newsmap-corpus-"))
        try:
            for member in members:
                parts = Path(member.filename).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts:
                    raise CorpusError(f"{name} holds a file outside its folder: {member.filename}")
                if not member.filename.endswith((".parquet", ".json")):
                    continue
                target = root.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            corpus = open_dataset(_dataset_root(root))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    corpus.name = Path(name).stem
    return corpus


def corpus_from_records(
    name: str,
    records: Iterable[tuple[int, Any]],
    parser: Any,
    progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Geoparse records (``geodata.corpus.iter_jsonl``'s (line, record or error)) into a corpus.

    Parameters
    ----------
    name : str
        The file's name (``input`` of error rows, and the corpus's name).
    records : iterable of (int, dict or RecordError)
    parser : geodata.pipeline.Geoparser
    progress : callable, optional
        Called with the number of records read after each chunk.

    Returns
    -------
    Corpus
        With ``errors``: the records that could not be used.
    """
    from geodata.batch import collect_records, table_frames

    tables = table_frames(collect_records(parser, name, records, progress))
    sites = tables["sites"]
    corpus = corpus_from_tables(
        Path(name).stem, tables["articles"], tables["mentions"], sites, errors=len(tables["errors"])
    )
    return corpus


def with_article_sites(corpus: Corpus, article_id: str, sites: Any) -> Corpus:
    """Return the corpus with one article's items replaced by its corrected map.

    Parameters
    ----------
    corpus : Corpus
    article_id : str
        ``articles.id`` of the article corrected on the Article page.
    sites : GeoDataFrame
        Its sites after the corrections (EPSG:4326; every layer).

    Returns
    -------
    Corpus
        A new corpus (the search cache is shared: texts do not change).
    """
    rows = np.flatnonzero(corpus.articles["id"].to_numpy() == article_id)
    if not len(rows):
        return corpus
    art = int(rows[0])
    frame = pd.DataFrame(sites.drop(columns="geometry")).reset_index(drop=True)
    frame["article_id"] = article_id
    art_of = pd.Series([art], index=[article_id])
    new = _site_items(frame, art_of, list(sites.geometry))
    kept = corpus.items[corpus.items["art"] != art]
    kept = kept.astype({c: "object" for c in _CATEGORIES}).assign(item_date=kept["date"])
    combined = pd.concat([kept, new], ignore_index=True) if len(new) else kept
    items = _finish_items(combined, corpus.articles)
    return Corpus(
        name=corpus.name,
        articles=corpus.articles,
        items=items,
        errors=corpus.errors,
        notes=corpus.notes,
        _search=corpus._search,
        _texts=corpus._texts,
    )


# --- filters and aggregates ------------------------------------------------------------


def _codes_in(column: pd.Series, values: Sequence[str]) -> np.ndarray:
    categories = column.cat.categories
    wanted = [categories.get_loc(v) for v in values if v in categories]
    return np.isin(column.cat.codes.to_numpy(), np.asarray(wanted, dtype=np.int64))


def filter_mask(corpus: Corpus, spec: CorpusFilter) -> np.ndarray:
    """Return which items the filter keeps.

    Parameters
    ----------
    corpus : Corpus
    spec : CorpusFilter

    Returns
    -------
    ndarray of bool, shape (len(corpus.items),)
    """
    items = corpus.items
    mask = np.ones(len(items), dtype=bool)
    if spec.start is not None or spec.end is not None:
        dates = corpus.item_dates(spec.time_by)
        known = ~np.isnat(dates)
        mask &= known
        if spec.start is not None:
            mask &= dates >= np.datetime64(spec.start, "ns")
        if spec.end is not None:
            mask &= dates < np.datetime64(spec.end, "ns") + np.timedelta64(1, "D")
    for column, values in (
        ("country", spec.countries),
        ("kind", spec.kinds),
        ("event_type", spec.event_types),
    ):
        if values:
            mask &= _codes_in(items[column], values)
    if spec.actors:
        actors = items["actors"].to_numpy(str)
        hit = np.zeros(len(items), dtype=bool)
        for actor in spec.actors:
            hit |= np.char.find(actors.astype(str), actor) >= 0
        mask &= hit
    if spec.min_confidence > 0:
        mask &= items["confidence"].to_numpy() >= np.float32(spec.min_confidence - 1e-6)
    if spec.query.strip():
        mask &= corpus.search(spec.query)[items["art"].to_numpy()]
    return mask


def aggregate_places(corpus: Corpus, mask: np.ndarray, limit: int | None = None) -> pd.DataFrame:
    """Count, per feature, the articles that name it among the kept items.

    Parameters
    ----------
    corpus : Corpus
    mask : ndarray of bool
        From :func:`filter_mask`.
    limit : int, optional
        Keep the ``limit`` most named places.

    Returns
    -------
    DataFrame
        One row per feature, most articles first: ``feature_id``, ``name``,
        ``kind``, ``layer``, ``country``, ``event_type``, ``lon``, ``lat``
        (degrees), ``articles`` (int: articles naming it), ``mentions`` (int).
    """
    items = corpus.items
    codes = items["feature_id"].cat.codes.to_numpy()
    size = len(items["feature_id"].cat.categories)
    kept = codes[mask]
    articles = np.bincount(kept, minlength=size)
    mentions = np.bincount(kept, weights=items["mentions"].to_numpy()[mask], minlength=size)
    present = np.flatnonzero(articles)
    order = present[np.argsort(-articles[present], kind="stable")]
    if limit is not None:
        order = order[:limit]
    # each feature's attributes from its first kept item
    first = np.full(size, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    first[kept[::-1]] = rows[::-1]
    at = first[order]

    def values(column: str) -> np.ndarray:
        # through the category codes: converting a whole categorical column to
        # values first costs ~80 ms per column at a million items
        series = items[column]
        categories = series.cat.categories.to_numpy(dtype=object)
        return categories[series.cat.codes.to_numpy()[at]].astype(str)

    return pd.DataFrame(
        {
            "feature_id": items["feature_id"]
            .cat.categories.to_numpy(dtype=object)[order]
            .astype(str),
            "name": values("name"),
            "kind": values("kind"),
            "layer": values("layer"),
            "country": values("country"),
            "event_type": values("event_type"),
            "lon": items["lon"].to_numpy()[at],
            "lat": items["lat"].to_numpy()[at],
            "articles": articles[order].astype(np.int64),
            "mentions": mentions[order].astype(np.int64),
        }
    )


def _period_start(dates: np.ndarray, granularity: str) -> np.ndarray:
    """Start of each date's day, week (Monday) or month, as datetime64[D]."""
    days = dates.astype("datetime64[D]")
    if granularity == "week":
        # 1970-01-01 was a Thursday: days since then + 3 is 0 on Mondays, mod 7
        weekday = (days.astype(np.int64) + 3) % 7
        return days - weekday.astype("timedelta64[D]")
    if granularity == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    return days


def period_starts(corpus: Corpus, granularity: str, time_by: str = "article") -> list[date]:
    """Every period's first day from the corpus's first date to its last (empty ones too).

    Raises
    ------
    KeyError
        ``granularity`` is not one of :data:`GRANULARITIES`.
    """
    if granularity not in GRANULARITIES:
        raise KeyError(granularity)
    span = corpus.date_range(time_by)
    if span is None:
        return []
    first, last = _period_start(np.array([span[0], span[1]], dtype="datetime64[D]"), granularity)
    if granularity == "month":
        months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
        return [d.astype("datetime64[D]").item() for d in months]
    step = 7 if granularity == "week" else 1
    return [d.item() for d in np.arange(first, last + 1, step)]


def period_end(start: date, granularity: str) -> date:
    """Return the last day of the period that starts on ``start``."""
    day = np.datetime64(start, "D")
    if granularity == "month":
        after = (day.astype("datetime64[M]") + 1).astype("datetime64[D]")
    else:
        after = day + (7 if granularity == "week" else 1)
    return (after - 1).item()


def histogram(
    corpus: Corpus,
    mask: np.ndarray,
    granularity: str,
    span: tuple[date, date] | None = None,
    time_by: str = "article",
) -> pd.DataFrame:
    """Articles per period, among the articles with a kept item.

    On the ``"article"`` axis an article counts in the period of its date; on
    ``"incident"`` in each period one of its kept items falls in (once each).

    Parameters
    ----------
    corpus : Corpus
    mask : ndarray of bool
        Usually the filter :meth:`CorpusFilter.without_time` keeps: the
        histogram shows all of time, ``in_range`` marks the chosen range.
    granularity : {"day", "week", "month"}
    span : (date, date), optional
        The chosen range (first day of the first period, last day).
    time_by : {"article", "incident"}, default "article"

    Returns
    -------
    DataFrame
        ``period`` (date: its first day), ``articles`` (int), ``in_range`` (bool),
        one row per period from the corpus's first to its last date.
    """
    starts = period_starts(corpus, granularity, time_by)
    if time_by == "article":
        arts = np.unique(corpus.items["art"].to_numpy()[mask])
        dates = corpus.articles["date"].to_numpy()[arts]
        dates = dates[~np.isnat(dates)]
        counts = pd.Series(_period_start(dates, granularity)).value_counts()
    else:
        dates = corpus.item_dates(time_by)[mask]
        known = ~np.isnat(dates)
        pairs = pd.DataFrame(
            {
                "art": corpus.items["art"].to_numpy()[mask][known],
                "period": _period_start(dates[known], granularity),
            }
        ).drop_duplicates()
        counts = pairs["period"].value_counts()
    index = pd.to_datetime(pd.Series(starts, dtype="object"))
    out = pd.DataFrame(
        {
            "period": starts,
            "articles": [int(counts.get(np.datetime64(d, "D"), 0)) for d in index.dt.date]
            if len(starts)
            else [],
        }
    )
    if span is None:
        out["in_range"] = True
    else:
        out["in_range"] = [(span[0] <= d <= span[1]) for d in out["period"]]
    return out


def place_articles(
    corpus: Corpus, mask: np.ndarray, feature_id: str, limit: int = 50
) -> tuple[int, list[dict[str, Any]]]:
    """List the articles that name one place among the kept items, newest first.

    Parameters
    ----------
    corpus : Corpus
    mask : ndarray of bool
    feature_id : str
    limit : int, default 50

    Returns
    -------
    (int, list of dict)
        How many articles in all, and up to ``limit`` of them: ``article_id``,
        ``title``, ``date`` (date or None), ``source``, ``url``, ``surface``,
        ``mentions``, ``before``, ``words``, ``after`` (the evidence sentence cut
        around the article's words; all "" when unknown), ``text`` (the article's,
        or None when the dataset did not keep it).
    """
    items = corpus.items
    categories = items["feature_id"].cat.categories
    if feature_id not in categories:
        return 0, []
    code = categories.get_loc(feature_id)
    rows = np.flatnonzero(mask & (items["feature_id"].cat.codes.to_numpy() == code))
    if not len(rows):
        return 0, []
    arts = items["art"].to_numpy()[rows]
    dates = corpus.articles["date"].to_numpy()[arts]
    order = np.lexsort((arts, np.where(np.isnat(dates), np.datetime64(0, "ns"), dates)))[::-1]
    out = []
    for row in rows[order][:limit]:
        item = items.iloc[row]
        article = corpus.articles.iloc[int(item["art"])]
        before, words, after = _sentence_parts(item, article["text"])
        day = article["date"]
        out.append(
            {
                "article_id": article["id"],
                "title": article["title"] or article["id"],
                "date": None if pd.isna(day) else day.date(),
                "source": article["source"],
                "url": article["url"],
                "surface": item["surface"],
                "mentions": int(item["mentions"]),
                "before": before,
                "words": words,
                "after": after,
                "text": article["text"],
            }
        )
    return len(rows), out


def _sentence_parts(item: Mapping[str, Any], text: str | None) -> tuple[str, str, str]:
    """Split the evidence sentence around the item's words: (before, words, after)."""
    start, end, s0, s1 = (int(item[k]) for k in ("start", "end", "s0", "s1"))
    if text and 0 <= s0 <= start < end <= s1 <= len(text):
        return text[s0:start].lstrip(), text[start:end], text[end:s1].rstrip()
    sentence = item["sentence"]
    if not sentence:
        return "", "", ""
    surface = str(item["surface"] or "")
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return sentence, "", ""
    return sentence[:at], surface, sentence[at + len(surface) :]


# --- exports ---------------------------------------------------------------------------


def export_name(corpus: Corpus, spec: CorpusFilter, suffix: str) -> str:
    """Name a download after the dataset and the time range.

    For example ``gdelt_2024-01-01_2024-03-31.csv``.
    """
    stem = re.sub(r"[^\w.-]+", "-", corpus.name).strip("-._") or "corpus"
    span = corpus.date_range(spec.time_by)
    start = spec.start or (span[0] if span else None)
    end = spec.end or (span[1] if span else None)
    when = f"_{start.isoformat()}_{end.isoformat()}" if start and end else ""
    return f"{stem}{when}{suffix}"


def places_geojson(corpus: Corpus, places: pd.DataFrame, spec: CorpusFilter) -> str:
    """Write the aggregated places as a GeoJSON FeatureCollection (RFC 7946, EPSG:4326).

    Each feature is a Point with ``feature_id``, ``name``, ``kind``,
    ``country_code``, ``event_type``, ``articles`` and ``mentions``; the
    collection's ``newsmap`` member names the dataset and the filter.
    """
    features = [
        {
            "type": "Feature",
            "id": row.feature_id,
            "geometry": {
                "type": "Point",
                "coordinates": [round(float(row.lon), 6), round(float(row.lat), 6)],
            },
            "properties": {
                "feature_id": row.feature_id,
                "name": row.name,
                "kind": row.kind,
                "country_code": row.country or None,
                "event_type": row.event_type or None,
                "articles": int(row.articles),
                "mentions": int(row.mentions),
            },
        }
        for row in places.itertuples(index=False)
    ]
    meta = {
        "generator": "newsmap",
        "dataset": corpus.name,
        "content": "corpus places (articles naming each)",
        "filter": {
            k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
            for k, v in spec._asdict().items()
        },
        "features": len(features),
    }
    collection = {"type": "FeatureCollection", "newsmap": meta, "features": features}
    return json.dumps(collection, ensure_ascii=False)


def _selection(corpus: Corpus, mask: np.ndarray) -> pd.DataFrame:
    """Join the kept items with their article's id, title and date, and the sentence."""
    items = corpus.items[mask]
    arts = corpus.articles.iloc[items["art"].to_numpy()]
    sentences = [
        "".join(_sentence_parts(item, text))
        for item, text in zip(items.to_dict("records"), arts["text"], strict=True)
    ]
    return pd.DataFrame(
        {
            "article_id": arts["id"].to_numpy(),
            "title": arts["title"].to_numpy(),
            "article_date": arts["date"].dt.date.to_numpy(),
            "date": items["date"].dt.date.to_numpy(),
            "surface": items["surface"].to_numpy(),
            "feature_id": items["feature_id"].astype(str).to_numpy(),
            "name": items["name"].astype(str).to_numpy(),
            "kind": items["kind"].astype(str).to_numpy(),
            "country_code": items["country"].astype(str).to_numpy(),
            "event_type": items["event_type"].astype(str).to_numpy(),
            "actors": items["actors"].to_numpy(),
            "confidence": items["confidence"].astype(float).round(4).to_numpy(),
            "mentions": items["mentions"].to_numpy(),
            "start": items["start"].to_numpy(),
            "end": items["end"].to_numpy(),
            "lon": items["lon"].round(6).to_numpy(),
            "lat": items["lat"].round(6).to_numpy(),
            "sentence": sentences,
        }
    )


def mentions_csv(corpus: Corpus, mask: np.ndarray) -> str:
    """Write the kept items as CSV (UTF-8 with a BOM, spreadsheet-safe cells).

    One row per (article, place): the article's id, title and date, the words,
    the place (id, name, kind, country, lon/lat in degrees), the confidence and
    the sentence. Cells that a spreadsheet would run as a formula start with an
    apostrophe (:func:`layers.files.tables.safe_cell`).
    """
    from layers.files.tables import safe_cell

    frame = _selection(corpus, mask)
    for column in frame.columns:
        # text columns may be object or pandas' string dtype: both are checked
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(object).map(safe_cell)
    return "\ufeff" + frame.to_csv(index=False, lineterminator="\r\n")


def selection_parquet(corpus: Corpus, mask: np.ndarray) -> bytes:
    """Write the kept items as GeoParquet 1.1 (points, EPSG:4326).

    The columns are those of :func:`mentions_csv`.
    """
    import geopandas as gpd

    frame = _selection(corpus, mask)
    geo = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )
    buffer = io.BytesIO()
    geo.to_parquet(buffer, index=False, schema_version="1.1.0", write_covering_bbox=True)
    return buffer.getvalue()
