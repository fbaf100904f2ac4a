"""Many concurrent browser sessions on one ``streamlit run`` server: the load driver.

Shared by ``benchmarks/load_bench.py`` (40 sessions, figures) and
``tests/test_load_browser.py`` (5 sessions, asserts). One Chromium, one browser
context per session (so one Streamlit session each), driven concurrently with
Playwright's async API in one event loop (the sync API cannot share one browser
between threads, and one Chromium per thread would measure Chromium).

Each session gets its own article (:func:`articles`): two cities and a country
that no other session names. After opening the app (``open``: the sample
article, the same for all, from the same cache entries) and waiting until every
session is open, each session, all at once:

1. selects one feature of the sample, a different one per session, and rejects
   it (``reject_sample``): its map must lack that one feature only, and its saved
   map (SQLite, the id in the page's URL) must hold that rejection only;
2. pastes its article (``paste``): the map must show its three places;
3. selects its first city and rejects it (``reject``): the map must show the
   other two, the saved map hold the article and exactly that rejection;
4. switches "Cities and towns" off (``toggle_off``: the country alone) and on
   again (``toggle_on``: the second city and the country, never the rejected one).

Each time is from the action (the paste, the click) to the moment the map frame
draws exactly the expected features, read in the page from Leaflet's layers (the
first of 300 ms of the same set, so a rerun that swaps the frame is not taken for
the end). Meanwhile the page records any feature of another session's article, and,
after the rejection, the rejected place, even if shown for a moment only: that is
cross-talk, as are another session's correction in the saved map and its own
correction missing, and a feature missing after a correction (another session's
correction applied here). Errors: a Streamlit exception or error box, a console
error, a page error, a request off localhost, a timeout.

The server's memory (RSS of the process and its children, psutil) is sampled
through the run: before any session, after a warm-up session (the gazetteer and
the NER pipeline loaded, the sample article mapped), and its peak; so is the CPU
time of the server and of Chromium (which shares the machine's cores).
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import os
import re
import statistics
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil
from playwright.async_api import Browser, Page, async_playwright

from layers.app.saved import MapStore, default_path

from .browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWN,
    IDLE_FOR,
    IGNORED_SCHEMES,
    LOCAL_HOSTS,
    MAP_IFRAME,
    MIN_FEATURES,
    SETTLE_MS,
    VIEWPORT,
)

#: The kinds of timed action, in the order a session does them.
ACTIONS = ("open", "reject_sample", "paste", "reject", "toggle_off", "toggle_on")
#: Layer titles as the sidebar's checkboxes name them (layers.catalog).
CITIES_LAYER = "Cities and towns"
#: The same set of features drawn for this long counts as the map's new state.
MAP_SETTLE_MS = 300
#: Feature names typed into the "Selected feature" box (no dashes, no brackets).
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z ]*")
#: So many pages in one Chromium: none may be throttled as a background tab.
LOAD_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]

# (country, city, city): the geoparser maps each article to exactly these three
# places, none of them doubted by the confidence model (so all drawn), under these
# very names (checked by tests/test_load_browser.py::test_each_article_maps_to_its_places);
# no two sessions share a place.
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("Norway", "Oslo", "Bergen"),
    ("Portugal", "Lisbon", "Porto"),
    ("Ireland", "Dublin", "Galway"),
    ("Finland", "Helsinki", "Tampere"),
    ("Poland", "Warsaw", "Lublin"),
    ("Chile", "Santiago", "Antofagasta"),
    ("Peru", "Lima", "Arequipa"),
    ("Kenya", "Nairobi", "Mombasa"),
    ("Ghana", "Accra", "Kumasi"),
    ("Senegal", "Dakar", "Kaolack"),
    ("Uganda", "Kampala", "Gulu"),
    ("Zambia", "Lusaka", "Ndola"),
    ("Zimbabwe", "Harare", "Bulawayo"),
    ("Angola", "Luanda", "Huambo"),
    ("Morocco", "Rabat", "Casablanca"),
    ("Tunisia", "Tunis", "Sfax"),
    ("Algeria", "Algiers", "Oran"),
    ("Sudan", "Khartoum", "Omdurman"),
    ("Mozambique", "Maputo", "Beira"),
    ("Namibia", "Windhoek", "Walvis Bay"),
    ("Botswana", "Gaborone", "Francistown"),
    ("Japan", "Tokyo", "Osaka"),
    ("Vietnam", "Hanoi", "Haiphong"),
    ("Malaysia", "Kuala Lumpur", "Ipoh"),
    ("Nepal", "Kathmandu", "Pokhara"),
    ("Pakistan", "Karachi", "Lahore"),
    ("Kazakhstan", "Almaty", "Astana"),
    ("Uzbekistan", "Tashkent", "Samarkand"),
    ("Colombia", "Cali", "Barranquilla"),
    ("Ecuador", "Quito", "Guayaquil"),
    ("Argentina", "Buenos Aires", "Mendoza"),
    ("Uruguay", "Montevideo", "Salto"),
    ("Venezuela", "Caracas", "Maracaibo"),
    ("Cuba", "Havana", "Cienfuegos"),
    ("Mexico", "Monterrey", "Guadalajara"),
    ("Canada", "Toronto", "Winnipeg"),
    ("Australia", "Sydney", "Adelaide"),
    ("Hungary", "Budapest", "Debrecen"),
    ("Bulgaria", "Sofia", "Varna"),
    ("Sweden", "Stockholm", "Uppsala"),
    ("Spain", "Madrid", "Bilbao"),
    ("Italy", "Rome", "Milan"),
    ("Germany", "Berlin", "Hamburg"),
    ("Austria", "Vienna", "Graz"),
    ("Egypt", "Cairo", "Alexandria"),
    ("Nigeria", "Lagos", "Kano"),
    ("Tanzania", "Dodoma", "Arusha"),
    ("India", "Mumbai", "Chennai"),
    ("Indonesia", "Jakarta", "Surabaya"),
    ("South Korea", "Seoul", "Busan"),
    ("New Zealand", "Auckland", "Christchurch"),
    ("Estonia", "Tallinn", "Tartu"),
    ("Latvia", "Riga", "Daugavpils"),
    ("Lithuania", "Vilnius", "Kaunas"),
)
#: How many sessions :func:`articles` can give disjoint places to.
MAX_SESSIONS = len(_PLACES)


@dataclass(frozen=True)
class Article:
    """One session's article and what its map must show.

    Attributes
    ----------
    index : int
        The session's number (0-based).
    text : str
        The article pasted into the app.
    first, second : str
        The two cities it names (``first`` is the one the session rejects).
    country : str
        The country it names.
    """

    index: int
    text: str
    first: str
    second: str
    country: str

    @property
    def places(self) -> frozenset[str]:
        """Every place name of the article."""
        return frozenset({self.first, self.second, self.country})


def articles(n: int) -> list[Article]:
    """Return ``n`` short news articles naming disjoint sets of real places.

    Raises
    ------
    ValueError
        If ``n`` is not in 1 .. :data:`MAX_SESSIONS`.
    """
    if not 1 <= n <= MAX_SESSIONS:
        raise ValueError(f"sessions must be 1 to {MAX_SESSIONS}, got {n}")
    out = []
    for i, (country, first, second) in enumerate(_PLACES[:n]):
        text = (
            f"Trade ministers of {country} met in {first} on Tuesday to sign a new "
            f"shipping agreement, officials said. A second round of talks is planned "
            f"in {second} next month."
        )
        out.append(Article(i, text, first, second, country))
    return out


# --------------------------------------------------------------------------- results


@dataclass
class SessionResult:
    """What one session measured and found."""

    index: int
    latencies: dict[str, float] = field(default_factory=dict)
    #: Another session's feature or correction, the rejected place back, a lost correction.
    crosstalk: list[str] = field(default_factory=list)
    #: Exceptions, console and page errors, requests off localhost, timeouts.
    errors: list[str] = field(default_factory=list)
    #: Names of the session's own places its map drew (after the paste).
    own_seen: set[str] = field(default_factory=set)
    #: Feature ids the map drew after the paste.
    feature_ids: dict[str, str] = field(default_factory=dict)
    #: The actions the session finished.
    done: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """A load run: per-session results and the server's memory."""

    sessions: list[SessionResult]
    wall_s: float
    memory: dict[str, float | None]

    @property
    def crosstalk(self) -> list[str]:
        """Every cross-talk finding, prefixed with its session number."""
        return [f"session {s.index + 1}: {c}" for s in self.sessions for c in s.crosstalk]

    @property
    def errors(self) -> list[str]:
        """Every error, prefixed with its session number."""
        return [f"session {s.index + 1}: {e}" for s in self.sessions for e in s.errors]

    def latencies(self, action: str | None = None) -> list[float]:
        """Seconds from action to map updated, of one kind of action or of all but ``open``."""
        kinds = [action] if action else [a for a in ACTIONS if a != "open"]
        return [s.latencies[k] for s in self.sessions for k in kinds if k in s.latencies]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, linear between ranks; NaN if empty."""
    if not values:
        return math.nan
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1])


def report(result: LoadResult) -> str:
    """The figures of a load run as text: latencies, cross-talk, errors, memory."""
    n = len(result.sessions)
    lines = [f"sessions: {n} concurrent, wall {result.wall_s:.1f} s"]
    lines.append(f"{'action':<14}{'n':>4}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for action in (*ACTIONS, None):
        values = result.latencies(action)
        top = max(values) if values else math.nan
        lines.append(
            f"{action or 'all actions':<14}{len(values):>4}{percentile(values, 50):>9.2f}"
            f"{percentile(values, 95):>9.2f}{top:>9.2f}"
        )
    complete = sum(1 for s in result.sessions if len(s.done) == len(ACTIONS))
    lines.append(f"sessions that finished every action: {complete}/{n}")
    lines.append(f"cross-talk: {len(result.crosstalk)}")
    lines.extend(f"  {c}" for c in result.crosstalk[:20])
    lines.append(f"errors: {len(result.errors)}")
    lines.extend(f"  {e}" for e in result.errors[:20])
    memory = result.memory
    if memory.get("server_cpu_s") is not None:
        lines.append(
            f"CPU time during the sessions: server {memory['server_cpu_s']:.0f} s, "
            f"Chromium {memory['browser_cpu_s']:.0f} s (wall {result.wall_s:.0f} s, "
            f"{os.cpu_count()} cpus)"
        )
    if memory.get("peak_mb") is not None:
        lines.append(
            "server memory (RSS, process and children): "
            f"before sessions {memory['cold_mb']:.0f} MB, after a warm-up session "
            f"{memory['warm_mb']:.0f} MB, peak {memory['peak_mb']:.0f} MB, "
            f"after closing {memory['end_mb']:.0f} MB"
        )
        lines.append(
            f"per session: (peak - warm) / {n} = {memory['per_session_mb']:.1f} MB "
            f"((peak - before) / {n} = {(memory['peak_mb'] - memory['cold_mb']) / n:.1f} MB)"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- memory


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB (10**6 bytes)."""
    process = psutil.Process(pid)
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.Error:  # a child that ended meanwhile
            continue
    return total / 1e6


