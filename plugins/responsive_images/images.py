"""Content images, turned into variants when the build has read every source (see plugins/README.md).

Each raster <img> of a body (JPEG, PNG, WebP) becomes a <picture>: a <source> per format (AVIF,
WebP) with a srcset of widths and `sizes`, around the original <img>, which keeps its src (the
original is published as it is) and gets width, height, decoding="async" and, below the first
screen, loading="lazy". An SVG gets width and height. Variants are encoded once (variants.py)
and copied to output/ next to their original by the plugin's generator, which also removes the
variants of images that are gone.
"""

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from pelican.generators import Generator

from . import markup
from .config import ConfigError, read_config
from .variants import ImageError, make_variants

logger = logging.getLogger(__name__)

RASTER = (".jpg", ".jpeg", ".png", ".webp")
MIME = {"avif": "image/avif", "webp": "image/webp"}
CACHE_FOLDER = "responsive_images"
RECORDS_FILE = "responsive_images.json"
_LINK_RE = re.compile(r"^\{(static|attach|filename)\}(.*)$")
_CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                  "drafts_translations", "pages", "hidden_pages", "draft_pages")


@dataclass
class Plan:
    """What the build's bodies need in output/: {output path: cached variant file}."""

    files: dict[str, str] = field(default_factory=dict)
    encoded: int = 0


class ResponsiveImagesGenerator(Generator):
    """Copies the planned variants to output/ (only if their bytes changed) and removes the ones
    the last build into this output made that this one did not (an image taken out)."""

    plan: Plan | None = None  # set at all_generators_finalized

    def generate_output(self, writer) -> None:
        plan = self.plan or Plan()
        for target, cached in plan.files.items():
            _copy_if_changed(cached, target)
        _remove_stale(self.settings, self.output_path, set(plan.files))
        if plan.files:
            logger.info("responsive_images: %d variant(s), %d encoded in this build", len(plan.files), plan.encoded)


def provide_generator(pelican):
    return ResponsiveImagesGenerator


def rewrite_images(generators) -> None:
    """Every body's images, once every source is read and every static file is known."""
    ours = next((g for g in generators if isinstance(g, ResponsiveImagesGenerator)), None)
    settings = generators[0].settings
    try:
        config = read_config(settings)
    except ConfigError as error:
        logger.error("%s", error)
        return
    plan = Plan()
    context = generators[0].context
    cache_dir = os.path.join(settings["CACHE_PATH"], CACHE_FOLDER)
    rewriter = _Rewriter(config, settings, context, cache_dir, plan)
    seen = set()
    for generator in generators:
        for name in _CONTENT_LISTS:
            for content in getattr(generator, name, []) or []:
                if id(content) in seen or not getattr(content, "_content", None):
                    continue
                seen.add(id(content))
                content._content = rewriter.body(content, content._content)
                if "<img" in (getattr(content, "_summary", None) or ""):
                    content._summary = rewriter.body(content, content._summary, report=False)
    if ours is not None:
        ours.plan = plan


