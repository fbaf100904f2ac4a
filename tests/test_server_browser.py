"""The server as a newsroom runs it: shipped defaults, and uploads through the real widget.

Every browser test runs under the shipped ``.streamlit/config.toml`` (the test
server is started with nothing but a port); these tests check what those
defaults promise, and that an upload of each kind of file, good or bad, ends in
a map or a one-line message without losing what the user had.
"""

from __future__ import annotations

import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from layers.files.inputs import MAX_UPLOAD_MB

from .browser import BrowserPage, act, features_heading, open_dashboard, wait_for, wait_for_drawn

ROOT = Path(__file__).resolve().parents[1]
UPLOAD = 'section[data-testid="stFileUploaderDropzone"] input[type="file"]'


def test_shipped_config_is_a_safe_newsroom_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server, client = config["server"], config["client"]
    assert server["address"] == "localhost"
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert set(server["allowedHosts"]) == {"localhost", "127.0.0.1", "::1"}
    assert server["maxUploadSize"] == MAX_UPLOAD_MB
    assert config["browser"]["gatherUsageStats"] is False
    assert client["showErrorDetails"] in ("type", "none")


@pytest.mark.browser
def test_the_server_listens_on_loopback_only_and_wants_an_xsrf_token(app_url: str):
    port = urlsplit(app_url).port
    listening = [
        c.laddr.ip
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening and set(listening) <= {"127.0.0.1", "::1"}, listening
    # an upload without the page's XSRF cookie and header is refused
    request = urllib.request.Request(
        f"{app_url}/_stcore/upload_file/some-session/some-file", data=b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def _upload(page, name: str, data: bytes, mime: str = "application/octet-stream") -> None:
    page.locator(UPLOAD).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


@pytest.mark.browser
def test_a_geopackage_download_uploads_back_to_the_same_map(browser_page: BrowserPage):
    from .browser import download_bytes

    page = browser_page.page
    drawn = open_dashboard(browser_page)
    shown, _ = features_heading(page)
    data = download_bytes(page, "GeoPackage (visible layers)")
    assert data.startswith(b"SQLite format 3\x00")
    act(page, lambda: _upload(page, "seed-visible.gpkg", data))
    page.get_by_text("Showing a saved map.").wait_for()
    assert wait_for_drawn(page, expected=drawn) == drawn
    assert features_heading(page)[0] == shown
    assert page.locator('[data-testid="stException"]').count() == 0
    browser_page.assert_offline()


@pytest.mark.browser
def test_bad_uploads_give_one_line_and_keep_the_map(browser_page: BrowserPage, tmp_path: Path):
    page = browser_page.page
    drawn = open_dashboard(browser_page)
    # over the server's cap: refused in the browser before it is sent
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Floods in Lahore. " * (MAX_UPLOAD_MB * 60_000))
    page.locator(UPLOAD).set_input_files(str(huge))
    wait_for(
        page,
        lambda: page.get_by_text(f"File must be {MAX_UPLOAD_MB}.0MB or smaller.").count(),
        "the size message",
    )
    assert wait_for_drawn(page, expected=drawn) == drawn
    # a binary file and a UTF-16 article without a byte-order mark, together
    files = [
        {"name": "photo.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 64},
        {
            "name": "unicode.txt",
            "mimeType": "text/plain",
            "buffer": "Floods hit Lahore, Pakistan, on Monday.".encode("utf-16-le"),
        },
    ]
    act(page, lambda: page.locator(UPLOAD).set_input_files(files=files))
    page.get_by_text("photo.txt looks binary (it contains NUL or other control bytes)").wait_for()
    page.get_by_text("unicode.txt was not plain UTF-8: read as UTF-16.").wait_for()
    wait_for(page, lambda: features_heading(page)[1] in (2, 3), "Lahore and Pakistan mapped")
    assert page.locator('[data-testid="stException"]').count() == 0
    browser_page.assert_offline()
