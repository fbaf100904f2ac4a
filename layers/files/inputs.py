"""Files in: uploaded articles (text, Markdown, HTML, JSON Lines) and saved maps.

Pure functions of the files' names and bytes; every problem becomes a one-line
message for the user, and the usable rest is kept.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import date
from typing import Any

from geodata.corpus import RecordError, iter_jsonl
from layers.files.export import GeoJSONError, read_geojson

__all__ = [
    "MAX_APP_CHARS",
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
        The text, and the encoding it was read in when that was not UTF-8 or
        UTF-16 with a byte-order mark (None then): detected by charset-normalizer
        (e.g. ``"cp1252"`` for a text saved by Word on Windows).

    Raises
    ------
    InputError
        For an empty file, a binary file, or bytes that fit no encoding.
    """
    if not data:
        raise InputError(f"{filename or 'The file'} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{filename or 'The file'} looks binary (it contains NUL bytes); "
            "upload a .txt, .md or .html article."
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        from charset_normalizer import from_bytes

        results = from_bytes(data)
        best = results.best()
        if best is None or not best.encoding:
            raise InputError(
                f"{filename or 'The file'} is not UTF-8 text (invalid byte at position "
                f"{error.start}) and no other encoding fits it; save it as UTF-8."
            ) from error
        # A short text with a few curly quotes fits several code pages equally well;
        # when Windows-1252 (what Word and most Western newsroom tools save) is one
        # of the readings charset-normalizer finds, take it.
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if western is not None and any(str(match) == western for match in results):
            return western, "cp1252"
        return str(best), best.encoding


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
        metadata and ``"encoding"`` when the bytes were not UTF-8, when known.

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
    article["text"] = _checked(text, filename)
    if encoding:
        article["encoding"] = encoding
    return article


def _checked(text: str, filename: str) -> str:
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 0.05 * min(len(text), 10000):
        raise InputError(f"{filename or 'The file'} does not look like text.")
    return text


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
        line of a .jsonl file (``{"id", "text"}`` objects). An HTML page is named
        by its headline and carries ``"date"`` (ISO) when its metadata has one; a
        file read in another encoding than UTF-8 carries ``"encoding"``.
    saved_map : dict or None
        The last uploaded .geojson, parsed (a FeatureCollection), if any.
    problems : list of str
        One message per file or line that could not be used (the rest is kept).
    """
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
                for number, record in iter_jsonl(text.splitlines(), name, require_text=True):
                    if isinstance(record, RecordError):
                        problems.append(f"{record}; line skipped.")
                        continue
                    label = str(record.get("id") or f"{name}:{number}")
                    articles.append({"name": label, "text": record["text"]})
                    found += 1
                if not found:
                    problems.append(f"{name}: no article found (every line is blank or unusable).")
            else:
                articles.append(read_article(data, name))
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
