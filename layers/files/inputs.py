"""Files in: uploaded articles (text, Markdown, HTML, JSON Lines) and saved maps.

Pure functions of the files' names and bytes; every problem becomes a one-line
message for the user, and the usable rest is kept.
"""

from __future__ import annotations

import codecs
import html
import json
import re
import unicodedata
from datetime import date
from typing import Any

from geodata.corpus import RecordError, iter_jsonl, sniff_unicode
from layers.files.export import (
    SAVED_MAP_SUFFIXES,
    GeoJSONError,
    read_geojson,
    read_saved_map,
    to_feature_collection,
)

__all__ = [
    "MAX_APP_ARTICLES",
    "MAX_APP_CHARS",
    "MAX_APP_TOTAL_CHARS",
    "MAX_UPLOAD_MB",
    "InputError",
    "decode_text",
    "decode_upload",
    "file_stem",
    "headline",
    "html_article",
    "html_to_text",
    "markdown_to_text",
    "parse_uploads",
    "read_article",
]

#: Longest article the app geoparses interactively (characters, ~40 pages).
MAX_APP_CHARS = 200_000
#: Most articles, and most characters over all of them, the app maps from one
#: upload: about half a minute of geoparsing on a laptop. A corpus beyond that
#: is ``newsmap batch``'s work.
MAX_APP_ARTICLES = 100
MAX_APP_TOTAL_CHARS = 1_000_000
#: Largest upload the server takes, in MB (``server.maxUploadSize`` in
#: ``.streamlit/config.toml`` says the same; a test checks they agree).
MAX_UPLOAD_MB = 50
#: Messages kept per file for its unusable lines (the rest are counted).
MAX_LINE_MESSAGES = 5


def headline(text: str, limit: int = 70) -> str:
    """Return a short title for an article: its first line, cut at a word.

    Parameters
    ----------
    text : str
        The article text.
    limit : int, default 70
        Most characters in the title (an ellipsis is added when the line is cut).

    Returns
    -------
    str
        The first non-blank line (Markdown heading marks dropped), or its first
        sentence when the line is longer, cut at the last space before ``limit``
        with "…"; "Untitled article" for a blank text.
    """
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = re.sub(r"^#+\s*", "", line)
    if not line:
        return "Untitled article"
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", line)
    if len(line) > limit and sentence:
        line = sentence.group(1).rstrip(".")
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return f"{cut}…"


