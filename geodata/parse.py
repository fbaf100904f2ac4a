"""The geoparser as one call: text -> resolved toponyms as JSON-native dicts.

This is the contract of ``newsmap parse`` (DESIGN.md): one dict per mention with
``start``, ``end``, ``name``, ``lat``, ``lon``, ``geonameid``, ``feature_id``,
``kind``, ``country_code``, ``score`` (plus ``demonym`` and ``alternatives``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from geodata.gazetteer import Gazetteer, load_gazetteer
from geodata.recognize import Recognized, load_nlp, recognize_many
from geodata.resolve import Resolution, resolve

__all__ = ["MAX_TEXT_CHARS", "Geoparser", "resolution_to_dict"]

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
        "demonym": mention.is_demonym,
    }
    if alternatives:
        record["alternatives"] = [
            {
                "feature_id": c.place.feature_id,
                "name": c.place.name,
                "kind": c.place.kind,
                "country_code": c.place.country_code,
                "lat": round(c.place.lat, 6),
                "lon": round(c.place.lon, 6),
                "score": c.score,
            }
            for c in resolution.alternatives
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
    """

    def __init__(
        self,
        pipeline: str | None = None,
        gazetteer: Gazetteer | None = None,
        nlp: Any | None = None,
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.nlp = nlp if nlp is not None else load_nlp(pipeline)

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
            records = [resolution_to_dict(r) for r in resolve(recognized, self.gazetteer)]
            if not demonyms:
                records = [r for r in records if not r["demonym"]]
            yield records
