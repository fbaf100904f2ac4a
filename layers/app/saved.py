"""Saved maps: a session's articles and corrections kept in SQLite on the server.

A reload, or a colleague on the same server, gets the map back from its id in the
page's URL. Each map has two ids: ``map_id`` (edit: whoever has it changes the map)
and ``view_id`` (read-only: the "Copy link" for a colleague). Ids are random
(``secrets.token_urlsafe``), so a map cannot be guessed from another's.

The database is one file (stdlib ``sqlite3``); its schema is versioned with
``PRAGMA user_version`` and migrated forward on open (:data:`MIGRATIONS`). Pure
Python: no Streamlit here (``dashboard.py`` binds it to ``st.query_params``).
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["MIGRATIONS", "MapStore", "SavedMap", "default_path"]

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


class MapStore:
    """The saved maps in one SQLite file.

    Parameters
    ----------
    path : str or pathlib.Path
        The database file (its folder is created); ``":memory:"`` for tests.

    Raises
    ------
    sqlite3.DatabaseError
        If the file is not a database or has a newer schema than this code knows.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._memory = sqlite3.connect(":memory:") if self.path == ":memory:" else None
        with self._connect() as db:
            self._migrate(db)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = self._memory or sqlite3.connect(self.path, timeout=10)
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
            raise sqlite3.DatabaseError(
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