def file_stem(title: str, day: date) -> str:
    """Return a file name stem from a title and a date: ``floods-in-basra-2024-09-11``.

    Parameters
    ----------
    title : str
        An article's headline (:func:`headline`) or an uploaded file's name.
    day : datetime.date
        The article's date if known, else today's.

    Returns
    -------
    str
        Lower-case ASCII words of the title (accents dropped, at most 60
        characters, cut at a word) joined by "-", then the ISO date; "newsmap"
        stands in for a title with no ASCII letter or digit.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return f"{slug or 'newsmap'}-{day.isoformat()}"


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


#: Markdown syntax around text: links and images ``[text](url)``, strong and
#: emphasised text (``**``, ``__``, ``*``, ``_``, ``~~``), inline code.
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\n]*)\)")
_MD_PAIRED = re.compile(r"(\*\*|__|~~|\*|(?<!\w)_|`)(?=\S)([^\n]*?\S)\1(?!\w)")
#: Markdown syntax at the start of a line: headings, quotes, list bullets, rules, fences.
_MD_LINE = re.compile(r"(?m)^([ \t]*)(#{1,6}[ \t]|>[ \t]?|[-*+][ \t]|\d+\.[ \t]|```.*$|---+$)")


def markdown_to_text(markup: str) -> str:
    """Blank out Markdown syntax, keeping every other character where it was.

    The syntax (``#`` of headings, ``**`` and ``_`` around emphasis, the brackets
    and the address of a link, list bullets, quote marks, code fences) becomes
    spaces, so the text has the file's length and a mention's offsets in it are
    its offsets in the file. Written here because the Markdown libraries render
    to HTML and lose the offsets.

    Parameters
    ----------
    markup : str

    Returns
    -------
    str
        Same length as ``markup``.

    Examples
    --------
    >>> markdown_to_text("## Blast in **Basra**, [Iraq](https://x.org/iq)")
    '   Blast in   Basra  ,  Iraq                   '
    """

    # Syntax is first replaced by NUL (not white space, so that nested emphasis
    # still pairs up: ***x***), then by spaces.
    def blank(text: str) -> str:
        return re.sub(r"[^\n]", "\0", text)

    def link(match: re.Match[str]) -> str:
        whole, label = match.group(0), match.group(1)
        opening = whole.index("[") + 1
        return blank(whole[:opening]) + label + blank(whole[opening + len(label) :])

    def paired(match: re.Match[str]) -> str:
        marker, inner = match.group(1), match.group(2)
        return blank(marker) + inner + blank(marker)

    text = _MD_LINE.sub(lambda m: m.group(1) + blank(m.group(2)), markup.replace("\0", " "))
    text = _MD_LINK.sub(link, text)
    for _ in range(3):  # nested emphasis: ***x***, **_x_**
        text = _MD_PAIRED.sub(paired, text)
    return text.replace("\0", " ")


#: Fewer words than this from trafilatura means no article was found (a fragment
#: of a few tags, which it may also break at every inline tag): plain text then.
MIN_ARTICLE_WORDS = 12


def html_article(markup: str) -> dict[str, str | None]:
    """Reduce an HTML page to its article: main text, headline and date.

    trafilatura (a library made for this) keeps the article's own text and drops
    navigation, menus, related links, comments and footers, which would
    otherwise be mapped as places ("Africa", "Sydney", "Washington" from a site
    menu). A fragment it finds no article in (fewer than
    :data:`MIN_ARTICLE_WORDS` words) is reduced by :func:`html_to_text` instead.

    Parameters
    ----------
    markup : str
        The HTML document.

    Returns
    -------
    dict
        ``{"text": str, "title": str or None, "date": "YYYY-MM-DD" or None}``;
        title and date from the page's metadata when it has them.
    """
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception:  # a page the library cannot parse: fall back to the plain text
        document = None
    text = getattr(document, "text", None) if document is not None else None
    if not text or len(text.split()) < MIN_ARTICLE_WORDS:
        return {"text": html_to_text(markup), "title": None, "date": None}
    title = getattr(document, "title", None)
    published = getattr(document, "date", None)
    if not (isinstance(published, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", published)):
        published = None
    return {
        "text": text.strip(),
        "title": title.strip() if isinstance(title, str) and title.strip() else None,
        "date": published,
    }


def decode_text(data: bytes, filename: str = "") -> tuple[str, str | None]:
    """Decode the bytes of a text file, detecting its encoding when it is not UTF-8.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    filename : str, default ""
        Named in error messages.

    Returns
    -------
    (str, str or None)
        The text, and how it was read when that was not plain UTF-8 (None then):
        ``"UTF-16"``/``"UTF-32"`` (with or without a byte-order mark,
        :func:`geodata.corpus.sniff_unicode`); ``"UTF-8, with N bytes in
        Windows-1252"`` for a UTF-8 text with a few bytes pasted in from another
        code page (a mixed file); else the encoding charset-normalizer detects
        (e.g. ``"cp1252"`` for a text saved by Word on Windows).

    Raises
    ------
    InputError
        For an empty file, a binary file, or bytes that fit no encoding.
    """
    label = filename or "The file"
    if not data:
        raise InputError(f"{label} is empty.")
    codec = sniff_unicode(data[:4096])
    if codec == "utf-8-sig":
        data, codec = data[3:], None
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            raise InputError(
                f"{label} starts as {codec.upper()} text but has an invalid byte at "
                f"position {error.start}; save it again as UTF-8."
            ) from error
        return text, codec.upper()[:6]
    head = data[:4096]
    controls = sum(head.count(byte) for byte in _BINARY_BYTES)
    if head.count(0) > max(2, len(head) // 100) or controls > max(2, len(head) // 20):
        raise InputError(
            f"{label} looks binary (it contains NUL or other control bytes); "
            "upload a .txt, .md or .html article."
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        utf8_error = error
    # A UTF-8 file with a few bytes from another code page (a quote pasted from
    # an old document): keep the UTF-8 and read only those bytes as Windows-1252,
    # rather than reading the whole file in a code page that garbles the rest.
    if _UTF8_MULTIBYTE.search(data):
        text = data.decode("utf-8", errors=_MIXED)
        fixed = len(data) - sum(m.end() - m.start() for m in _UTF8_VALID.finditer(data))
        return text, f"UTF-8, with {fixed} byte{'s' * (fixed != 1)} in Windows-1252"
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None or not best.encoding:
        raise InputError(
            f"{label} is not UTF-8 text (invalid byte at position "
            f"{utf8_error.start}) and no other encoding fits it; save it as UTF-8."
        ) from utf8_error
    # A short text with a few curly quotes fits several code pages equally well;
    # when Windows-1252 (what Word and most Western newsroom tools save) is one
    # of the readings charset-normalizer finds, take it.
    try:
        west = data.decode("cp1252")
    except UnicodeDecodeError:
        west = None
    if west is not None and any(str(match) == west for match in results):
        return west, "cp1252"
    return str(best), best.encoding


#: Bytes that text in UTF-8 or a code page never holds: C0 controls but tab,
#: line feed, form feed, carriage return and escape.
_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 27)]
#: A well-formed UTF-8 sequence of two to four bytes (a non-ASCII character).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
#: Runs of well-formed UTF-8 (ASCII or multi-byte): what is left over is not UTF-8.
_UTF8_VALID = re.compile(rb"(?:[\x00-\x7f]|" + _UTF8_MULTIBYTE.pattern + rb")+")


def _western(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as Windows-1252 (a codecs error handler)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


_MIXED = "newsmap-utf8-then-cp1252"
codecs.register_error(_MIXED, _western)


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
        The text (UTF-8, UTF-8 or UTF-16 with a BOM, else the encoding
        charset-normalizer detects; HTML reduced to its article's text by
        :func:`html_article`).

    Raises
    ------
    InputError
        For an empty file, a binary file, or bytes that are not text in any
        encoding; the message says which.
    """
    return str(read_article(data, filename)["text"])


