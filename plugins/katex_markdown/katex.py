"""A client for one long-lived `node katex_server.js` process (never one process per formula)."""

import atexit
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

from .config import PLUGIN_DIR

SERVER = PLUGIN_DIR / "katex_server.js"


class KatexUnavailable(RuntimeError):
    pass


class KatexProcess:
    def __init__(self):
        self._process = None
        self._owner = None  # pid that started the process: a forked worker must start its own

    def _running(self) -> bool:
        if self._owner != os.getpid():
            self._process = None
        return self._process is not None and self._process.poll() is None

    def _start(self):
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
        greeting = self._process.stdout.readline()
        if not greeting:
            problem = self._process.stderr.read().strip().splitlines()
            self._process = None
            detail = next((line for line in problem if "Error" in line), "no output")
            raise KatexUnavailable(
                f"KaTeX did not start ({detail}); run `npm ci` in the project folder."
            )
        self._owner = os.getpid()
        atexit.register(self.close)
        return json.loads(greeting)["version"]

    def render(self, items: list[tuple[str, bool, dict]]) -> list[dict]:
        """Render (tex, display, macros) triples; each answer has "html", or "error" and "position"."""
        if not items:
            return []
        if not self._running():
            self._start()
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
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise KatexUnavailable("The KaTeX process stopped: " + self._process.stderr.read()[-500:])
        return json.loads(answer)

    def close(self):
        if self._running():
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process = None


# Kept for the life of the Python process (a livereload server reuses them); a process is a
# renderer with no memory between formulas, so nothing here can go stale between builds.
_processes: list[KatexProcess] = []
_CHUNK = 400  # formulas: below this, a second KaTeX process costs more to feed than it saves


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
        answers = threads.map(lambda pair: pair[0].render(pair[1]), zip(_processes, chunks))
        return [answer for chunk in answers for answer in chunk]