def _cpu_by_pid(root: psutil.Process, name_part: str = "") -> dict[int, float]:
    """CPU seconds (user + system) of ``root`` and its descendants whose name has ``name_part``."""
    out = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            if name_part in proc.name():
                times = proc.cpu_times()
                out[proc.pid] = times.user + times.system
        except psutil.Error:  # ended meanwhile
            continue
    return out


class _Sampler(threading.Thread):
    """Samples the server's RSS (keeps the peak) and the CPU time of the server and
    of Chromium (this process's ``chrom*`` descendants) until stopped.

    CPU time is summed over every process seen, the ended ones at their last sample
    (a closed context's renderer).
    """

    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.peak = rss_mb(pid)
        self._stop_event = threading.Event()
        self._server, self._browser = psutil.Process(pid), psutil.Process()
        self._start = self._cpu()
        self._seen = dict(self._start)

    def _cpu(self) -> dict[tuple[str, int], float]:
        server = _cpu_by_pid(self._server)
        browser = _cpu_by_pid(self._browser, "chrom")
        return {
            **{("server", pid): t for pid, t in server.items()},
            **{("browser", pid): t for pid, t in browser.items()},
        }

    def run(self) -> None:
        while not self._stop_event.wait(self.every_s):
            self.peak = max(self.peak, rss_mb(self.pid))
            self._seen.update(self._cpu())

    def stop(self) -> tuple[float, float, float]:
        """Stop; return the peak RSS (MB) and the server's and Chromium's CPU seconds."""
        self._stop_event.set()
        self.join()
        self._seen.update(self._cpu())
        used = {"server": 0.0, "browser": 0.0}
        for (who, pid), seconds in self._seen.items():
            used[who] += seconds - self._start.get((who, pid), 0.0)
        return max(self.peak, rss_mb(self.pid)), used["server"], used["browser"]


