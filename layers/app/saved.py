"""Saved maps: a session's articles and corrections kept in SQLite on the server.

A reload, or a colleague on the same server, gets the map back from its id in the
page's URL. Each map has two ids: ``map_id`` (edit: whoever has it changes the map)
and ``view_id`` (read-only: the "Copy link" for a colleague). Ids are random
(``secrets.token_urlsafe``), so a map cannot be guessed from another's.

The database is one file (stdlib ``sqlite3``); its schema is versioned with
``PRAGMA user_version`` and migrated forward on open (:data:`MIGRATIONS`). Pure
Python: no Streamlit here (``dashboard.py`` binds it to ``st.query_params``).

Faults: each save is one transaction in write-ahead-log mode with
``synchronous=FULL``, so a save that returned survives the process being killed
(and a power cut); one cut short leaves the map as it was. A file that is not a
database or fails ``PRAGMA quick_check`` on open is moved aside (with its
``-wal`` and ``-shm``) and a new one started, with a message; it is never
emptied. A database of a newer schema is refused and left untouched.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["MIGRATIONS", "MapStore", "NewerSchemaError", "SavedMap", "default_path", "open_store"]

LOGGER = logging.getLogger(__name__)
#: SQLite's result codes for a damaged file (extended codes start with these).
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")

#: Schema migrations, in order; ``PRAGMA user_version`` counts those applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE maps (
        map_id TEXT PRIMARY KEY,
        view_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX maps_updated ON maps (updated);
    """,
)


def default_path() -> Path:
    """Return where the saved maps live.

    Returns
    -------
    pathlib.Path
        ``$NEWSMAP_DB`` when set, else ``maps.sqlite3`` in the cache folder
        (``$NEWSMAP_CACHE_DIR``, else ``~/.cache/newsmap``).
    """
    env = os.environ.get("NEWSMAP_DB")
    if env:
        return Path(env)
    cache = os.environ.get("NEWSMAP_CACHE_DIR")
    return (Path(cache) if cache else Path.home() / ".cache" / "newsmap") / "maps.sqlite3"


@dataclass(frozen=True, slots=True)
class SavedMap:
    """One saved map.

    Attributes
    ----------
    map_id, view_id : str
        The edit id and the read-only id.
    title : str
        The first article's headline.
    updated : str
        When it was last saved (ISO 8601, UTC, seconds).
    data : dict
        What the app keeps: ``text``, ``seed``, ``articles`` (list of ``{"name",
        "text"}``), ``imported``, ``use_date``, ``article_date`` (ISO or None),
        ``corrections`` (the corrections dict of the articles).
    read_only : bool
        Whether it was opened by its ``view_id``.
    """

    map_id: str
    view_id: str
    title: str
    updated: str
    data: dict[str, Any]
    read_only: bool = False


class NewerSchemaError(sqlite3.DatabaseError):
    """The saved-maps file was written by a newer newsmap; it is left untouched."""


def _problem(path: Path) -> str | None:
    """Return what is wrong with the database file, or None if it is sound.

    Read-only (``mode=ro``): the check never writes to the file it checks.

    Raises
    ------
    NewerSchemaError
        If the file's schema is newer than :data:`MIGRATIONS`.
    sqlite3.Error
        If the file cannot be checked for another reason (locked, no permission):
        that is not damage, and nothing is moved.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None  # SQLite starts a new database in an empty file
    try:
        db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=10)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise NewerSchemaError(
                    f"The saved-maps file {path} was written by a newer newsmap (schema "
                    f"{version}; this one knows {len(MIGRATIONS)}). It is left as it is and "
                    "maps are not saved: update newsmap, or set NEWSMAP_DB to another file."
                )
            rows = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        finally:
            db.close()
    except NewerSchemaError:
        raise
    except sqlite3.DatabaseError as error:
        if not getattr(error, "sqlite_errorname", "").startswith(_DAMAGED):
            raise
        return str(error)
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _move_aside(path: Path) -> Path:
    """Rename the database and its ``-wal``/``-shm`` to ``<name>.corrupt-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while any(Path(f"{target}{end}").exists() for end in ("", "-wal", "-shm")):
        number += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    # the -wal first: committed pages in it belong with the main file
    for end in ("-wal", "-shm", ""):
        if Path(f"{path}{end}").exists():
            os.rename(f"{path}{end}", f"{target}{end}")
    return target


