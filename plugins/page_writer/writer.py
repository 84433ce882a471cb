"""A Pelican Writer that skips pages whose fingerprint has not changed since the last build."""

import hashlib
import json
import logging
import os
from pathlib import Path

from pelican.writers import Writer

from .fingerprint import Digester, page_fingerprint

logger = logging.getLogger(__name__)
RECORDS_FILE = "page_writer.json"
_PLUGIN_DIR = Path(__file__).resolve().parent


def _code_digest(settings) -> str:
    """Plugins can add Jinja filters and context: any change to their code re-renders every page."""
    digest = hashlib.sha256()
    for folder in settings.get("PLUGIN_PATHS", []):
        for source in sorted(Path(folder).rglob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()


class _ChangedBytesFile:
    """Collects what Pelican writes and touches the file only if the bytes differ."""

    def __init__(self, path):
        self.path, self.parts = path, []

    def write(self, text):
        self.parts.append(text.encode("utf-8") if isinstance(text, str) else text)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            data = b"".join(self.parts)
            if not (os.path.exists(self.path) and Path(self.path).read_bytes() == data):
                Path(self.path).write_bytes(data)
        return False


class PageWriter(Writer):
    """Pelican's Writer, plus: a page is rendered only when what it shows changed."""

    instances = []  # the writer of the build in progress, for `save_records`

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self._records_path = os.path.join(self.settings["CACHE_PATH"], RECORDS_FILE)
        self._previous = self._load_records()
        self._records = {}
        self._digester = Digester()
        self._extra = _code_digest(self.settings)
        self._files_of_call: list[str] = []
        self.rendered = self.skipped = 0
        PageWriter.instances.append(self)

    def _load_records(self) -> dict:
        try:
            with open(self._records_path, encoding="utf-8") as records:
                saved = json.load(records)
        except (OSError, ValueError):
            return {}
        same_output = saved.get("output") == os.path.abspath(self.output_path)
        return saved.get("pages", {}) if same_output else {}

    def _open_w(self, filename, encoding, override=False):
        opened = super()._open_w(filename, encoding, override)
        self._files_of_call.append(filename)
        if opened.name == os.devnull:
            return opened
        opened.close()  # Pelican opened it for writing; only changed bytes are written below
        return _ChangedBytesFile(filename)

    def write_file(self, name, template, context, *args, **kwargs):
        if not name:
            return super().write_file(name, template, context, *args, **kwargs)
        values = {**context, **kwargs}
        key = f"{name}\0{template.name}"
        fingerprint = page_fingerprint(template.environment, template.name, values, self._digester, self._extra)
        previous = self._previous.get(key)
        if fingerprint and previous and previous["fingerprint"] == fingerprint and all(
            os.path.exists(path) for path in previous["files"]
        ):
            self._written_files.update(previous["files"])
            self._records[key] = previous
            self.skipped += 1
            return None
        self._files_of_call = []
        result = super().write_file(name, template, context, *args, **kwargs)
        if fingerprint:
            self._records[key] = {"fingerprint": fingerprint, "files": self._files_of_call}
        self.rendered += 1
        return result

    def save(self) -> None:
        self._remove_orphans()
        os.makedirs(os.path.dirname(self._records_path) or ".", exist_ok=True)
        with open(self._records_path, "w", encoding="utf-8") as records:
            json.dump({"output": os.path.abspath(self.output_path), "pages": self._records}, records)
        logger.info("page_writer: %d page(s) rendered, %d unchanged", self.rendered, self.skipped)

    def _remove_orphans(self) -> None:
        """Pages of content that is gone (a deleted post, a tag no post has any more)."""
        current = {path for record in self._records.values() for path in record["files"]}
        current |= self._written_files
        for record in self._previous.values():
            for path in record["files"]:
                if path not in current and os.path.exists(path):
                    os.remove(path)


def provide_writer(pelican):
    return PageWriter


def save_records(pelican) -> None:
    while PageWriter.instances:
        PageWriter.instances.pop().save()