# --------------------------------------------------------------------------- the page

#: [[feature_id, name], ...] of the features Leaflet draws in the map frame, or null
#: while there is not exactly one frame with a loaded map. Names come from each
#: feature's tooltip (escaped HTML: "<icon> <name>").
_READ_FEATURES = f"""() => {{
  const frames = document.querySelectorAll({json.dumps(MAP_IFRAME)});
  if (frames.length !== 1) return null;
  let map = null;
  try {{ map = frames[0].contentWindow.map; }} catch (e) {{ return null; }}
  if (!map || !map._loaded) return null;
  const out = [];
  const box = document.createElement('div');
  map.eachLayer((layer) => {{
    const p = layer.feature && layer.feature.properties;
    if (!p || !p.feature_id) return;
    if (layer._path && !layer._path.isConnected) return;
    box.innerHTML = p.tooltip || '';
    out.push([p.feature_id, box.textContent.replace(/^\\S+\\s/, '')]);
  }});
  return out;
}}"""

#: Waits (polled in the page) until the map draws exactly ``expected`` (names) for
#: ``settle`` ms; returns the time (Date.now()) that set was first drawn. Meanwhile
#: it keeps in ``window.__nmBad`` any name of ``forbidden`` it ever sees drawn.
_MAP_SHOWS = f"""([wanted, forbidden, settle]) => {{
  const expected = [...wanted].sort();  // (JavaScript's order, as names' below)
  const read = {_READ_FEATURES};
  const features = read();
  if (features === null) {{ window.__nmSince = null; return false; }}
  window.__nmBad = window.__nmBad || [];
  for (const [, name] of features) {{
    if (forbidden.includes(name) && !window.__nmBad.includes(name)) window.__nmBad.push(name);
  }}
  const names = features.map(f => f[1]).sort();
  const same = names.length === expected.length && names.every((n, i) => n === expected[i]);
  if (!same) {{ window.__nmSince = null; return false; }}
  if (window.__nmSince == null) window.__nmSince = Date.now();
  return Date.now() - window.__nmSince >= settle ? window.__nmSince : false;
}}"""


