"""content_checks: content stays inside its folders, links are checked to the fragment, and drafts
never leave the machine. Bad input is asserted by the exact messages and by what the build left."""

import os
from pathlib import Path

import feedparser
import pytest

from content_checks.links import Link, element_ids, links_in
from content_checks.places import is_inside, link_target, symlinks_leaving
from helpers import PUBLISH_SETTINGS, ROOT, build_site, text_of

BAD_INPUT = Path(__file__).parent / "bad_input"
STOPPED = "{} content problem(s), listed above; nothing was written"
DEEP = "../" * 20  # more than any path has: it ends at /
INTRASITE = "[{|](?P<what>.*?)[|}]"  # Pelican's default INTRASITE_LINK_REGEX


def relative(path: Path) -> str:
    return os.path.relpath(path)


def files_in(folder: Path) -> set[Path]:
    """Every file and symbolic link below `folder`, without following links."""
    found = set()
    for directory, folders, files in os.walk(folder):
        found.update(Path(directory) / name for name in files + folders if (Path(directory) / name).is_symlink())
        found.update(Path(directory) / name for name in files)
    return found


def build_and_watch(content: Path, tmp_path: Path, settings: str | None = None, **overrides):
    """Build `content` into tmp_path/output; return (errors, output, files written anywhere else
    under tmp_path or beside the content, the build's cache aside)."""
    watched = [tmp_path, content.parent]
    before = set().union(*(files_in(folder) for folder in watched))
    kwargs = {"settings": settings} if settings else {}
    built = build_site(content, tmp_path, **kwargs, **overrides)
    after = set().union(*(files_in(folder) for folder in watched))
    elsewhere = {path for path in after - before if not is_inside(str(path), str(tmp_path / "cache"))}
    return built.result.errors, built.output, {path for path in elsewhere if not is_inside(str(path), str(built.output))}


def assert_nothing_written(output: Path, elsewhere: set[Path]) -> None:
    assert not output.exists() or not any(output.iterdir()), sorted(output.rglob("*"))
    assert elsewhere == set()


def assert_refused(content: Path, tmp_path: Path, messages: list[str], settings: str | None = None, **overrides):
    """The build of `content` fails with exactly `messages` (then the one that stops it) and writes
    nothing: no output, no file anywhere else."""
    errors, output, elsewhere = build_and_watch(content, tmp_path, settings, **overrides)
    assert errors == [*messages, STOPPED.format(len(messages))]
    assert_nothing_written(output, elsewhere)


# --- Links that leave the content folder ------------------------------------------------------------


def test_attach_links_out_of_the_content_folder_fail_before_anything_is_written(tmp_path):
    content = BAD_INPUT / "attach_outside"
    source, root = relative(content / "posts" / "leak.md"), relative(content)
    assert_refused(content, tmp_path, [
        f"{source}:6: {{attach}}/../../../etc/hosts points outside {root}/ (to {ROOT / 'etc' / 'hosts'}); "
        f"link only to files under {root}/",
        f"{source}:10: {{attach}}/{DEEP}etc/hosts points outside {root}/ (to /etc/hosts); "
        f"link only to files under {root}/",
    ])


def test_static_links_out_of_the_content_folder_fail_before_anything_is_written(tmp_path):
    content = BAD_INPUT / "static_outside"
    source, root = relative(content / "posts" / "climb.md"), relative(content)
    assert_refused(content, tmp_path, [
        f"{source}:6: {{static}}../.. points outside {root}/ (to {BAD_INPUT}); link only to files under {root}/",
        f"{source}:8: {{static}}{DEEP}etc/hostname points outside {root}/ (to /etc/hostname); "
        f"link only to files under {root}/",
    ])


def test_filename_link_out_of_the_content_folder_fails(tmp_path):
    content = BAD_INPUT / "filename_outside"
    root = relative(content)
    assert_refused(content, tmp_path, [
        f"{relative(content / 'posts' / 'elsewhere.md')}:4: {{filename}}../../broken_link/posts/linking.md "
        f"points outside {root}/ (to {BAD_INPUT / 'broken_link' / 'posts' / 'linking.md'}); "
        f"link only to files under {root}/",
    ])


def test_links_to_a_folder_or_to_a_file_that_is_no_page_fail(tmp_path):
    content = BAD_INPUT / "links_to_non_pages"
    source = relative(content / "posts" / "odd-links.md")
    assert_refused(content, tmp_path, [
        f"{source}:4: {{static}}/images is a folder; link to a file in it",
        f"{source}:6: {{filename}}/notes/todo.txt: {relative(content / 'notes' / 'todo.txt')} "
        "is not a post, page or static file of this site",
    ])


# --- Symbolic links (made at run time: none is committed) ----------------------------------------


def small_site(tmp_path: Path) -> Path:
    """tmp_path/content with one post and an empty images/ folder, and tmp_path/outside with a
    post and a file that must never be published."""
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "hello.md").write_text("Title: Hello\nDate: 2026-01-01\n\nHello.\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the site")
    (outside / "stray.md").write_text("Title: Stray\nDate: 2026-01-01\n\nFrom outside.\n")
    return content


