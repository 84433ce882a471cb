"""responsive_images: content images as AVIF/WebP variants with srcset, sizes, width and height,
cached between builds; bad images named by post and image. Images are made here with Pillow."""

import os
from pathlib import Path

import pytest
from PIL import Image, features

from helpers import build_published, build_site

POST = """Title: Pictures
Date: 2026-01-01

A few words first.

![A gradient from black to white]({{static}}/images/photo.jpg)

{filler}

![A small square]({{static}}/images/small.png)

<img src="{{static}}/images/diagram.svg">
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 500 230"><rect width="500" height="230"/></svg>'
FORMATS = ["avif", "webp"] if features.check("avif") else ["webp"]


def make_content(folder: Path, post: str = POST, words: int = 120) -> Path:
    content = folder / "content"
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    Image.linear_gradient("L").resize((1600, 900)).convert("RGB").save(content / "images" / "photo.jpg", quality=90)
    Image.new("RGB", (300, 300), "teal").save(content / "images" / "small.png")
    (content / "images" / "diagram.svg").write_text(SVG)
    (content / "posts" / "pictures.md").write_text(post.format(filler="word " * words))
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    site = build_site(make_content(folder), folder)
    assert site.result.errors == []
    return site


def pictures(site):
    return site.page("posts/pictures/").cssselect(".post-content picture")


# --- Variants, srcset and sizes ------------------------------------------------------------

def test_each_width_in_each_format_narrower_than_the_original(built):
    images = built.output / "images"
    for name in FORMATS:
        assert sorted(p.name for p in images.glob(f"photo-*.{name}")) == [
            f"photo-1200w.{name}", f"photo-480w.{name}", f"photo-800w.{name}"]
        with Image.open(images / f"photo-800w.{name}") as variant:
            assert variant.size == (800, 450)
    # An original narrower than the widest width: its own width, never wider.
    assert sorted(p.name for p in images.glob("small-*.webp")) == ["small-300w.webp"]


def test_originals_are_kept(built):
    assert (built.output / "images" / "photo.jpg").stat().st_size > 0
    img = pictures(built)[0].cssselect("img")[0]
    assert img.get("src").endswith("images/photo.jpg")


def test_picture_has_a_source_per_format_with_srcset_and_sizes(built):
    photo = pictures(built)[0]
    sources = photo.cssselect("source")
    assert [s.get("type") for s in sources] == [f"image/{name}" for name in FORMATS]
    webp = sources[-1]
    assert webp.get("srcset") == "/images/photo-480w.webp 480w, /images/photo-800w.webp 800w, /images/photo-1200w.webp 1200w"
    assert webp.get("sizes") == "(min-width: 44rem) 40rem, calc(100vw - 2.5rem)"


def test_width_and_height_so_nothing_shifts(built):
    photo, small = (p.cssselect("img")[0] for p in pictures(built))
    assert (photo.get("width"), photo.get("height")) == ("1600", "900")
    assert (small.get("width"), small.get("height")) == ("300", "300")
    [svg] = built.page("posts/pictures/").cssselect("img[src$='diagram.svg']")
    assert (svg.get("width"), svg.get("height")) == ("500", "230")  # from its viewBox


def test_lazy_below_the_first_screen_only(built):
    photo, small = (p.cssselect("img")[0] for p in pictures(built))
    assert photo.get("loading") is None  # a few words before it: on the first screen
    assert small.get("loading") == "lazy"
    assert photo.get("decoding") == small.get("decoding") == "async"


def test_publish_build_gives_variants_the_absolute_address(tmp_path):
    site = build_published(make_content(tmp_path), tmp_path, "https://blog.example.test/notes")
    assert site.result.errors == []
    srcset = site.page("posts/pictures/").cssselect("source[type='image/webp']")[0].get("srcset")
    assert srcset.startswith("https://blog.example.test/notes/images/photo-480w.webp 480w")


# --- Cache ------------------------------------------------------------------------------------------

def test_a_rebuild_reuses_the_cached_variants(tmp_path):
    content = make_content(tmp_path)
    build_site(content, tmp_path)
    cached = sorted((tmp_path / "cache" / "responsive_images").iterdir())
    stamps = {path: path.stat().st_mtime_ns for path in cached}
    output_stamp = (tmp_path / "output" / "images" / "photo-800w.webp").stat().st_mtime_ns
    again = build_site(content, tmp_path)
    assert again.result.errors == []
    assert sorted((tmp_path / "cache" / "responsive_images").iterdir()) == cached
    assert {path: path.stat().st_mtime_ns for path in cached} == stamps  # nothing encoded again
    assert (tmp_path / "output" / "images" / "photo-800w.webp").stat().st_mtime_ns == output_stamp


def test_variants_of_a_removed_image_are_removed(tmp_path):
    content = make_content(tmp_path)
    build_site(content, tmp_path)
    assert (tmp_path / "output" / "images" / "small-300w.webp").exists()
    post = content / "posts" / "pictures.md"
    post.write_text(post.read_text().replace("![A small square]({static}/images/small.png)", ""))
    (content / "images" / "small.png").unlink()
    assert build_site(content, tmp_path).result.errors == []
    assert not list((tmp_path / "output" / "images").glob("small-*"))
    assert (tmp_path / "output" / "images" / "photo-800w.webp").exists()


# --- Bad input, by the message the writer sees ------------------------------------------------

def test_unreadable_image_names_post_and_image(tmp_path):
    content = make_content(tmp_path)
    (content / "images" / "photo.jpg").write_bytes(b"this is not a JPEG")
    errors = build_site(content, tmp_path).result.errors
    source = os.path.relpath(content / "posts" / "pictures.md")
    assert errors == [f"{source}:6: image {{static}}/images/photo.jpg cannot be read as an image "
                      f"(cannot identify image file '{content / 'images' / 'photo.jpg'}'); save it again as JPEG, PNG or WebP"]


def test_image_over_the_budget_fails_the_build(tmp_path):
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[images]\nmax_source_kb = 20\n")
    content = make_content(tmp_path)
    (content / "images" / "photo.jpg").write_bytes(os.urandom(30_000))
    errors = build_site(content, tmp_path, RESPONSIVE_IMAGES={"budgets_file": str(budgets)}).result.errors
    source = os.path.relpath(content / "posts" / "pictures.md")
    assert errors == [f"{source}:6: image {{static}}/images/photo.jpg is 30 KB, over the 20 KB of budgets.toml "
                      "([images] max_source_kb); resize or compress it before adding it"]


def test_image_without_alt_is_one_warning(tmp_path):
    result = build_site(make_content(tmp_path), tmp_path).result
    source = os.path.relpath(tmp_path / "content" / "posts" / "pictures.md")
    about_it = [warning for warning in result.warnings if "diagram.svg" in warning]
    assert len(about_it) == 1  # paper_elements names it; this plugin does not say it again
    assert about_it[0].startswith(f"{source}:12: image {{static}}/images/diagram.svg has no alt text")
    assert result.errors == []


@pytest.mark.parametrize("options, message", [
    ({"widht": [400]}, "RESPONSIVE_IMAGES has unknown key(s) widht"),
    ({"formats": ["jpeg"]}, "RESPONSIVE_IMAGES formats: ['jpeg']; known: avif, webp"),
])
def test_bad_settings_are_named(tmp_path, options, message):
    errors = build_site(make_content(tmp_path), tmp_path, RESPONSIVE_IMAGES=options).result.errors
    assert any(message in error for error in errors), errors


def test_unknown_key_in_the_images_budget_is_named(tmp_path):
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[images]\nmax_sorce_kb = 20\n")
    errors = build_site(make_content(tmp_path), tmp_path, RESPONSIVE_IMAGES={"budgets_file": str(budgets)}).result.errors
    assert errors == [f"{budgets}: [images] unknown key(s) max_sorce_kb; known: max_source_kb"]
