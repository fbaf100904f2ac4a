"""User input and table helpers for the app: decoding uploads, visible layers, the table.

Pure functions (no Streamlit), so the app stays thin and these are testable.
"""

from __future__ import annotations

import html
import re

import geopandas as gpd
import pandas as pd

__all__ = [
    "MAX_APP_CHARS",
    "InputError",
    "as_sites",
    "decode_upload",
    "escape_markdown",
    "feature_table",
    "html_to_text",
    "parse_uploads",
]

#: Longest article the app geoparses interactively (characters, ~40 pages).
MAX_APP_CHARS = 200_000


class InputError(ValueError):
    """An upload or text the app cannot use; the message is shown to the user."""


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML document (scripts and styles dropped).

    Parameters
    ----------
    markup : str

    Returns
    -------
    str
        Text with tags removed and entities decoded; block elements become newlines.

    Examples
    --------
    >>> html_to_text("<p>Blast in <b>Basra</b></p><script>alert(1)</script>")
    'Blast in Basra'
    """
    without = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    without = re.sub(r"(?i)<\s*(br|/p|/div|/h\d|/li)\b[^>]*>", "\n", without)
    without = re.sub(r"(?s)<[^>]*>", "", without)
    text = html.unescape(without)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()


def decode_upload(data: bytes, filename: str = "") -> str:
    """Decode an uploaded article to text.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    filename : str, default ""
        Used to recognise HTML (``.html``/``.htm``).

    Returns
    -------
    str
        The text (UTF-8, UTF-8 with BOM, UTF-16 with BOM; HTML reduced to its text).

    Raises
    ------
    InputError
        For an empty file, a binary file, or bytes that are not text in a
        supported encoding; the message says which.
    """
    if not data:
        raise InputError(f"{filename or 'The file'} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:4096]:
            raise InputError(
                f"{filename or 'The file'} looks binary (it contains NUL bytes); "
                "upload a .txt, .md or .html article."
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{filename or 'The file'} is not UTF-8 text (invalid byte at position "
                f"{error.start}); save it as UTF-8 and upload again."
            ) from error
    if filename.lower().endswith((".html", ".htm")):
        text = html_to_text(text)
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 0.05 * min(len(text), 10000):
        raise InputError(f"{filename or 'The file'} does not look like text.")
    return text


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: object) -> str:
    r"""Return ``text`` as Markdown that shows exactly those characters.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows it
    for all of them), so names and sources from an article or an uploaded file
    cannot become links, images (which the browser would fetch), emphasis,
    Streamlit colour directives (``:red[...]``), emoji shortcodes or LaTeX.
    Line breaks become spaces.

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> print(escape_markdown("![x](t.png)"))
    \!\[x\]\(t\.png\)
    """
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def parse_uploads(files: list[tuple[str, bytes]]) -> tuple[list[dict], dict | None, list[str]]:
    """Sort uploaded files into articles, a saved map, and problems.

    Parameters
    ----------
    files : list of (str, bytes)
        File name and content of each upload.

    Returns
    -------
    articles : list of dict
        ``{"name", "text"}`` per article: one per .txt/.md/.html file, one per
        line of a .jsonl file (``{"id", "text"}`` objects).
    saved_map : dict or None
        The last uploaded .geojson, parsed (a FeatureCollection), if any.
    problems : list of str
        One message per file or line that could not be used (the rest is kept).
    """
    import json

    from layers.export import GeoJSONError, read_geojson

    articles: list[dict] = []
    saved_map = None
    problems: list[str] = []
    for name, data in files:
        lower = name.lower()
        try:
            if lower.endswith((".geojson", ".json")):
                text = decode_upload(data, name)
                read_geojson(text)  # validates; raises GeoJSONError with the reason
                saved_map = json.loads(text)
            elif lower.endswith(".jsonl"):
                text = decode_upload(data, name)
                found = 0
                for number, line in enumerate(text.splitlines(), 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        problems.append(f"{name}:{number}: not valid JSON; line skipped.")
                        continue
                    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                        problems.append(f'{name}:{number}: no "text" string; line skipped.')
                        continue
                    label = str(record.get("id") or f"{name}:{number}")
                    articles.append({"name": label, "text": record["text"]})
                    found += 1
                if not found:
                    problems.append(f"{name}: no article found (every line is blank or unusable).")
            else:
                articles.append({"name": name, "text": decode_upload(data, name)})
        except (InputError, GeoJSONError) as error:
            problems.append(f"{name}: {error}")
    return _unique_names(articles), saved_map, problems


def _unique_names(articles: list[dict]) -> list[dict]:
    """Give articles that share a name (a repeated .jsonl id) distinct names: "a (2)"."""
    seen: dict[str, int] = {}
    out = []
    for article in articles:
        name = article["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
            while name in seen:
                name += "'"
            seen[name] = 1
        out.append({**article, "name": name})
    return out


def feature_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the table shown under the map: one row per feature.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326.

    Returns
    -------
    DataFrame
        Columns ``name``, ``kind``, ``layer``, ``country_code``, ``lon``, ``lat``
        (degrees; a representative point for lines and areas), ``confidence``,
        ``mentions``, ``sentence`` (first evidence), ``source``, ``feature_id``.
        Plain text: the app renders it as text, never as HTML.
    """
    points = [
        None
        if g is None or g.is_empty
        else (g if g.geom_type == "Point" else g.representative_point())
        for g in sites.geometry
    ]
    return pd.DataFrame(
        {
            "name": sites["name"].astype(str),
            "kind": sites["kind"].astype(str),
            "layer": sites["layer"].astype(str),
            "country_code": sites["country_code"],
            "lon": [round(p.x, 4) if p is not None else None for p in points],
            "lat": [round(p.y, 4) if p is not None else None for p in points],
            "confidence": sites["confidence"].round(2),
            "mentions": sites["mentions"],
            "sentence": [ev[0]["sentence"] if ev else "" for ev in sites["evidence"]],
            "source": sites["source"].astype(str),
            "feature_id": sites["feature_id"].astype(str),
        }
    )