@dataclass
class _Rewriter:
    config: object
    settings: dict
    context: dict
    cache_dir: str
    plan: Plan

    def body(self, content, body: str, report: bool = True) -> str:
        pictures = markup.in_pictures(body)
        pieces, last = [], 0
        for match in markup.IMG_RE.finditer(body):
            if any(start <= match.start() < end for start, end in pictures):
                continue
            eager = markup.words_before(body, match.start()) < self.config.eager_words
            pieces += [body[last:match.start()], self.image(content, match.group(), eager, report)]
            last = match.end()
        return "".join(pieces) + body[last:] if pieces else body

    def image(self, content, tag: str, eager: bool, report: bool) -> str:
        img = markup.attributes(tag)
        src = img.get("src") or ""
        if "srcset" in img or not src or urlsplit(src).scheme in ("http", "https", "data"):
            return tag
        path, static = self.resolve(content, src)
        if path is None or not os.path.isfile(path):
            return tag  # content_checks reports a missing image
        img.setdefault("decoding", "async")
        if not eager:
            img.setdefault("loading", "lazy")
        if path.lower().endswith(".svg"):
            return self.svg(img, path)
        if not path.lower().endswith(RASTER):
            return markup.img_tag(img)
        size = os.path.getsize(path)
        limit = self.config.max_source_bytes
        if limit is not None and size > limit:
            if report:
                self.message(content, src, logging.ERROR, f"is {size / 1000:,.0f} KB, over the {limit / 1000:,.0f} KB "
                             "of budgets.toml ([images] max_source_kb); resize or compress it before adding it")
            return tag
        try:
            made = make_variants(path, self.config, self.cache_dir)
        except ImageError as error:
            if report:
                self.message(content, src, logging.ERROR, f"{error}; save it again as JPEG, PNG or WebP")
            return tag
        self.plan.encoded += made.encoded
        img.setdefault("width", str(made.width))
        img.setdefault("height", str(made.height))
        if static is None:  # not a file the site publishes: no place for its variants
            return markup.img_tag(img)
        return markup.picture(img, self.sources(made, static), self.config.sizes)

    def sources(self, made, static) -> list[tuple[str, str]]:
        folder_url, folder_out = os.path.dirname(static.url), os.path.dirname(static.save_as)
        stem = os.path.splitext(os.path.basename(static.save_as))[0]
        base = self.base_url()
        sources = []
        for name in self.config.formats:
            entries = []
            for variant in (v for v in made.variants if v.format == name):
                file_name = f"{stem}-{variant.width}w.{name}"
                target = os.path.join(self.settings["OUTPUT_PATH"], folder_out, file_name)
                self.plan.files[os.path.normpath(target)] = variant.cache_file
                entries.append(f"{base}{'/'.join(filter(None, [folder_url, file_name]))} {variant.width}w")
            sources.append((MIME[name], ", ".join(entries)))
        return sources

    def base_url(self) -> str:
        """srcset has several addresses, which Pelican's {static} replacement does not reach: the
        site's absolute address in a publish build, the site root in a dev build (served at /)."""
        siteurl = self.settings.get("SITEURL", "")
        return siteurl.rstrip("/") + "/" if siteurl.startswith(("http://", "https://")) else "/"

    def svg(self, img: dict, path: str) -> str:
        if "width" not in img and "height" not in img:
            with open(path, encoding="utf-8", errors="replace") as source:
                size = markup.svg_size(source.read(4096))
            if size:
                img["width"], img["height"] = str(size[0]), str(size[1])
        return markup.img_tag(img)

    def resolve(self, content, src: str):
        """(the image's file, its Static object or None) for a {static}/{attach}/{filename} link or
        a plain path (relative to the source's folder, or to the content folder when it starts with /)."""
        link = _LINK_RE.match(src)
        written = unquote(urlsplit(link.group(2) if link else src).path)
        root = self.settings["PATH"]
        if written.startswith("/"):
            relative = written.lstrip("/")
        else:
            relative = os.path.relpath(os.path.normpath(os.path.join(os.path.dirname(content.source_path), written)), root)
        if relative.startswith(".."):
            return None, None  # outside the content folder: content_checks reports it
        static = self.context.get("static_content", {}).get(relative)
        return os.path.join(root, relative), static

    def message(self, content, src: str, level: int, text: str) -> None:
        source = os.path.relpath(content.source_path)
        logger.log(level, "%s:%d: image %s %s", source, _line_of(content.source_path, src), src, text)


def _line_of(source_path: str, written: str) -> int:
    """The first line of the source with the image's address on it (1 when it is not found)."""
    try:
        with open(source_path, encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, start=1):
                if written in line:
                    return number
    except OSError:
        pass
    return 1


def _copy_if_changed(cached: str, target: str) -> None:
    """An unchanged variant keeps its file and timestamp (livereload and rsync see no change)."""
    if os.path.exists(target) and os.path.getsize(target) == os.path.getsize(cached):
        with open(target, "rb") as old, open(cached, "rb") as new:
            if old.read() == new.read():
                return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(cached, target)


def _remove_stale(settings: dict, output_path: str, produced: set[str]) -> None:
    records = os.path.join(settings["CACHE_PATH"], RECORDS_FILE)
    output = os.path.abspath(output_path)
    try:
        with open(records, encoding="utf-8") as source:
            saved = json.load(source)
        previous = set(saved["files"]) if saved.get("output") == output else set()
    except (OSError, ValueError, KeyError, TypeError):
        previous = set()
    for path in previous - produced:
        if os.path.isfile(path) and os.path.commonpath([os.path.abspath(path), output]) == output:
            os.remove(path)
    os.makedirs(os.path.dirname(records) or ".", exist_ok=True)
    with open(records, "w", encoding="utf-8") as out:
        json.dump({"output": output, "files": sorted(produced)}, out)
