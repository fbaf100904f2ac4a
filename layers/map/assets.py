"""Map scripts and styles served from installed packages, never from a CDN.

Folium points Leaflet, jQuery, Bootstrap and Font Awesome at public CDNs; with no network the
map stays blank. The map uses Leaflet core only (circle markers, polylines,
GeoJSON, the layer and scale controls) and its own controls, so it needs just these,
which the XStatic packages on PyPI and this package carry:

==============  ==========================  =====================================
asset           package                     file
==============  ==========================  =====================================
Leaflet 1.9.3   ``xstatic-leaflet``         ``leaflet.js``, ``leaflet.css``, images
jQuery 3.7.1    ``xstatic-jquery``          ``jquery.min.js``
map controls    ``layers.map``              ``static/newsmap.js``, ``static/newsmap.css``
==============  ==========================  =====================================

:func:`install_static` copies them under ``static/vendor/`` next to the app (Streamlit
serves that folder at ``/app/static/`` when ``server.enableStaticServing`` is on);
:func:`use_local_assets` points a map's ``default_js``/``default_css`` there (the
URLs of this package's own files carry a digest of their content, so a browser never
runs a cached copy of an older version); :func:`inline_assets` inlines them in a
standalone HTML export.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from geodata.gazetteer import DATA_DIR

__all__ = [
    "BASEMAP_URL",
    "DEFAULT_BASE_URL",
    "asset_url",
    "inline_assets",
    "install_static",
    "is_local_url",
    "labels_payload",
    "labels_url",
    "use_local_assets",
]

DEFAULT_BASE_URL = "/app/static/vendor"
#: The Natural Earth basemap (geodata/data/naturalearth/basemap.geojson), served
#: beside the scripts so the browser fetches and caches it once.
BASEMAP_SOURCE = DATA_DIR / "naturalearth" / "basemap.geojson"
BASEMAP_TARGET = "naturalearth/basemap.geojson"
BASEMAP_URL = f"{DEFAULT_BASE_URL}/{BASEMAP_TARGET}"
#: The basemap's place names (geodata/data/naturalearth/labels.geojson), served in
#: the compact form of :func:`labels_payload`.
LABELS_SOURCE = DATA_DIR / "naturalearth" / "labels.geojson"
LABELS_TARGET = "naturalearth/labels.json"


#: This package's own map code (the controls of :mod:`layers.map.controls`).
OWN = "newsmap"
OWN_STATIC_DIR = Path(__file__).resolve().parent / "static"


def _package_dirs() -> dict[str, Path]:
    from xstatic.pkg import jquery, leaflet

    return {
        "leaflet": Path(leaflet.BASE_DIR),
        "jquery": Path(jquery.BASE_DIR),
        OWN: OWN_STATIC_DIR,
    }


#: (kind, name, package, relative path inside the package, path under vendor/), in
#: loading order: newsmap.js extends Leaflet, newsmap.css outranks leaflet.css.
_ASSETS: tuple[tuple[str, str, str, str, str], ...] = (
    ("js", "leaflet", "leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("js", "jquery", "jquery", "jquery.min.js", "jquery/jquery.min.js"),
    ("js", "newsmap_js", OWN, "newsmap.js", "newsmap/newsmap.js"),
    ("css", "leaflet_css", "leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("css", "newsmap_css", OWN, "newsmap.css", "newsmap/newsmap.css"),
)
_ASSET_BY_NAME = {
    name: (package, relative, target) for _k, name, package, relative, target in _ASSETS
}
_TREES: tuple[tuple[str, str, str], ...] = (("leaflet", "images", "leaflet/images"),)


def install_static(static_dir: str | Path) -> Path:
    """Copy the map assets under ``static_dir/vendor`` (idempotent).

    Parameters
    ----------
    static_dir : str or Path
        The app's static folder (``static/`` beside ``dashboard.py``).

    Returns
    -------
    pathlib.Path
        The ``vendor`` folder.

    Raises
    ------
    ImportError
        If an XStatic package is not installed.
    """
    vendor = Path(static_dir) / "vendor"
    dirs = _package_dirs()
    for _kind, _name, package, relative, target in _ASSETS:
        destination = vendor / target
        source = dirs[package] / relative
        if not destination.exists() or destination.read_bytes() != source.read_bytes():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    for package, relative, target in _TREES:
        destination = vendor / target
        if not destination.exists():
            shutil.copytree(dirs[package] / relative, destination)
    basemap = vendor / BASEMAP_TARGET
    if not basemap.exists() or basemap.read_bytes() != BASEMAP_SOURCE.read_bytes():
        basemap.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BASEMAP_SOURCE, basemap)
    labels = vendor / LABELS_TARGET
    body = _labels_bytes()
    if not labels.exists() or labels.read_bytes() != body:
        labels.parent.mkdir(parents=True, exist_ok=True)
        labels.write_bytes(body)
    return vendor


#: Label kinds in the order of their index in :func:`labels_payload`'s rows.
LABEL_KINDS = ("ocean", "country", "capital", "city", "sea", "area")


@lru_cache(maxsize=1)
def labels_payload() -> dict[str, Any]:
    """Return the basemap's place names in the compact form the map script reads.

    ``labels.geojson`` keeps each label's source; the browser needs only where and
    what to draw, in a fifth of the bytes.

    Returns
    -------
    dict
        ``{"kinds": [...], "labels": [[lon, lat, name, kind index, min zoom], ...]}``
        with lon/lat in degrees (WGS84), in the file's priority order (first wins
        where two labels would overlap).
    """
    with LABELS_SOURCE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    rows = []
    for feature in collection["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        rows.append([lon, lat, props["name"], LABEL_KINDS.index(props["kind"]), props["minzoom"]])
    return {"kinds": list(LABEL_KINDS), "labels": rows}


@lru_cache(maxsize=1)
def _labels_bytes() -> bytes:
    text = json.dumps(labels_payload(), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def labels_url(base_url: str = DEFAULT_BASE_URL) -> str:
    """Return the URL of the place names served by :func:`install_static`.

    It carries a digest of the content (``?v=``), so a browser never keeps the
    names of an older version.
    """
    digest = hashlib.sha256(_labels_bytes()).hexdigest()[:12]
    return f"{base_url}/{LABELS_TARGET}?v={digest}"


def asset_url(name: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """Return the URL of a map asset served by :func:`install_static`.

    Parameters
    ----------
    name : str
        The asset's name: ``"leaflet"``, ``"jquery"``, ``"leaflet_css"``,
        ``"newsmap_js"`` or ``"newsmap_css"``.
    base_url : str, default "/app/static/vendor"
        URL prefix under which :func:`install_static` put the files.

    Returns
    -------
    str
        For this package's own files, with ``?v=`` and a digest of the content:
        they change with the app, and a new version gets a new URL.

    Examples
    --------
    >>> asset_url("leaflet")
    '/app/static/vendor/leaflet/leaflet.js'
    """
    package, relative, target = _ASSET_BY_NAME[name]
    url = f"{base_url}/{target}"
    if package == OWN:
        url += f"?v={_digest(package, relative)}"
    return url


def use_local_assets(m: folium.Map, base_url: str = DEFAULT_BASE_URL) -> folium.Map:
    """Point every script and stylesheet of ``m`` at locally served copies.

    The map itself loads all of them (Leaflet, jQuery and newsmap's controls),
    so the feature groups that the app sends beside the map can call newsmap's
    code too. Children that name one of these assets (``default_js`` or
    ``default_css`` entries such as ``("newsmap_js", url)``) are pointed at the
    same URL.

    Parameters
    ----------
    m : folium.Map
        The map; its children must use only Leaflet core and these assets.
    base_url : str, default "/app/static/vendor"
        URL prefix under which :func:`install_static` put the files.

    Returns
    -------
    folium.Map
        ``m`` itself, changed in place.

    Raises
    ------
    ValueError
        If a child element asks for a script or stylesheet that no installed
        package provides (it would be fetched from the network).
    """
    m.default_js = [(n, asset_url(n, base_url)) for k, n, *_ in _ASSETS if k == "js"]
    m.default_css = [(n, asset_url(n, base_url)) for k, n, *_ in _ASSETS if k == "css"]
    for element in _walk(m):
        if element is m:
            continue
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if not links:
                continue
            links = [
                (name, asset_url(name, base_url) if name in _ASSET_BY_NAME else url)
                for name, url in links
            ]
            setattr(element, attribute, links)  # on the instance: the class keeps its own
            for _name, url in links:
                if not is_local_url(url):
                    raise ValueError(
                        f"{type(element).__name__} loads {url}, which is not served locally"
                    )
    return m


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def is_local_url(url: str) -> bool:
    """Whether ``url`` stays on the serving host (relative or root-relative).

    Examples
    --------
    >>> is_local_url("/app/static/vendor/leaflet/leaflet.js")
    True
    >>> is_local_url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    False
    """
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)


@lru_cache(maxsize=8)
def _file_text(package: str, relative: str) -> str:
    return (_package_dirs()[package] / relative).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _digest(package: str, relative: str) -> str:
    return hashlib.sha256((_package_dirs()[package] / relative).read_bytes()).hexdigest()[:12]


def _inline_css_urls(css: str, folder: Path) -> str:
    """Replace relative ``url(...)`` references in CSS with data URIs."""
    mime = {".png": "image/png", ".svg": "image/svg+xml"}

    def replace(match: re.Match[str]) -> str:
        target = match.group(1).strip("'\"")
        if target.startswith(("data:", "http:", "https:", "#")):
            return match.group(0)
        path = (folder / target.split("?")[0].split("#")[0]).resolve()
        if not path.exists() or path.suffix not in mime:
            return "url(data:,)"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:{mime[path.suffix]};base64,{data})"

    return re.sub(r"url\(([^)]+)\)", replace, css)


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    """Return a ``re.sub`` replacement that inserts ``text`` as is (no escapes)."""

    def replace(_match: re.Match[str]) -> str:
        return text

    return replace


def inline_assets(html: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """Inline the locally served scripts and styles of a rendered map page.

    Parameters
    ----------
    html : str
        A page rendered from a map prepared with :func:`use_local_assets`.
    base_url : str, default "/app/static/vendor"
        The prefix used there.

    Returns
    -------
    str
        The page with ``<script src>`` and ``<link rel=stylesheet>`` of our
        assets replaced by inline ``<script>``/``<style>`` (images and fonts as
        data URIs), so it opens offline from a file.
    """
    dirs = _package_dirs()
    for kind, name, package, relative, _target in _ASSETS:
        url = asset_url(name, base_url)
        if kind == "js":
            body = _file_text(package, relative).replace("</script", "<\\/script")
            pattern = re.compile(r'<script[^>]*src="' + re.escape(url) + r'"[^>]*>\s*</script>')
            html = pattern.sub(_constant(f"<script>{body}</script>"), html)
        else:
            folder = (dirs[package] / relative).parent
            css = _inline_css_urls(_file_text(package, relative), folder)
            pattern = re.compile(r'<link[^>]*href="' + re.escape(url) + r'"[^>]*/?>')
            html = pattern.sub(_constant(f"<style>{css}</style>"), html)
    return html
