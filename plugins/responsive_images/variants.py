"""Smaller copies of one image in each width and format, made once: cached by the image's bytes
and the settings that shape them, so a rebuild reads a small manifest instead of re-encoding."""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass

import PIL
from PIL import Image, ImageOps, UnidentifiedImageError

from .config import Config

SAVE_FORMAT = {"webp": "WEBP", "avif": "AVIF"}


class ImageError(ValueError):
    """The image cannot be read; the message says why."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    format: str  # "avif" or "webp"
    cache_file: str


@dataclass(frozen=True)
class Variants:
    width: int  # the original's, after its EXIF orientation
    height: int
    variants: tuple[Variant, ...]
    encoded: int  # how many of them this call encoded (0: all came from the cache)


def variant_widths(original_width: int, widths: tuple[int, ...]) -> list[int]:
    """The configured widths narrower than the original, and the original's own width when it is
    narrower than the widest configured one (no variant is ever wider than its original)."""
    chosen = [width for width in widths if width < original_width]
    if original_width <= widths[-1]:
        chosen.append(original_width)
    return chosen


def cache_key(data: bytes, config: Config) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"\0{config.fingerprint}\0{PIL.__version__}".encode())
    return digest.hexdigest()[:32]


def make_variants(path: str, config: Config, cache_dir: str) -> Variants:
    with open(path, "rb") as source:
        data = source.read()
    key = cache_key(data, config)
    manifest = os.path.join(cache_dir, f"{key}.json")
    cached = _from_manifest(manifest)
    if cached is not None:
        return cached
    image = _open(path)
    made = []
    for width in variant_widths(image.width, config.widths):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for name in config.formats:
            target = os.path.join(cache_dir, f"{key}-{width}.{name}")
            _save(resized, target, name, config.quality[name])
            made.append(Variant(width, height, name, target))
    _write_json(manifest, {"width": image.width, "height": image.height,
                           "variants": [[v.width, v.height, v.format, os.path.basename(v.cache_file)] for v in made]})
    return Variants(image.width, image.height, tuple(made), encoded=len(made))


def _open(path: str) -> Image.Image:
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"cannot be read as an image ({error})") from None
    if image.mode not in ("RGB", "RGBA"):
        transparent = image.mode in ("LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    return image


def _save(image: Image.Image, target: str, name: str, quality: int) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), suffix=f".{name}")
    os.close(handle)
    image.save(temporary, SAVE_FORMAT[name], quality=quality)
    os.replace(temporary, target)  # a build that stops half-way never leaves half a file


def _from_manifest(manifest: str) -> Variants | None:
    try:
        with open(manifest, encoding="utf-8") as source:
            saved = json.load(source)
        folder = os.path.dirname(manifest)
        variants = tuple(Variant(w, h, f, os.path.join(folder, name)) for w, h, f, name in saved["variants"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all(os.path.exists(variant.cache_file) for variant in variants):
        return None
    return Variants(saved["width"], saved["height"], variants, encoded=0)


def _write_json(path: str, value) -> None:
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(value, out)
    os.replace(temporary, path)
