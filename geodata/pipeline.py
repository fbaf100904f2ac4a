"""The pipeline, assembled once: text -> mentions -> resolutions -> sites.

:class:`Geoparser` binds the recogniser and the resolver to one gazetteer and
one NLP pipeline; every entry point (the app, the CLI, the batch workers and
:func:`extract_sites`) goes through it. Two outputs:

- :meth:`Geoparser.parse`, the contract of ``newsmap parse`` (DESIGN.md): one
  dict per mention with ``start``, ``end``, ``name``, ``lat``, ``lon``,
  ``geonameid``, ``feature_id``, ``kind``, ``country_code``, ``score`` (plus
  ``demonym`` and ``alternatives``);
- :meth:`Geoparser.sites`, one sites GeoDataFrame per text (``geodata.schema``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from geodata.confidence import calibrate
from geodata.gazetteer import Gazetteer, Progress, open_gazetteer
from geodata.recognize import Recognized, open_nlp, recognize_many
from geodata.resolve import Resolution, resolve
from geodata.schema import candidate_dict

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["MAX_TEXT_CHARS", "Geoparser", "extract_sites", "resolution_to_dict"]

#: Longest text accepted in one piece (characters); longer texts are cut here
#: by callers, with a message, rather than left to exhaust memory.
MAX_TEXT_CHARS = 1_000_000


def resolution_to_dict(resolution: Resolution, alternatives: bool = True) -> dict[str, Any]:
    """Convert a :class:`~geodata.resolve.Resolution` to the ``parse`` output record.

    Parameters
    ----------
    resolution : Resolution
        One resolved mention.
    alternatives : bool, default True
        Include up to five alternative candidates.

    Returns
    -------
    dict
        JSON-native; ``lat``/``lon`` (degrees, WGS84) are None when unresolved.
    """
    mention, place = resolution.mention, resolution.place
    record: dict[str, Any] = {
        "start": mention.start,
        "end": mention.end,
        "name": mention.name,
        "lat": round(place.lat, 6) if place else None,
        "lon": round(place.lon, 6) if place else None,
        "geonameid": place.geonameid if place else None,
        "feature_id": place.feature_id if place else None,
        "kind": place.kind if place else None,
        "country_code": place.country_code if place else None,
        "score": resolution.score,
        "confidence": resolution.confidence,
        "demonym": mention.is_demonym,
    }
    if alternatives:
        record["alternatives"] = [
            candidate_dict(c.place, score=c.score) for c in resolution.alternatives
        ]
    return record


class Geoparser:
    """Recogniser + resolver bound to one gazetteer and one NLP pipeline.

    Parameters
    ----------
    pipeline : str, optional
        spaCy pipeline package (see :func:`geodata.recognize.load_nlp`); ``"none"``
        uses gazetteer matching only.
    gazetteer : Gazetteer, optional
        Default: :func:`geodata.gazetteer.load_gazetteer`.
    nlp : spacy.language.Language, optional
        An already loaded pipeline (takes precedence over ``pipeline``).
    progress : callable (str, float) -> None, optional
        Told the stages of a gazetteer (re)build (see
        :func:`geodata.gazetteer.open_gazetteer`); not called when the cached
        index is read.

    Attributes
    ----------
    notes : list of str
        One sentence each for the user about what did not go as it should: a
        damaged or unwritable gazetteer cache, a missing spaCy package or model.
        Empty when all is well.
    """

    def __init__(
        self,
        pipeline: str | None = None,
        gazetteer: Gazetteer | None = None,
        nlp: Any | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.notes: list[str] = []
        if gazetteer is None:
            loaded = open_gazetteer(progress=progress)
            gazetteer = loaded.gazetteer
            if loaded.note:
                self.notes.append(loaded.note)
        self.gazetteer = gazetteer
        if nlp is None:
            nlp, nlp_note = open_nlp(pipeline)
            if nlp_note:
                self.notes.append(nlp_note)
        self.nlp = nlp

    @property
    def method(self) -> str:
        """``spacy:<package>`` or ``gazetteer`` (no NER pipeline available)."""
        if self.nlp is None:
            return "gazetteer"
        return f"spacy:{self.nlp.meta.get('newsmap_package', self.nlp.meta.get('name'))}"

    def recognize(self, texts: Iterable[str], batch_size: int = 32) -> list[Recognized]:
        """Recognise toponyms in ``texts`` (each cut at :data:`MAX_TEXT_CHARS`).

        Parameters
        ----------
        texts : iterable of str
            Article texts.
        batch_size : int, default 32
            Texts per NER batch.

        Returns
        -------
        list of Recognized
        """
        capped = [t[:MAX_TEXT_CHARS] for t in texts]
        if self.nlp is not None:
            self.nlp.max_length = max(self.nlp.max_length, MAX_TEXT_CHARS + 1)
        return recognize_many(capped, self.gazetteer, self.nlp, batch_size=batch_size)

    def resolve(self, recognized: Recognized) -> list[Resolution]:
        """Resolve a recognised text and set each mention's calibrated confidence.

        Parameters
        ----------
        recognized : Recognized
            Output of :meth:`recognize`.

        Returns
        -------
        list of Resolution
            See :func:`geodata.resolve.resolve` and :func:`geodata.confidence.calibrate`.
        """
        return calibrate(recognized, resolve(recognized, self.gazetteer), self.gazetteer)

    def parse(
        self, texts: Iterable[str], batch_size: int = 32, demonyms: bool = True
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the resolved toponyms of each text, in order.

        Parameters
        ----------
        texts : iterable of str
            Article texts.
        batch_size : int, default 32
            Texts per NER batch.
        demonyms : bool, default True
            Include demonym mentions ("Iranian" -> Iran).

        Yields
        ------
        list of dict
            Records of :func:`resolution_to_dict`, sorted by offset.
        """
        for recognized in self.recognize(texts, batch_size=batch_size):
            records = [resolution_to_dict(r) for r in self.resolve(recognized)]
            if not demonyms:
                records = [r for r in records if not r["demonym"]]
            yield records

    def sites(
        self,
        texts: Sequence[str],
        article_dates: Sequence[date | None] | None = None,
        batch_size: int = 32,
    ) -> Iterator[gpd.GeoDataFrame]:
        """Yield the sites GeoDataFrame of each text, in order.

        Parameters
        ----------
        texts : sequence of str
            Article texts (each cut at :data:`MAX_TEXT_CHARS`).
        article_dates : sequence of datetime.date or None, optional
            Publication dates, one per text (they date incidents: "in April").
        batch_size : int, default 32
            Texts per NER batch.

        Yields
        ------
        GeoDataFrame
            See :func:`extract_sites`.
        """
        for _, _, sites in self.analyse(texts, article_dates, batch_size=batch_size):
            yield sites

    def analyse(
        self,
        texts: Sequence[str],
        article_dates: Sequence[date | None] | None = None,
        batch_size: int = 32,
    ) -> Iterator[tuple[Recognized, list[Resolution], gpd.GeoDataFrame]]:
        """Yield each text's recognition, resolutions and sites, in order (one pass).

        What :meth:`sites` yields, with the steps it was made from: the batch
        writes mentions (from the resolutions, with their sentences' offsets)
        and sites of the same parse.

        Parameters
        ----------
        texts : sequence of str
            Article texts (each cut at :data:`MAX_TEXT_CHARS`).
        article_dates : sequence of datetime.date or None, optional
            Publication dates, one per text.
        batch_size : int, default 32
            Texts per NER batch.

        Yields
        ------
        (Recognized, list of Resolution, GeoDataFrame)
            See :meth:`recognize`, :meth:`resolve` and :func:`extract_sites`.

        Raises
        ------
        ValueError
            If ``article_dates`` is not as long as ``texts``.
        """
        from geodata.schema import rows_to_frame

        for recognized, resolutions, rows in self.analyse_rows(texts, article_dates, batch_size):
            yield recognized, resolutions, rows_to_frame(rows)

    def analyse_rows(
        self,
        texts: Sequence[str],
        article_dates: Sequence[date | None] | None = None,
        batch_size: int = 32,
    ) -> Iterator[tuple[Recognized, list[Resolution], list[dict[str, Any]]]]:
        """As :meth:`analyse`, with each text's sites as row dicts, not a GeoDataFrame.

        For callers that gather many articles into one table (the batch): one
        frame per article costs more than the rest of the work outside NER.

        Yields
        ------
        (Recognized, list of Resolution, list of dict)
            The rows of :func:`geodata.sites.site_rows_from_parse`.

        Raises
        ------
        ValueError
            If ``article_dates`` is not as long as ``texts``.
        """
        # GeoPandas is imported here, not at module level: the parse path and the
        # evaluation never need it (a third of a second off their cold start).
        from geodata.sites import site_rows_from_parse

        dates = list(article_dates) if article_dates is not None else [None] * len(texts)
        if len(dates) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(dates)} article dates")
        recognized_all = self.recognize(texts, batch_size=batch_size)
        for recognized, article_date in zip(recognized_all, dates, strict=True):
            resolutions = self.resolve(recognized)
            rows = site_rows_from_parse(recognized, resolutions, article_date, self.gazetteer)
            yield recognized, resolutions, rows


