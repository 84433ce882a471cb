"""The development server: serves output/ on 127.0.0.1, rebuilds on save, reloads the browser.

Pages are served with a small script added (never written to output/) that listens on
`/__livereload` (server-sent events). Each message carries the current build's id and its errors:
the page shows the errors over itself, and reloads when the id changes. A failed build keeps the
server running, serving the last site it wrote. A change under plugins/ unloads the project's
plugin modules (and their signal receivers), so the next build imports the new code.

A change to the theme's stylesheets alone is copied to output/ at once and pushed to open pages,
which swap the stylesheet in place (no reload, the reader keeps their scroll position); the pages
are then rebuilt in the background (stylesheets may be inlined in them) without reloading.
"""

import functools
import json
import os
import shutil
import sys
import threading
import traceback
import uuid
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from site_tools.build import build
from site_tools.search_index import BackgroundIndexer

EVENTS_PATH = "/__livereload"
_CLIENT_SCRIPT = """<script>(() => {
  const source = new EventSource("%s");
  let seen = null, stylesSeen = null;
  const swapStyles = (files, version) => {
    const fresh = (file) => file + "?v=" + version;
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const path = new URL(link.href, location.href).pathname;
      if (files.includes(path)) link.href = fresh(path);
    }
    for (const style of document.querySelectorAll("style[data-styles]")) {
      const file = files.find((f) => f.endsWith("/" + style.dataset.styles + ".css"));
      if (!file) continue;
      const link = Object.assign(document.createElement("link"), {rel: "stylesheet", href: fresh(file)});
      link.dataset.styles = style.dataset.styles;
      style.replaceWith(link);
    }
  };
  source.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (stylesSeen !== null && state.styles.version !== stylesSeen) swapStyles(state.styles.files, state.styles.version);
    stylesSeen = state.styles.version;
    if (seen !== null && state.build !== seen && state.reload) { location.reload(); return; }
    seen = state.build;
    let box = document.getElementById("livereload-errors");
    if (!state.errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "livereload-errors";
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;margin:0;" +
        "padding:1em;background:#3b0d0d;color:#ffe4e4;font:14px/1.4 monospace;z-index:99999;white-space:pre-wrap";
      document.body.append(box);
    }
    box.textContent = "Build failed: " + state.errors.length + " error(s)\\n\\n" + state.errors.join("\\n");
  };
})();</script>""" % EVENTS_PATH


class _BuildState:
    """The latest build's id and errors, and a way to wait for the next one."""

    def __init__(self):
        self._changed = threading.Condition()
        self._token = uuid.uuid4().hex[:8]  # differs after a restart, so pages reload then too
        self.number = 0
        self.errors: list[str] = []
        self.reload = True  # False after a build that only followed stylesheets pages already swapped
        self.styles = {"version": 0, "files": []}  # URL paths of the stylesheets changed last
        self.after_good_build = lambda: None  # e.g. index the site for search, in the background

    @property
    def build_id(self) -> str:
        return f"{self._token}-{self.number}"

    def finished(self, errors: list[str], reload: bool = True) -> None:
        with self._changed:
            self.number += 1
            self.errors = errors
            self.reload = reload
            self._changed.notify_all()
        if not errors:
            self.after_good_build()

    def styles_changed(self, files: list[str]) -> None:
        with self._changed:
            self.styles = {"version": self.styles["version"] + 1, "files": files}
            self._changed.notify_all()

    @property
    def event_id(self) -> str:
        return f"{self.build_id}-{self.styles['version']}"

    def message(self) -> bytes:
        state = {"build": self.build_id, "errors": self.errors, "reload": self.reload, "styles": self.styles}
        return f"data: {json.dumps(state)}\n\n".encode()

    def wait_for_change(self, seen: str, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.event_id != seen, timeout)


class _Handler(SimpleHTTPRequestHandler):
    state: _BuildState | None = None  # set on the class made for a reloading server

    def log_message(self, format, *args):  # one line per request is noise while writing
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        if self.state is not None and self.path == EVENTS_PATH:
            return self._events()
        target = Path(self.translate_path(self.path))
        if target.is_dir() and not self.path.split("?")[0].endswith("/"):
            return super().do_GET()  # redirects /dir to /dir/
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            return self._send_html(self._not_found_page(), HTTPStatus.NOT_FOUND)
        if target.suffix == ".html":
            return self._send_html(target.read_bytes(), HTTPStatus.OK)
        return super().do_GET()

    def _not_found_page(self) -> bytes:
        page = Path(self.directory) / "404.html"
        return page.read_bytes() if page.exists() else b"<!doctype html><title>Not found</title>Not found"

    def _send_html(self, body: bytes, status: HTTPStatus):
        if self.state is not None:
            body = body.replace(b"</body>", _CLIENT_SCRIPT.encode() + b"</body>", 1)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self):
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = None
        try:
            while True:
                if self.state.event_id != seen:
                    seen = self.state.event_id
                    self.wfile.write(self.state.message())
                else:
                    self.wfile.write(b": still here\n\n")  # notices a closed tab
                self.wfile.flush()
                self.state.wait_for_change(seen, timeout=15)
        except (BrokenPipeError, ConnectionResetError):
            return