def read_article(data: bytes, filename: str = "") -> dict[str, Any]:
    """Read one article file as the app and the CLI do.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    filename : str, default ""
        Its name: ``.html``/``.htm`` pages are reduced by :func:`html_article`,
        ``.md``/``.markdown`` by :func:`markdown_to_text`, anything else is text.

    Returns
    -------
    dict
        ``{"name", "text"}``: the name is the page's headline for HTML that has
        one, else ``filename``; plus ``"date"`` (ISO) from an HTML page's
        metadata and ``"encoding"`` when the bytes were not UTF-8, when known;
        ``"controls"``: how many control characters (NUL...) became spaces.

    Raises
    ------
    InputError
        As :func:`decode_text`, or when the result does not look like text.
    """
    text, encoding = decode_text(data, filename)
    lower = filename.lower()
    if not text.strip() and not lower.endswith((".jsonl", ".json", ".geojson")):
        # only blank space: nothing to map (a corpus's own reader says it per line)
        raise InputError(f"{filename or 'The file'} is empty.")
    article: dict[str, Any] = {"name": filename}
    if lower.endswith((".html", ".htm")):
        page = html_article(text)
        text = page["text"] or ""
        article["name"] = page["title"] or filename
        if page["date"]:
            article["date"] = page["date"]
    elif lower.endswith((".md", ".markdown")):
        text = markdown_to_text(text)
    article["text"], controls = _checked(text, filename)
    if encoding:
        article["encoding"] = encoding
    if controls:
        article["controls"] = controls
    return article