class _Session:
    """One browser context on the app, driven through :data:`ACTIONS`."""

    def __init__(
        self,
        page: Page,
        article: Article,
        others: frozenset[str],
        result: SessionResult,
        timeout_s: float,
    ) -> None:
        self.page, self.article, self.others = page, article, others
        self.result, self.timeout_ms = result, timeout_s * 1000
        #: What the session is doing (for error messages).
        self.step = "start"
        #: Names on the map of a fresh session on the sample (set by :meth:`open`).
        self.sample: list[tuple[str, str]] = []
        self.forbidden: set[str] = set(others)
        page.set_default_timeout(self.timeout_ms)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: result.errors.append(f"page error: {error}"))
        page.context.on("request", self._on_request)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.result.errors.append(f"console error: {message.text[:300]}")

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in IGNORED_SCHEMES and parts.hostname not in LOCAL_HOSTS:
            self.result.errors.append(f"request off localhost: {request.url}")

    async def features(self) -> list[tuple[str, str]]:
        """(feature id, name) of what the map draws now ([] without a map)."""
        try:
            found = await self.page.evaluate(_READ_FEATURES)
        except Exception:  # the frame swapped mid-read
            return []
        return [(str(fid), html.unescape(str(name))) for fid, name in found or []]

    async def idle(self) -> None:
        """Wait until the app's script is not running and stays so for a moment.

        Called once what the action changes is on the page, so its run has begun:
        counting runs (``tests/browser.py``'s ``RUN_COUNTER``) would miss one whose
        "running" state a loaded page never renders.
        """
        await self.page.evaluate("window.__newsmapIdleSince = null")
        await self.page.wait_for_function(IDLE_FOR, arg=SETTLE_MS, polling=200)

    async def check_page(self, step: str) -> None:
        """Record any Streamlit exception or error box on the page."""
        for selector, what in (
            ('[data-testid="stException"]', "exception"),
            ('[data-testid="stAlertContentError"]', "error box"),
        ):
            boxes = self.page.locator(selector)
            for i in range(await boxes.count()):
                text = (await boxes.nth(i).inner_text())[:300]
                self.result.errors.append(f"Streamlit {what} after {step}: {text}")

    async def timed(
        self,
        kind: str,
        action,
        expected: Collection[str],
        forbidden: set[str],
        missing_is_crosstalk: bool = True,
    ) -> None:
        """Do ``action``; time it until the map draws ``expected`` (names, repeats
        counted); then wait for idle.

        If it times out with some of ``expected`` not drawn, that is cross-talk
        (another session's correction applied here) unless ``missing_is_crosstalk``
        is False (a new article whose map has not come yet).
        """
        page = self.page
        self.step = kind
        await page.evaluate("window.__nmSince = null; window.__nmBad = []")
        started = await page.evaluate("Date.now()")
        await action()
        try:
            handle = await page.wait_for_function(
                _MAP_SHOWS,
                arg=[sorted(expected), sorted(forbidden), MAP_SETTLE_MS],
                polling=100,
            )
        except Exception as error:
            shown = sorted(name for _, name in await self.features())
            self.note_forbidden(kind, set(shown) & forbidden)
            missing = sorted(set(expected) - set(shown))
            if missing_is_crosstalk and missing and shown:
                self.result.crosstalk.append(
                    f"{kind}: {missing} not drawn (another session's correction?)"
                )
            raise TimeoutError(
                f"{kind}: the map did not show {sorted(expected)} within "
                f"{self.timeout_ms / 1000:.0f} s; it shows {shown} ({type(error).__name__})"
            ) from None
        drawn_at = float(await handle.json_value())
        self.note_forbidden(kind, set(await page.evaluate("window.__nmBad || []")))
        self.result.latencies[kind] = (drawn_at - started) / 1000
        await self.idle()
        await self.check_page(kind)
        self.result.done.append(kind)

    def note_forbidden(self, kind: str, names: set[str]) -> None:
        """Record forbidden names seen during ``kind`` as cross-talk."""
        for name in sorted(names):
            whose = "the rejected place" if name == self.article.first else "another session's"
            self.result.crosstalk.append(f"{kind}: {whose} feature {name!r} drawn")

    async def open(self, url: str, sample: list[str] | None = None) -> None:
        """Load the app on the sample article; time until its map is drawn.

        With ``sample`` (the names a fresh session's map drew), the map must draw
        exactly those.
        """
        page = self.page
        self.step = "open"
        started = time.monotonic()
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_function(
            f"() => document.querySelectorAll({json.dumps(MAP_IFRAME)}).length === 1"
            f" && (() => {{ const d = document.querySelector({json.dumps(MAP_IFRAME)})"
            f".contentDocument; return !!d && d.querySelectorAll({json.dumps(DRAWN)}).length"
            f" >= {MIN_FEATURES}; }})()",
            polling=200,
        )
        self.result.latencies["open"] = time.monotonic() - started
        await self.idle()
        await self.check_page("open")
        self.sample = await self.features()
        names = sorted(name for _, name in self.sample)
        if sample is not None and names != sample:
            self.result.crosstalk.append(
                f"open: the sample's map differs from a fresh session's: "
                f"{sorted(set(names) ^ set(sample))}"
            )
        self.result.done.append("open")

    async def reject_sample(self) -> None:
        """Reject one feature of the sample: the one this session's number picks.

        Every session shows the sample from the same cache entries (``get_sites``,
        ``get_frames``), each rejects a different feature (as far as there are
        features): each map must lack its own rejection only. Only a feature that
        no other feature's name contains, nor contains one, is rejected: rejecting
        a place takes the incidents at it along ("Explosion near <airport>").
        """
        names = [name for _, name in self.sample]
        simple = sorted(
            name
            for name in set(names)
            if names.count(name) == 1
            and _SIMPLE.fullmatch(name)
            and not any(name in other or other in name for other in names if other != name)
        )
        target = simple[self.article.index % len(simple)]
        target_id = next(fid for fid, name in self.sample if name == target)
        await self.select(target)
        button = self.page.get_by_role("button", name="Reject this feature")
        expected = [name for name in names if name != target]
        await self.timed("reject_sample", button.click, expected, set(self.others))
        await self.check_saved("reject_sample", [target_id])

    async def paste(self) -> None:
        box = self.page.get_by_label("Article text")

        async def action() -> None:
            await box.fill(self.article.text)
            await box.press("Control+Enter")

        await self.timed(
            "paste", action, set(self.article.places), set(self.others), missing_is_crosstalk=False
        )
        drawn = dict(await self.features())
        self.result.feature_ids = {name: fid for fid, name in drawn.items()}
        self.result.own_seen = set(drawn.values()) & self.article.places

    async def select(self, name: str) -> None:
        """Choose a feature in the "Selected feature" box, as a person types it."""
        page = self.page
        self.step = f"select {name!r}"
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Selected feature")
        await box.first.click()
        await page.keyboard.type(name)
        await page.get_by_role("option", name=name, exact=True).click()
        # (no feature is selected before: the button comes with the selection)
        await page.get_by_role("button", name="Reject this feature").wait_for()
        await self.idle()

    async def reject(self) -> None:
        article = self.article
        await self.select(article.first)
        button = self.page.get_by_role("button", name="Reject this feature")
        expected = {article.second, article.country}
        # (a rejected feature may still be drawn until the rerun: not forbidden yet)
        await self.timed("reject", button.click, expected, set(self.others))
        await self.check_saved("reject", [self.result.feature_ids.get(article.first, "?")])
        self.forbidden = set(self.others) | {article.first}

    async def toggle(self, on: bool) -> None:
        box = (
            self.page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]')
            .filter(has_text=CITIES_LAYER)
            .first
        )
        expected = {self.article.second, self.article.country} if on else {self.article.country}
        kind = "toggle_on" if on else "toggle_off"
        await self.timed(kind, box.locator("label").click, expected, self.forbidden)
        if await box.locator('input[type="checkbox"]').is_checked() != on:
            self.result.errors.append(f"{kind}: the checkbox did not change")

    async def check_saved(self, step: str, rejected_ids: list[str]) -> None:
        """The saved map of this session (id in the URL) holds its corrections only.

        After the paste it must hold the session's article too; the page must
        offer to undo.
        """
        article = self.article
        map_id = (parse_qs(urlsplit(self.page.url).query).get("map") or [None])[0]
        if map_id is None:
            self.result.errors.append(f"{step}: no saved map id in the URL {self.page.url}")
            return
        saved = MapStore(default_path()).load(map_id)
        if saved is None:
            self.result.errors.append(f"{step}: saved map {map_id} not in the database")
            return
        if "paste" in self.result.done and saved.data.get("text") != article.text:
            self.result.crosstalk.append(f"{step}: saved map {map_id} holds another text")
        rejected = list(saved.data.get("corrections", {}).get("rejected", []))
        if rejected != rejected_ids:
            self.result.crosstalk.append(
                f"{step}: saved corrections reject {rejected}, expected {rejected_ids}"
            )
        if not await self.page.get_by_role("button", name="Undo").is_enabled():
            self.result.crosstalk.append(f"{step}: no correction to undo on the page")

    async def actions(self) -> None:
        await self.reject_sample()
        await self.paste()
        await self.reject()
        await self.toggle(on=False)
        await self.toggle(on=True)
        self.step = "end"
        await self.check_saved("toggle_on", [self.result.feature_ids.get(self.article.first, "?")])
        for fid, name in await self.features():
            if fid in self.result.feature_ids.values() and name not in self.article.places:
                self.result.crosstalk.append(f"end: feature {fid} renamed {name!r}")


