"""The persistent cache: rendered bodies by source hash, KaTeX output by formula hash (SQLite).

It is only a cache: a file that is damaged, truncated, another program's, or of another schema
version is deleted with one warning, and the build goes on as a clean build would (and saves a new
one). A cache that cannot be used for another reason (locked, unreadable, a full disk) is left
alone and goes unused for this build, with one warning too.
"""

import logging
import os
import pickle
import sqlite3
import threading
import time

logger = logging.getLogger(__name__)

# Kept in `PRAGMA user_version`. Bump it whenever the tables change or what they hold does: the
# pickled bodies' classes, or what katex_server.js answers for a formula (formulas are keyed by TeX
# and KaTeX version only). A file of another version is discarded.
SCHEMA_VERSION = 4
_TABLES = {"bodies", "body_use", "formulas", "kept"}
_SCHEMA = (  # statement by statement: executescript would commit the transaction they are made in
    "CREATE TABLE bodies (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    # The day (days since 1970) a build last used each body: a row of its own, since updating a
    # row of `bodies` would write its whole value again.
    "CREATE TABLE body_use (key TEXT PRIMARY KEY, used INTEGER NOT NULL)",
    "CREATE TABLE formulas (key TEXT PRIMARY KEY, html TEXT NOT NULL)",
    # Content objects as read (kept_content.py), by source path, under the signature of what shaped them.
    "CREATE TABLE kept (path TEXT PRIMARY KEY, signature TEXT NOT NULL, value BLOB NOT NULL)",
)
_BATCH = 500  # SQLite's limit on host parameters is far above this
# SQLite's errors that leave the file as it is: it is fine, or not ours to delete.
_NOT_DAMAGE = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM",
               "SQLITE_FULL", "SQLITE_NOMEM", "SQLITE_INTERRUPT"}


class _Unusable(Exception):
    """The file is not a cache this code wrote; the message says why."""


