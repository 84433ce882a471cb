"""The persistent cache: rendered bodies by source hash, KaTeX output by formula hash (SQLite)."""

import os
import pickle
import sqlite3
import threading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS formulas (key TEXT PRIMARY KEY, html TEXT NOT NULL);
"""
_BATCH = 500  # SQLite's limit on host parameters is far above this


class Store:
    """A cache that holds nothing when `path` is None, so callers never branch on caching."""

    def __init__(self, path: str | None):
        self.path = path
        self._connection = None
        self._writer: threading.Thread | None = None

    def _connect(self):
        """The build process's connection, opened (and the tables made) on first use."""
        if self._connection is None and self.path:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=60)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.executescript(_SCHEMA)
        return self._connection

    def _get_many(self, table: str, column: str, keys: list[str]) -> dict:
        if not self.path or not keys:
            return {}
        found = {}
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self._connect().execute(
                f"SELECT key, {column} FROM {table} WHERE key IN ({marks})", chunk
            )
            found.update(rows)
        return found

    def get_bodies(self, keys: list[str]) -> dict:
        return {key: pickle.loads(value) for key, value in self._get_many("bodies", "value", keys).items()}

    def get_formulas(self, keys: list[str]) -> dict[str, str]:
        return self._get_many("formulas", "html", keys)

    def put(self, bodies: dict, formulas: dict[str, str]) -> None:
        """Store in the background (a connection of its own): the build goes on meanwhile."""
        if not self.path or not (bodies or formulas):
            return
        self.wait()
        self._connect()  # the tables must exist before the writer's own connection uses them
        self._writer = threading.Thread(target=self._write, args=(bodies, formulas))
        self._writer.start()

    def _write(self, bodies: dict, formulas: dict[str, str]) -> None:
        connection = sqlite3.connect(self.path, timeout=60)
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                    ((key, pickle.dumps(body, pickle.HIGHEST_PROTOCOL)) for key, body in bodies.items()),
                )
                connection.executemany("INSERT OR REPLACE INTO formulas VALUES (?, ?)", formulas.items())
        finally:
            connection.close()

    def wait(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None

    def close(self) -> None:
        self.wait()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