#: Characters no article holds: C0 and C1 controls other than tab and line
#: breaks, and the Unicode non-characters U+FFFE/U+FFFF (a byte-swapped BOM).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _checked(text: str, filename: str) -> tuple[str, int]:
    """Refuse what is not text; blank out stray control characters, keeping offsets.

    A NUL or another control character in an article (a damaged save, a copy
    from a PDF) would reach every export, and XML (KML) cannot hold it: each
    becomes a space, so the text keeps its length and the count is reported.
    """
    controls = len(_CONTROLS.findall(text[:10000]))
    if controls > 0.05 * min(len(text), 10000):
        raise InputError(f"{filename or 'The file'} does not look like text.")
    cleaned, count = _CONTROLS.subn(" ", text)
    return cleaned, count


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
        line of a .jsonl file (``{"id", "text"}`` objects), at most
        :data:`MAX_APP_ARTICLES` articles and :data:`MAX_APP_TOTAL_CHARS`
        characters in all (what is left out is counted in ``problems``). An
        HTML page is named by its headline and carries ``"date"`` (ISO) when its
        metadata has one; a file read in another encoding than UTF-8 carries
        ``"encoding"``, one with control characters blanked ``"controls"``.
    saved_map : dict or None
        The last uploaded saved map (.geojson, .gpkg, .fgb, .parquet), as a
        GeoJSON FeatureCollection, if any.
    problems : list of str
        One message per file that could not be used, or whose lines or articles
        were left out (the rest is kept).
    """
    taken = _Taken()
    saved_map = None
    for name, data in files:
        lower = name.lower()
        try:
            if lower.endswith((".geojson", ".json")):
                text = decode_upload(data, name)
                read_geojson(text)  # validates; raises GeoJSONError with the reason
                saved_map = json.loads(text)
            elif lower.endswith(SAVED_MAP_SUFFIXES):
                saved_map = to_feature_collection(read_saved_map(data, name))
            elif lower.endswith(".jsonl"):
                taken.jsonl(name, decode_upload(data, name))
            elif not taken.add(read_article(data, name)):
                taken.problems.append(_left_out(name, 0, 1))
        except (InputError, GeoJSONError) as error:
            said = str(error)  # messages from the readers may name the file already
            taken.problems.append(said if said.startswith(f"{name} ") else f"{name}: {said}")
    return _unique_names(taken.articles), saved_map, taken.problems


class _Taken:
    """The articles taken from the uploads so far, within the app's limits."""

    def __init__(self) -> None:
        self.articles: list[dict] = []
        self.problems: list[str] = []
        self.total = 0

    def add(self, article: dict) -> bool:
        """Take one article if there is room for it; return whether it was taken."""
        size = min(len(article["text"]), MAX_APP_CHARS)  # longer ones are cut when mapped
        if len(self.articles) >= MAX_APP_ARTICLES or self.total + size > MAX_APP_TOTAL_CHARS:
            return False
        self.articles.append(article)
        self.total += size
        return True

    def jsonl(self, name: str, text: str) -> None:
        """Take the articles of a JSON Lines upload, one per line, and say what was not."""
        found, bad = 0, 0
        lines = text.splitlines()
        for number, record in iter_jsonl(lines, name, require_text=True):
            if isinstance(record, RecordError):
                bad += 1
                if bad <= MAX_LINE_MESSAGES:
                    self.problems.append(f"{record}; line skipped.")
                continue
            label = str(record.get("id") or f"{name}:{number}")
            if not self.add({"name": label, "text": record["text"]}):
                # count the rest without parsing it: a corpus may have a million lines
                rest = sum(1 for line in lines[number:] if line.strip())
                self.problems.append(_left_out(name, found, found + 1 + rest))
                break
            found += 1
        else:
            if not found:
                self.problems.append(f"{name}: no article found (every line is blank or unusable).")
        if bad > MAX_LINE_MESSAGES:
            self.problems.append(
                f"{name}: {bad - MAX_LINE_MESSAGES:,} more unusable lines skipped."
            )


def _left_out(name: str, mapped: int, found: int) -> str:
    return (
        f"{name}: {mapped:,} of {found:,} articles mapped; the app maps at most "
        f"{MAX_APP_ARTICLES} articles and {MAX_APP_TOTAL_CHARS:,} characters at once. "
        "Map a whole corpus with `newsmap batch`."
    )


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