@pytest.mark.parametrize("link, target", [
    ("images", "/etc"),  # Pelican would copy /etc into output/images/
    ("images", "outside"),
    ("images/hostname", "/etc/hostname"),
    ("posts/more", "outside"),  # a post folder: outside/stray.md would become a page
    ("posts/stray.md", "outside/stray.md"),
])
def test_symlinks_out_of_the_content_folder_fail_naming_the_link(tmp_path, link, target):
    content = small_site(tmp_path)
    where = content / link
    where.parent.mkdir(exist_ok=True)
    pointed = Path(target) if target.startswith("/") else tmp_path / target
    where.symlink_to(pointed)
    assert_refused(content, tmp_path, [
        f"{relative(where)}: a symbolic link to {pointed}, outside {content}/; the build would publish what it "
        "points to: move those files into the content folder or remove the link",
    ])


def test_a_static_link_through_a_symlink_out_of_the_content_folder_fails(tmp_path):
    content = small_site(tmp_path)
    (content / "misc").mkdir()  # not a STATIC_PATHS folder: only the link brings it in
    (content / "misc" / "hosts").symlink_to("/etc/hosts")
    (content / "posts" / "hosts.md").write_text("Title: Hosts\nDate: 2026-01-01\n\n[hosts]({static}/misc/hosts)\n")
    assert_refused(content, tmp_path, [
        f"{relative(content / 'posts' / 'hosts.md')}:4: {{static}}/misc/hosts points outside {content}/ through a "
        f"symbolic link (to /etc/hosts); link only to files under {content}/",
    ])


def test_symlinks_that_stay_inside_the_content_folder_are_fine(tmp_path):
    content = small_site(tmp_path)
    (content / "shared").mkdir()
    (content / "shared" / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (content / "images").symlink_to(content / "shared")
    errors, output, elsewhere = build_and_watch(content, tmp_path)
    assert errors == []
    assert (output / "images" / "dot.svg").read_text().startswith("<svg")
    assert elsewhere == set()


def test_a_static_folder_outside_the_content_folder_is_refused(tmp_path):
    content = small_site(tmp_path)
    assert_refused(content, tmp_path, [
        f"{relative(tmp_path / 'outside' / 'secret.txt')}: outside {content}/, yet the build would publish it; "
        "STATIC_PATHS must name folders inside PATH",
        f"{relative(tmp_path / 'outside' / 'stray.md')}: outside {content}/, yet the build would publish it; "
        "STATIC_PATHS must name folders inside PATH",
    ], STATIC_PATHS=["../outside"])


def test_a_static_file_saved_outside_the_output_folder_is_refused(tmp_path):
    content = small_site(tmp_path)
    (content / "images").mkdir()
    (content / "images" / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert_refused(content, tmp_path, [
        f"{relative(content / 'images' / 'dot.svg')}: would be written outside {tmp_path / 'output'}/ "
        f"(to {tmp_path / 'escaped.svg'})",
    ], EXTRA_PATH_METADATA={"images/dot.svg": {"save_as": "../escaped.svg"}})


# --- Links checked to the fragment, and plain image paths -------------------------------------------


def test_a_fragment_that_names_no_id_of_the_target_fails(tmp_path):
    content = BAD_INPUT / "fragment_missing"
    source, target = relative(content / "posts" / "linking.md"), relative(content / "posts" / "target.md")
    assert_refused(content, tmp_path, [  # headings, equation labels and footnotes on lines 4 and 5 are found
        f'{source}:7: {{filename}}target.md#the-prof: {target} has no heading or element with id "the-prof" '
        '(did you mean "#the-proof"?)',
        f'{source}:9: {{filename}}/posts/target.md#lemma-2: {target} has no heading or element with id "lemma-2"',
    ])


def test_plain_image_paths_that_do_not_exist_fail(tmp_path):
    content = BAD_INPUT / "image_missing"
    source = relative(content / "posts" / "pictures.md")
    assert_refused(content, tmp_path, [  # present images, https:, mailto: and data: URLs on lines 4 to 6 pass
        f"{source}:8: image ../images/missing.png: no such file "
        f"(looked for {relative(content / 'images' / 'missing.png')})",
        f"{source}:10: image /images/also-missing.svg: no such file "
        f"(looked for {relative(content / 'images' / 'also-missing.svg')})",
    ])


# --- Drafts never leave the machine ---------------------------------------------------------------


def test_publish_builds_no_draft_and_lists_none(published_site):
    assert not (published_site.output / "drafts").exists()
    for path in published_site.output.rglob("*"):
        if path.suffix in {".html", ".xml", ".txt", ".json"}:
            text = path.read_text(encoding="utf-8")
            assert "a-draft" not in text and "A draft" not in text and "Not yet." not in text, path
    feed = feedparser.parse((published_site.output / "feeds" / "all.atom.xml").read_bytes())
    assert "A draft" not in [" ".join(entry.title.split()) for entry in feed.entries]


def test_dev_drafts_are_built_noindex_and_listed_nowhere(site):
    draft = site.page("drafts/a-draft/")
    assert draft.cssselect('meta[name="robots"]')[0].get("content") == "noindex"
    assert not draft.cssselect('link[rel="canonical"]')
    post = site.page("posts/eulers-identity-carefully/")
    assert not post.cssselect('meta[name="robots"]')
    for page in ("", "page/2/", "archives/", "tags/", "tags/math/"):
        assert "A draft" not in text_of(site.page(page))


def test_publish_fails_on_a_link_to_a_draft_that_dev_builds(tmp_path):
    content = BAD_INPUT / "draft_link"
    dev_errors, dev_output, _ = build_and_watch(content, tmp_path / "dev")
    assert dev_errors == [] and (dev_output / "drafts" / "not-ready" / "index.html").exists()
    assert_refused(content, tmp_path / "publish", [
        f"{relative(content / 'posts' / 'published.md')}:4: {{filename}}draft.md links to a draft, which this "
        "build does not publish; publish it or remove the link",
    ], PUBLISH_SETTINGS)


def test_publish_leaves_out_the_files_only_drafts_attach(tmp_path):
    content = BAD_INPUT / "draft_attachment"
    dev_errors, dev_output, _ = build_and_watch(content, tmp_path / "dev")
    assert dev_errors == []
    assert (dev_output / "drafts" / "a-draft-with-a-figure" / "figure.svg").exists()
    errors, output, elsewhere = build_and_watch(content, tmp_path / "publish", PUBLISH_SETTINGS)
    assert errors == [] and elsewhere == set()
    assert (output / "posts" / "published" / "index.html").exists()
    assert not list(output.rglob("figure.svg")) and not (output / "drafts").exists()


# --- Pure logic -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, links", [
    # Pelican's markers, in any link attribute, entities and %-escapes undone
    ('<a href="{filename}/posts/a.md#the-proof">', [Link("filename", "{filename}/posts/a.md#the-proof", "/posts/a.md", "the-proof")]),
    ("<img alt=\"x\" src='{static}../images/a%20b.png'>", [Link("static", "{static}../images/a%20b.png", "../images/a b.png", "")]),
    ('<a class="x" href="|attach|f.pdf?x=1&amp;y=2">', [Link("attach", "|attach|f.pdf?x=1&y=2", "f.pdf", "")]),
    ('<video poster="{static}/v.jpg">', [Link("static", "{static}/v.jpg", "/v.jpg", "")]),
    # plain image paths are checked; external URLs, anchors and data: are not
    ('<img src="../images/a.png" alt="">', [Link("image", "../images/a.png", "../images/a.png", "")]),
    ('<img src="https://example.org/a.png"><img src="//cdn.example/a.png"><img src="data:image/gif;base64,R0">', []),
    ('<a href="https://example.org/">x</a><a href="mailto:a@b.c">m</a><a href="#top">t</a>', []),
    # plain paths in links are output URLs, not sources; other markers are not files
    ('<a href="../tags/">tags</a><a href="{tag}math">t</a><a href="{index}">i</a>', []),
    # escaped markup (a code block) is text
    ("<code>&lt;img src=&quot;missing.png&quot;&gt;</code>", []),
])
def test_links_in_a_body(body, links):
    assert list(links_in(body, INTRASITE)) == links