class Store:
    """A cache that holds nothing when `path` is None, so callers never branch on caching."""

    def __init__(self, path: str | None):
        self.path = path
        self._connection = None
        self._writer: threading.Thread | None = None
        self._write_error: sqlite3.Error | None = None
        self._reported = False  # a problem with the file was reported: one warning a build

    def _connect(self):
        """The build process's connection, opened and checked on first use (None: no cache)."""
        if self._connection is None and self.path and not self._reported:
            try:
                self._connection = self._open()
            except (sqlite3.Error, _Unusable, OSError) as problem:
                self._give_up(problem)
        return self._connection

    def _open(self) -> sqlite3.Connection:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        # Autocommit: the check and the creation of the tables are one explicit transaction.
        connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("BEGIN IMMEDIATE")  # two builds starting at once: one makes the tables
            _check_or_create(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.close()
            raise
        return connection

    def _give_up(self, problem: Exception) -> None:
        """Delete a damaged or foreign file and start a new one; leave any other file alone."""
        if self._writer is not None:  # it writes to the file: let it finish, whatever it says
            self._writer.join()
            self._writer, self._write_error = None, None
        self._close_connection()
        if self._reported:  # the new file fails too: no cache for the rest of this build
            return
        self._reported = True
        where = os.path.relpath(self.path)
        damaged = isinstance(problem, _Unusable) or (
            isinstance(problem, sqlite3.Error) and getattr(problem, "sqlite_errorname", "") not in _NOT_DAMAGE
        )
        if not damaged:
            logger.warning("%s: cannot use this cache (%s); this build goes without it", where, problem)
            return
        logger.warning(
            "%s: not a usable cache (%s); deleted it: this build renders everything anew and saves a "
            "new one", where, problem,
        )
        try:
            for leftover in (self.path + suffix for suffix in ("", "-wal", "-shm", "-journal")):
                if os.path.lexists(leftover):
                    os.remove(leftover)
            self._connection = self._open()
        except (sqlite3.Error, _Unusable, OSError):
            self._connection = None  # could not even start a new one: no cache this build

    def _guarded(self, work, default):
        """`work(connection)`, or `default` if the file turns out to be unusable."""
        connection = self._connect()
        if connection is None:
            return default
        try:
            return work(connection)
        except (sqlite3.Error, _Unusable) as problem:
            self._give_up(problem)
            return default

    def _get_many(self, table: str, column: str, keys: list[str]) -> dict:
        if not self.path or not keys:
            return {}

        def fetch(connection):
            found = {}
            for start in range(0, len(keys), _BATCH):
                chunk = keys[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, {column} FROM {table} WHERE key IN ({marks})", chunk)
                found.update(rows)
            return found

        return self._guarded(fetch, {})

    def get_bodies(self, keys: list[str]) -> dict:
        stored = self._get_many("bodies", "value", keys)
        try:
            return {key: pickle.loads(value) for key, value in stored.items()}
        except Exception as error:  # a pickle of classes that are gone, or damaged bytes
            self._give_up(_Unusable(f"a stored body does not load: {type(error).__name__}: {error}"))
            return {}

    def stored_body_keys(self, keys: list[str]) -> set[str]:
        """Those of `keys` whose bodies are in the cache."""
        return set(self._get_many("bodies", "key", keys))

    def get_formulas(self, keys: list[str]) -> dict[str, str]:
        return self._get_many("formulas", "html", keys)

    def get_kept(self, signature: str) -> dict[str, bytes]:
        """The kept content objects (pickled) made under `signature`, by source path."""
        if not self.path:
            return {}
        return self._guarded(
            lambda connection: dict(connection.execute("SELECT path, value FROM kept WHERE signature = ?", (signature,))),
            {},
        )

    def put(self, bodies: dict, formulas: dict[str, str], kept: dict[str, tuple[str, bytes]] | None = None) -> None:
        """Store in the background (a connection of its own): the build goes on meanwhile."""
        if bodies or formulas or kept:
            self._in_background(_save, bodies, formulas, kept or {})

    def record_use(self, keys, unused_days: int) -> None:
        """The bodies under `keys` were used today; delete those no build has used for more than
        `unused_days` days (each saved edit adds a body: without this the file only grows). In the
        background, like `put`."""
        self._in_background(_forget_unused, sorted(keys), unused_days)

    def _in_background(self, work, *args) -> None:
        if not self.path:
            return
        self.wait()
        if self._connect() is None:  # the tables must exist before the writer's own connection uses them
            return
        self._writer = threading.Thread(target=self._in_writer, args=(work, *args))
        self._writer.start()

    def _in_writer(self, work, *args) -> None:
        """`work(connection, *args)` in one transaction on a connection of its own (the writer
        thread's); an error is kept for `wait` to report in the build's thread."""
        try:
            connection = sqlite3.connect(self.path, timeout=60)
            try:
                with connection:
                    work(connection, *args)
            finally:
                connection.close()
        except sqlite3.Error as error:  # reported by `wait`, in the build's thread
            self._write_error = error

    def wait(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self._write_error is not None:
            problem, self._write_error = self._write_error, None
            self._give_up(problem)

    def _close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self.wait()
        self._close_connection()


def _save(connection: sqlite3.Connection, bodies: dict, formulas: dict[str, str],
          kept: dict[str, tuple[str, bytes]]) -> None:
    connection.executemany(
        "INSERT OR REPLACE INTO bodies VALUES (?, ?)",
        ((key, pickle.dumps(body, pickle.HIGHEST_PROTOCOL)) for key, body in bodies.items()),
    )
    connection.executemany("INSERT OR REPLACE INTO body_use VALUES (?, ?)", ((key, _today()) for key in bodies))
    connection.executemany("INSERT OR REPLACE INTO formulas VALUES (?, ?)", formulas.items())
    connection.executemany(
        "INSERT OR REPLACE INTO kept VALUES (?, ?, ?)",
        ((path, signature, value) for path, (signature, value) in kept.items()),
    )


def _today() -> int:
    return int(time.time() // 86400)


def _forget_unused(connection: sqlite3.Connection, keys: list[str], unused_days: int) -> None:
    today = _today()
    for start in range(0, len(keys), _BATCH):  # rows already marked today are not written again
        chunk = keys[start : start + _BATCH]
        connection.execute(f"UPDATE body_use SET used = ? WHERE used < ? AND key IN ({','.join('?' * len(chunk))})",
                           (today, today, *chunk))
    cutoff = today - unused_days
    connection.execute("DELETE FROM bodies WHERE key IN (SELECT key FROM body_use WHERE used < ?)", (cutoff,))
    connection.execute("DELETE FROM body_use WHERE used < ?", (cutoff,))


# Read-only connections for `read_body`, by process, thread and file: a forked page renderer must
# not use its parent's, SQLite refuses a connection made in another thread (the livereload server
# builds in its watcher thread after a first build in the main one), and a cache deleted and made
# again is another file (inode).
_readers: dict[tuple, sqlite3.Connection] = {}


class BodyUnreadable(RuntimeError):
    """A body cannot be read from the cache (the file is gone or cannot be opened)."""


def read_body(path: str, key: str):
    """The body stored under `key` in the cache at `path`, from any process or thread; None if it
    is not there. Raises `BodyUnreadable`, saying why, when the cache cannot be read."""
    try:
        status = os.stat(path)
        identity = (os.getpid(), threading.get_ident(), path, status.st_dev, status.st_ino)
        connection = _readers.get(identity)
        if connection is None:
            for stale in [other for other in _readers if other[:3] == identity[:3]]:  # a file replaced
                _readers.pop(stale).close()
            connection = _readers[identity] = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        row = connection.execute("SELECT value FROM bodies WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None
    except (OSError, sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        raise BodyUnreadable(f"{type(error).__name__}: {error}") from error


def _check_or_create(connection: sqlite3.Connection) -> None:
    """Make the tables in a new file; raise `_Unusable` for a file that is not this cache."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if not tables and version == 0:
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    elif tables != _TABLES:
        raise _Unusable(f"its tables are {', '.join(sorted(tables)) or 'none'}, not {', '.join(sorted(_TABLES))}")
    elif version != SCHEMA_VERSION:
        raise _Unusable(f"schema version {version}, and this version of katex_markdown uses {SCHEMA_VERSION}")
