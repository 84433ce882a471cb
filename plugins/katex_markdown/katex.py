"""A client for one long-lived `node katex_server.js` process (never one process per formula)."""

import atexit
import json
import os
import shutil
import subprocess

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

    def render(self, items: list[tuple[str, bool]], macros: dict) -> list[dict]:
        """Render (tex, display) pairs; each answer has "html", or "error" and "position"."""
        if not items:
            return []
        if not self._running():
            self._start()
        request = {"macros": macros, "items": [{"tex": tex, "display": display} for tex, display in items]}
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


_process = KatexProcess()


def shared_process() -> KatexProcess:
    """The process this Python process renders with (each pool worker gets its own after fork)."""
    return _process