def extract_sites(
    text: str,
    article_date: date | None = None,
    geoparser: Geoparser | None = None,
) -> gpd.GeoDataFrame:
    """Find the places and sites a news text is about.

    Parameters
    ----------
    text : str
        Article text (cut at :data:`MAX_TEXT_CHARS` characters).
    article_date : datetime.date, optional
        Publication date, used to date incidents ("in April").
    geoparser : Geoparser, optional
        Reuse a loaded geoparser (gazetteer + spaCy); default: a new one (the
        gazetteer and the pipeline are cached per process, so this is cheap
        after the first call).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 (lon/lat degrees), one row per feature, columns
        :data:`geodata.schema.COLUMNS`: ``feature_id`` (e.g. ``geonames:98182``,
        ``site:orbi``, ``country:IQ``), ``name``, ``kind``, ``layer``,
        ``country_code`` (ISO alpha-2 or None), ``confidence`` (0..1),
        ``mentions`` (int), ``evidence`` (list of dicts ``sentence``, ``start``,
        ``end``, ``text``: the mention's offsets in ``text``, end exclusive),
        ``source`` (where the coordinates come from), ``note``, ``inferred``,
        ``alternatives`` (candidates with ``area``, ``country``, ``population``
        and the ``reason`` they lost), ``surface`` (the article's words for the
        feature), ``place_ids`` (what an incident is placed on), incident fields
        ``event_type``, ``date`` (ISO 8601 or None), ``date_text``, ``actors``,
        and ``geometry`` (Point, LineString, or a country's Polygon/MultiPolygon).
        Empty (with these columns) for a text that names no place.
    """
    parser = geoparser or Geoparser()
    return next(parser.sites([text if isinstance(text, str) else str(text)], [article_date]))