async def _drive(
    browser: Browser,
    url: str,
    article: Article,
    all_places: frozenset[str],
    sample: list[str],
    barrier: asyncio.Barrier,
    timeout_s: float,
    delay_s: float,
) -> SessionResult:
    """One session: open, wait for all to be open, act, wait for all to finish.

    It reaches both barriers whatever fails, so one broken session cannot hang the rest.
    """
    result = SessionResult(article.index)
    context = None
    opened = False
    try:
        await asyncio.sleep(delay_s)
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        session = _Session(page, article, all_places - article.places, result, timeout_s)
        await session.open(url, sample)
        opened = True
    except Exception as error:
        result.errors.append(f"open: {type(error).__name__}: {str(error)[:300]}")
    await barrier.wait()  # every session open at once before any acts
    if opened:
        try:
            await session.actions()
        except Exception as error:
            result.errors.append(f"{session.step}: {type(error).__name__}: {str(error)[:400]}")
    await barrier.wait()  # every session stays open until all are done
    if context is not None:
        await context.close()
    return result


async def _run(
    url: str, n: int, timeout_s: float, stagger_s: float, server_pid: int | None
) -> LoadResult:
    texts = articles(n)
    all_places = frozenset().union(*(a.places for a in texts))
    memory: dict[str, float | None] = dict.fromkeys(
        (
            "cold_mb",
            "warm_mb",
            "peak_mb",
            "end_mb",
            "per_session_mb",
            "server_cpu_s",
            "browser_cpu_s",
        )
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LOAD_ARGS, headless=True
        )
        try:
            if server_pid is not None:
                memory["cold_mb"] = rss_mb(server_pid)
            # warm-up: the first session loads the geoparser and maps the sample
            warm = await browser.new_context(viewport=VIEWPORT)
            warm_page = await warm.new_page()
            warm_session = _Session(warm_page, texts[0], frozenset(), SessionResult(-1), timeout_s)
            await warm_session.open(url)
            await warm.close()
            sample = sorted(name for _, name in warm_session.sample)
            sampler = None
            if server_pid is not None:
                memory["warm_mb"] = rss_mb(server_pid)
                sampler = _Sampler(server_pid)
                sampler.start()
            barrier = asyncio.Barrier(n)
            started = time.monotonic()
            results = await asyncio.gather(
                *(
                    _drive(
                        browser, url, a, all_places, sample, barrier, timeout_s, a.index * stagger_s
                    )
                    for a in texts
                )
            )
            wall = time.monotonic() - started
            if sampler is not None and server_pid is not None:
                memory["peak_mb"], memory["server_cpu_s"], memory["browser_cpu_s"] = sampler.stop()
                await asyncio.sleep(1.0)
                memory["end_mb"] = rss_mb(server_pid)
                memory["per_session_mb"] = (memory["peak_mb"] - memory["warm_mb"]) / n
        finally:
            await browser.close()
    return LoadResult(list(results), wall, memory)