def _server(directory: str, host: str, port: int, state: _BuildState | None) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=directory))
    server.daemon_threads = True
    return server


def serve_static(directory: str, host: str, port: int) -> None:
    """Serve `directory` as it is, until interrupted."""
    server = _server(directory, host, port, None)
    print(f"Serving {directory} at http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def _rebuild(settings_file: str, output_path: str, overrides: dict, state: _BuildState, reload: bool = True) -> None:
    try:
        result = build(settings_file, {**overrides, "OUTPUT_PATH": output_path})
        errors = result.errors
    except Exception as error:  # never let one build stop the watcher: report it like any error
        errors = [f"the build crashed: {type(error).__name__}: {error}"]
        traceback.print_exc()
        result = None
    if errors:
        print(f"Build failed with {len(errors)} error(s); still serving.", file=sys.stderr)
        for message in errors:
            print(f"  {message}", file=sys.stderr)
    else:
        print(f"Rebuilt in {result.seconds:.2f} s", file=sys.stderr)
    state.finished(errors, reload=reload)


def unload_plugins(plugin_folders: list[Path]) -> None:
    """Forget the modules loaded from `plugin_folders`, so that the next build imports the plugins'
    new code (each build disconnects the old receivers: see `disconnect_plugins`)."""
    for name, module in list(sys.modules.items()):
        source = Path(getattr(module, "__file__", None) or "/").resolve()
        if any(folder in source.parents for folder in plugin_folders):
            del sys.modules[name]


def theme_static_folders(settings_file: str, output_path: str, overrides: dict) -> list[tuple[Path, Path]]:
    """(a folder of the theme's static files, where builds copy it in output/) pairs; none when the
    settings cannot be read (the build reports why)."""
    from pelican.settings import read_settings

    try:
        settings = read_settings(settings_file, override={**overrides, "OUTPUT_PATH": output_path})
    except Exception:
        return []
    theme, copies = Path(settings["THEME"]).resolve(), Path(output_path) / settings["THEME_STATIC_DIR"]
    return [(theme / folder, copies) for folder in settings["THEME_STATIC_PATHS"]]


def copy_stylesheets(changed: set[Path], static_folders, output_path: str) -> list[str] | None:
    """Copy changed theme stylesheets to output/ and return their URL paths, when stylesheets are
    all that changed; else None (and nothing is copied)."""
    targets = {}
    for path in changed:
        folder = next(((source, copies) for source, copies in static_folders if source in path.parents), None)
        if path.suffix != ".css" or folder is None or not path.is_file():
            return None
        targets[path] = folder[1] / path.relative_to(folder[0])
    for source, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return sorted("/" + target.relative_to(output_path).as_posix() for target in targets.values())


def _watch(paths, settings_file, output_path, overrides, state, plugin_folders):
    from watchfiles import watch

    ignored = lambda change, path: "__pycache__" not in path and not path.endswith("~")  # noqa: E731
    for changes in watch(*paths, watch_filter=ignored, debounce=400, step=30):
        changed = {Path(path).resolve() for _, path in changes}
        if any(folder in path.parents for path in changed for folder in plugin_folders):
            print("Plugin code changed: loading it again.", file=sys.stderr)
            unload_plugins(plugin_folders)
        static_folders = theme_static_folders(settings_file, output_path, overrides)
        stylesheets = copy_stylesheets(changed, static_folders, output_path) if static_folders else None
        if stylesheets:
            state.styles_changed(stylesheets)
        _rebuild(settings_file, output_path, overrides, state, reload=not stylesheets)


def serve_with_reload(settings_file, output_path, watched_paths, host, port, overrides=None):
    """Build, serve, and rebuild on every change under `watched_paths`, until interrupted."""
    overrides = dict(overrides or {})
    output_path = os.path.abspath(output_path)
    state = _BuildState()
    state.after_good_build = BackgroundIndexer(output_path, lambda error: print(error, file=sys.stderr)).request
    _rebuild(settings_file, output_path, overrides, state)
    server = _server(output_path, host, port, state)
    plugin_folders = [Path(p).resolve() for p in watched_paths if Path(p).name == "plugins"]
    paths = [p for p in watched_paths if os.path.exists(p)]
    watcher = threading.Thread(
        target=_watch, args=(paths, settings_file, output_path, overrides, state, plugin_folders),
        daemon=True,
    )
    watcher.start()
    print(f"Serving at http://{host}:{port}/ and rebuilding on changes (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