class MapStore:
    """The saved maps in one SQLite file.

    Parameters
    ----------
    path : str or pathlib.Path
        The database file (its folder is created); ``":memory:"`` for tests.

    Attributes
    ----------
    note : str or None
        Set when the file was damaged and moved aside: says where it went.

    Raises
    ------
    NewerSchemaError
        If the file has a newer schema than this code knows (it is not touched).
    sqlite3.Error, OSError
        If the file cannot be opened, checked or created (no permission, locked).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.note: str | None = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            problem = _problem(Path(self.path))
            if problem is not None:
                moved = _move_aside(Path(self.path))
                LOGGER.warning("saved maps %s damaged (%s); moved to %s", self.path, problem, moved)
                self.note = (
                    f"The saved-maps file was damaged; it was moved to {moved} and a new one "
                    "started. Maps saved before are in that file."
                )
        self._memory = sqlite3.connect(":memory:") if self.path == ":memory:" else None
        db = self._memory or sqlite3.connect(self.path, timeout=10)
        try:
            # Persistent in the file: readers never block the writer, and a save
            # is appended to the log, so a kill mid-write leaves the map as it was.
            db.execute("PRAGMA journal_mode = WAL")
        finally:
            if self._memory is None:
                db.close()
        with self._connect() as db:
            self._migrate(db)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = self._memory or sqlite3.connect(self.path, timeout=10)
        # FULL: the log is synced to disk at each commit, so a save that
        # returned is kept through a power cut too, not only a killed process
        # (NORMAL may lose the last saves then). Saves are one per user edit:
        # the sync costs a few milliseconds where it happens.
        db.execute("PRAGMA synchronous = FULL")
        try:
            with db:  # one transaction: committed, or rolled back on error
                yield db
        finally:
            if self._memory is None:
                db.close()

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise NewerSchemaError(
                f"saved maps database has schema {version}; this newsmap knows {len(MIGRATIONS)}"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")

    def save(self, map_id: str | None, title: str, data: dict[str, Any]) -> SavedMap:
        """Create (``map_id`` None or unknown) or replace a saved map.

        Parameters
        ----------
        map_id : str or None
            The map's edit id, or None for a new map.
        title : str
            A short title for the list of saved maps.
        data : dict
            JSON-serialisable content (see :class:`SavedMap`).

        Returns
        -------
        SavedMap
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        with self._connect() as db:
            row = (
                map_id
                and db.execute("SELECT view_id FROM maps WHERE map_id = ?", (map_id,)).fetchone()
            )
            if row:
                db.execute(
                    "UPDATE maps SET title = ?, updated = ?, data = ? WHERE map_id = ?",
                    (title, now, payload, map_id),
                )
                return SavedMap(str(map_id), row[0], title, now, data)
            new_id, view_id = secrets.token_urlsafe(9), secrets.token_urlsafe(9)
            db.execute(
                "INSERT INTO maps VALUES (?, ?, ?, ?, ?, ?)",
                (new_id, view_id, title, now, now, payload),
            )
            return SavedMap(new_id, view_id, title, now, data)

    def load(self, token: str) -> SavedMap | None:
        """Return the map whose edit id or read-only id is ``token``, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT map_id, view_id, title, updated, data FROM maps "
                "WHERE map_id = ? OR view_id = ?",
                (token, token),
            ).fetchone()
        if row is None:
            return None
        return SavedMap(row[0], row[1], row[2], row[3], json.loads(row[4]), token == row[1])

    def list(self, map_ids: list[str]) -> list[SavedMap]:
        """Return the maps among ``map_ids`` (a session's own), newest first, without data."""
        if not map_ids:
            return []
        marks = ",".join("?" * len(map_ids))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT map_id, view_id, title, updated FROM maps WHERE map_id IN ({marks}) "
                "ORDER BY updated DESC, title",
                map_ids,
            ).fetchall()
        return [SavedMap(r[0], r[1], r[2], r[3], {}) for r in rows]

    def delete(self, map_id: str) -> bool:
        """Delete a map by its edit id; return whether there was one."""
        with self._connect() as db:
            return db.execute("DELETE FROM maps WHERE map_id = ?", (map_id,)).rowcount > 0


def open_store(path: str | Path) -> tuple[MapStore | None, str | None]:
    """Open the saved maps, saying what the user should know.

    Parameters
    ----------
    path : str or pathlib.Path
        The database file (see :func:`default_path`).

    Returns
    -------
    store : MapStore or None
        None when maps cannot be saved.
    message : str or None
        Why not (a newer schema, no permission), or that a damaged file was moved
        aside (:attr:`MapStore.note`); None when all is well.
    """
    try:
        store = MapStore(path)
    except NewerSchemaError as error:
        return None, str(error)
    except (sqlite3.Error, OSError) as error:
        return None, f"Maps cannot be saved: {path} cannot be opened ({error})."
    return store, store.note
