"""Serve a built site the way GitHub Pages does, for the budget checks (`invoke check`).

What matters for the measurements: text is gzip-compressed when the browser accepts it, every
response says `Cache-Control: max-age=600`, a folder URL without its slash is redirected (301),
and a missing path gets the site's 404.html with status 404. Bound to 127.0.0.1 only.

The socket is bound when the server is made, before the site is built, so that a publish build
can take the server's own address as its SITEURL (see site_tools/checks.py).
"""

import functools
import gzip
import os
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
CACHE_CONTROL = "max-age=600"
# The types GitHub Pages compresses; images and woff2 fonts are compressed already.
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
                    "application/atom+xml", "application/rss+xml", "image/svg+xml")


class PagesHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for a page and its files, as on Pages

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "application/javascript",
                      ".woff2": "font/woff2", ".webp": "image/webp", ".avif": "image/avif",
                      ".svg": "image/svg+xml", ".xml": "application/xml"}

    def log_message(self, format, *args):  # the checks print their own report
        pass

    def do_HEAD(self):
        self._respond(send_body=False)

    def do_GET(self):
        self._respond(send_body=True)

    def _respond(self, send_body: bool):
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        target = Path(self.translate_path(url_path))
        if target.is_dir() and not url_path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target.is_dir():
            target = target / "index.html"
        status = HTTPStatus.OK
        if not target.is_file():
            status, target = HTTPStatus.NOT_FOUND, Path(self.directory) / "404.html"
        body = target.read_bytes() if target.is_file() else b"Not found"
        content_type = self.guess_type(str(target))
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        gzipped = self._accepts_gzip() and content_type.startswith(COMPRESSED_TYPES)
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("Last-Modified", formatdate(os.path.getmtime(target), usegmt=True) if target.is_file()
                         else formatdate(usegmt=True))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _accepts_gzip(self) -> bool:
        accepted = self.headers.get("Accept-Encoding", "")
        return any(part.split(";")[0].strip() == "gzip" for part in accepted.split(","))


class PagesServer:
    """`with PagesServer(folder) as server:` serves `folder` at `server.url` in a thread. The
    folder may be filled after the server is made (it is read on every request)."""

    def __init__(self, directory: Path | str, port: int = 0):
        self.directory = str(directory)
        handler = functools.partial(PagesHandler, directory=self.directory)
        self._server = ThreadingHTTPServer((HOST, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_port}"

    def __enter__(self) -> "PagesServer":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