def run_load(
    url: str,
    sessions: int,
    server_pid: int | None = None,
    timeout_s: float = 120.0,
    stagger_s: float = 0.2,
) -> LoadResult:
    """Drive ``sessions`` concurrent browser sessions against the app at ``url``.

    Parameters
    ----------
    url : str
        The app (``streamlit run dashboard.py``), e.g. ``http://127.0.0.1:8501``.
        Its saved maps are read from :func:`layers.app.saved.default_path`
        (``$NEWSMAP_DB``): the server must have been started with the same.
    sessions : int
        How many browser contexts, 1 to :data:`MAX_SESSIONS`.
    server_pid : int, optional
        The server's process id, to sample its memory; without it no memory figures.
    timeout_s : float, default 120.0
        Longest wait for any one step (page load, map update, idle), in seconds.
    stagger_s : float, default 0.2
        Delay between session starts, in seconds (all are open before any acts).

    Returns
    -------
    LoadResult
        Latencies, cross-talk, errors, memory (MB, 10**6 bytes).

    Raises
    ------
    ValueError
        If ``sessions`` is out of range.
    RuntimeError
        If the warm-up session cannot open the app.
    """
    articles(sessions)  # validate first
    box: dict[str, LoadResult | BaseException] = {}

    def target() -> None:  # its own thread: no other event loop or sync Playwright there
        try:
            box["result"] = asyncio.run(_run(url, sessions, timeout_s, stagger_s, server_pid))
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=target, name="load-driver")
    thread.start()
    thread.join()
    if "error" in box:
        raise RuntimeError(f"the load run failed: {box['error']!r}") from box["error"]  # type: ignore[misc]
    result = box["result"]
    assert isinstance(result, LoadResult)
    return result


def server_log_tail(log: Path, chars: int = 3000) -> str:
    """The end of the server's log (for a failure message)."""
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""
