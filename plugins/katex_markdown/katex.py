"""A client for one long-lived `node katex_server.js` process (never one process per formula).

A process that stops (killed, crashed) is started again and its batch sent once more; a second stop
raises `KatexStopped`, which the pipeline reports once for the build (no post is to blame).
"""

import atexit
import json
import os
import shutil
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

from .config import PLUGIN_DIR

SERVER = PLUGIN_DIR / "katex_server.js"
_STDERR_TAIL = 800  # characters of a stopped process's stderr worth showing


class KatexUnavailable(RuntimeError):
    """KaTeX cannot typeset: Node.js or the katex package is missing, or KaTeX keeps stopping."""


class KatexStopped(KatexUnavailable):
    pass


class _Stopped(Exception):
    """The process stopped during one exchange; the message says how."""


class KatexProcess:
    def __init__(self):
        self._process = None
        self._owner = None  # pid that started the process: a forked worker must start its own
        self._greeted = False  # its greeting read (started early, it may not be yet)
        atexit.register(self.close)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._running() else None

    def _running(self) -> bool:
        if self._owner != os.getpid():
            self._process = None  # the parent's process, in a forked worker: not this one's to close
        elif self._process is not None and self._process.poll() is not None:
            self._reap()  # it stopped between two batches: nothing was lost, only its pipes go
        return self._process is not None

    def start_early(self) -> None:
        """Start Node now and return at once: KaTeX loads while the caller does other work (the
        first exchange waits for its greeting). Any failure shows on that exchange instead."""
        if self._running():
            return
        try:
            self._spawn()
        except (KatexUnavailable, OSError):
            self._process = None

    def _spawn(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise KatexUnavailable("KaTeX needs Node.js (20 or newer) on PATH to typeset math.")
        self._process = subprocess.Popen(
            [node, str(SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._owner = os.getpid()
        self._greeted = False

    def _start(self):
        if not self._running():
            self._spawn()
        greeting = self._process.stdout.readline()
        if not greeting:
            _, stderr = self._end()
            problem = stderr.strip().splitlines()
            detail = next((line for line in problem if "Error" in line), "no output")
            raise KatexUnavailable(
                f"KaTeX did not start ({detail}); run `npm ci` in the project folder."
            )
        self._greeted = True
        return json.loads(greeting)["version"]

    def render(self, items: list[tuple[str, bool, dict]]) -> list[dict]:
        """Render (tex, display, macros) triples; each answer has "html", or "error" and "position"."""
        if not items:
            return []
        request = _request(items)
        try:
            return self._exchange(request)
        except _Stopped:
            pass  # killed or crashed: a fresh process gets the same batch, once
        try:
            return self._exchange(request)
        except _Stopped as again:
            raise KatexStopped(
                f"KaTeX stopped while typesetting {len(items)} formula(s), and again after a restart "
                f"({again}); run the build again, and if it keeps stopping, look for the cause in "
                "that output"
            ) from None

    def _exchange(self, request: str) -> list[dict]:
        if not self._running() or not self._greeted:
            self._start()
        try:
            self._process.stdin.write(request)
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
        except OSError:  # a broken pipe: it stopped before reading the request
            answer = ""
        if not answer.endswith("\n"):  # nothing, or half a line: it stopped while answering
            raise _Stopped(self._reap())
        return json.loads(answer)

    def _reap(self) -> str:
        """Wait for a stopped process; how it stopped, with the end of what it wrote to stderr."""
        status, stderr = self._end()
        tail = stderr[-_STDERR_TAIL:].strip()
        how = f"killed by {_signal_name(-status)}" if status < 0 else f"exit status {status}"
        return f"{how}; its stderr: {tail}" if tail else f"{how}; no stderr output"

    def _end(self) -> tuple[int, str]:
        """(exit status, all it wrote to stderr) of a stopping process, then gone, pipes closed."""
        process, self._process = self._process, None
        status = process.poll()
        if status is None:  # stopped answering but still there (it closed its stdout): it must go
            process.kill()
        status = process.wait() if status is None else status
        stderr = process.stderr.read()
        for stream in (process.stdin, process.stdout, process.stderr):
            try:
                stream.close()
            except OSError:  # stdin's unflushed request, to a process that cannot read it
                pass
        return status, stderr

    def close(self):
        if self._running():
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process.stdout.close()
            self._process.stderr.close()
            self._process = None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:  # a real-time signal has no name
        return f"signal {number}"


def _request(items: list[tuple[str, bool, dict]]) -> str:
    """One line of the server's protocol (see katex_server.js): each macro set sent once."""
    macro_sets: dict[str, int] = {}
    for _, _, macros in items:
        macro_sets.setdefault(json.dumps(macros, sort_keys=True), len(macro_sets))
    request = {
        "macros": [json.loads(macros) for macros in macro_sets],
        "items": [
            {"tex": tex, "display": display, "macros": macro_sets[json.dumps(macros, sort_keys=True)]}
            for tex, display, macros in items
        ],
    }
    return json.dumps(request) + "\n"


# Kept for the life of the Python process (a livereload server reuses them); a process is a
# renderer with no memory between formulas, so nothing here can go stale between builds.
_processes: list[KatexProcess] = []
_CHUNK = 400  # formulas: below this, a second KaTeX process costs more to feed than it saves


def start_early() -> None:
    """Have the first KaTeX process starting while the caller prepares what it will be given."""
    if not _processes:
        _processes.append(KatexProcess())
    _processes[0].start_early()


def render_in_parallel(items: list[tuple[str, bool, dict]], workers: int) -> list[dict]:
    """Render on up to `workers` KaTeX processes at once, in order."""
    if not items:
        return []
    count = max(1, min(workers, len(items) // _CHUNK))
    while len(_processes) < count:
        _processes.append(KatexProcess())
    size = -(-len(items) // count)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    if count == 1:
        return _processes[0].render(items)
    with ThreadPoolExecutor(count) as threads:
        # There may be more processes than chunks (from an earlier, larger batch): those idle.
        answers = threads.map(lambda pair: pair[0].render(pair[1]), zip(_processes, chunks, strict=False))
        return [answer for chunk in answers for answer in chunk]