def as_sites(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give a GeoDataFrame read from any GeoJSON the columns of a sites frame.

    A map saved by newsmap has them all; one made elsewhere may lack any. Missing
    or unusable values get defaults: ``feature_id`` ``imported:<n>``, ``name`` the
    id, ``kind`` ``facility`` (unknown kinds too), ``confidence`` 1.0 (the user's
    own data), ``mentions`` 0, ``evidence``/``alternatives``/``actors`` empty lists,
    ``inferred`` False, ``source`` "uploaded file", the rest empty.

    Parameters
    ----------
    frame : GeoDataFrame
        From :func:`layers.export.read_geojson` (EPSG:4326).

    Returns
    -------
    GeoDataFrame
        Columns of :data:`geodata.sites.COLUMNS`, in that order, EPSG:4326.
    """
    from geodata.sites import COLUMNS
    from layers.catalog import KINDS, layer_for_kind

    n = len(frame)
    out = frame.copy()

    def column(name: str) -> list:
        return list(out[name]) if name in out else [None] * n

    def text_or(value: object, default: str) -> str:
        return (
            default
            if value is None or (isinstance(value, float) and value != value)
            else str(value)
        )

    ids = [text_or(v, f"imported:{i}") for i, v in enumerate(column("feature_id"))]
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids):  # ids must be unique: selection and corrections use them
        seen[fid] = seen.get(fid, 0) + 1
        if seen[fid] > 1:
            ids[i] = f"{fid}#{seen[fid]}"
    out["feature_id"] = ids
    out["name"] = [text_or(v, fid) for v, fid in zip(column("name"), ids, strict=True)]
    out["kind"] = [v if v in KINDS else "facility" for v in column("kind")]
    out["layer"] = [layer_for_kind(k) for k in out["kind"]]
    confidence = pd.to_numeric(pd.Series(column("confidence"), dtype=object), errors="coerce")
    out["confidence"] = confidence.fillna(1.0).clip(0.0, 1.0).astype("float64").to_numpy()
    mentions = pd.to_numeric(pd.Series(column("mentions"), dtype=object), errors="coerce")
    out["mentions"] = mentions.fillna(0).clip(lower=0).astype("int64").to_numpy()
    for name in ("evidence", "alternatives", "actors"):
        out[name] = [
            [item for item in v if isinstance(item, dict) or name == "actors"]
            if isinstance(v, list)
            else []
            for v in column(name)
        ]
    out["inferred"] = [v is True or v == 1 or v == "true" for v in column("inferred")]
    out["source"] = [text_or(v, "uploaded file") for v in column("source")]
    for name in ("country_code", "note", "event_type", "date", "date_text"):
        out[name] = [
            None if v is None or (isinstance(v, float) and v != v) else str(v) for v in column(name)
        ]
    return gpd.GeoDataFrame(out[COLUMNS], geometry="geometry", crs="EPSG:4326")