def test_element_ids_of_a_body():
    body = ('<h2 id="the-proof">Proof</h2><div class="math-display" id="eq-gauss"><span id="eq-two"></span></div>'
            "<sup id='fnref:1'></sup><li id=\"fn:1\"></li><p data-id=\"not-an-id\">")
    assert element_ids(body) == {"the-proof", "eq-gauss", "eq-two", "fnref:1", "fn:1"}


@pytest.mark.parametrize("link, expected", [
    ("/images/a.png", "/site/content/images/a.png"),
    ("../images/a.png", "/site/content/images/a.png"),
    ("a.png", "/site/content/posts/a.png"),
    ("/../../etc/hosts", "/etc/hosts"),
    ("../../etc", "/site/etc"),
])
def test_link_targets_resolve_as_pelican_does(link, expected):
    assert link_target(link, "/site/content/posts/p.md", "/site/content") == expected


@pytest.mark.parametrize("path, inside", [
    ("/site/content", True), ("/site/content/a/b", True), ("/site/content-2/a", False), ("/site", False),
])
def test_is_inside(path, inside):
    assert is_inside(path, "/site/content") is inside


def test_symlinks_leaving_skips_ignored_names_and_ends_loops(tmp_path):
    content = tmp_path / "content"
    (content / "images" / "deep").mkdir(parents=True)
    (content / "images" / "deep" / "loop").symlink_to(content / "images")
    (content / "images" / "deep" / "out").symlink_to(tmp_path)
    (content / "images" / ".hidden").symlink_to("/etc")
    (content / "refs").symlink_to(tmp_path)  # not a folder Pelican reads
    found = list(symlinks_leaving(str(content), ["images", "posts"], [".*"]))
    assert found == [(str(content / "images" / "deep" / "out"), str(tmp_path))]
