"""cite_bibtex: in-post citations from .bib files, References, "Cite this post" and the .bib files."""

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from cite_bibtex.citations import find_groups
from cite_bibtex.cite_post import bibtex_entry, latex_unescape
from helpers import ROOT, build_published, build_site, styles_of, text_of
from pybtex.database import parse_string
from pybtex.richtext import Text

CITATIONS_SITE = Path(__file__).parent / "citations_site"
BAD_INPUT = Path(__file__).parent / "bad_input"
NUMERIC = "posts/numeric-citations/"
AUTHOR_YEAR = "posts/author-year-citations/"
TRICKY = "posts/a-b-50-of-gpus/"


@pytest.fixture(scope="module")
def cited(tmp_path_factory):
    built = build_site(CITATIONS_SITE, tmp_path_factory.mktemp("cited"))
    assert built.result.errors == [] and built.result.warnings == []
    return built


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    built = build_published(CITATIONS_SITE, tmp_path_factory.mktemp("published"), "https://blog.example.test/notes")
    assert built.result.errors == []
    return built


def citations(page) -> list[str]:
    return [text_of(span) for span in page.cssselect(".post-content span.citation")]


def references(page) -> list[str]:
    return [text_of(item.cssselect(".references__text")[0]) for item in page.cssselect(".references__item")]


# --- The BibTeX of a post: written with pybtex, read back by pybtex ---------------------------------

@pytest.mark.parametrize("title", [
    "Attention Is All You Need",
    "A & B: 50% of {GPUs}",
    "Costs $5 #1 ~ x^2 under_score back\\slash",
    "Unbalanced } and { braces",
    "Gödel’s “theorem” – Łukasz",
])
@pytest.mark.parametrize("authors", [["Ada Lindqvist"], ["Łukasz Kaiser", "Kurt Gödel", "Jean-Paul de la Tour"]])
def test_post_entry_round_trips_through_pybtex(title, authors):
    written = bibtex_entry("hello_world", "online", tuple(authors), title, datetime(2026, 4, 15),
                           "https://example.org/posts/hello-world/")
    entry = parse_string(written, "bibtex").entries["hello_world"]
    assert entry.type == "online"
    assert latex_unescape(entry.fields["title"]) == title
    assert [str(person) for person in entry.persons["author"]] == [str(parse_string(
        f"@misc{{x, author = {{{name}}}}}", "bibtex").entries["x"].persons["author"][0]) for name in authors]
    assert [" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names)
            for p in entry.persons["author"]] == authors
    assert (entry.fields["year"], entry.fields["month"], entry.fields["day"]) == ("2026", "04", "15")
    assert entry.fields["url"] == "https://example.org/posts/hello-world/"


def test_escaped_title_reads_back_as_text_through_pybtex():
    written = bibtex_entry("k", "online", ("A B",), "A & B: 50% of x_y #1", datetime(2026, 1, 2), "https://e.org/")
    title = parse_string(written, "bibtex").entries["k"].fields["title"]
    assert str(Text.from_latex(title)) == "A & B: 50% of x_y #1"


def test_entry_keeps_the_seed_shape():
    written = bibtex_entry("hello_world", "online", ("Lucas Sun",), "Hello World", datetime(2026, 4, 15),
                           "https://xtimecrystal.com/posts/hello-world/")
    assert written == (
        "@online{hello_world,\n  author = {Lucas Sun},\n  title = {Hello World},\n  year = {2026},\n"
        "  month = {04},\n  day = {15},\n  url = {https://xtimecrystal.com/posts/hello-world/},\n}"
    )


# --- In-post citations ------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "groups"), [
    # Found, in text
    ("<p>See [@a].</p>", [[("a", "")]]),
    ("<p>[@a; @b] and [@c, p.&nbsp;5]</p>", [[("a", ""), ("b", "")], [("c", "p. 5")]]),
    ('<p>[@<span class="caps">GPT3</span>; @b]</p>', [[("GPT3", ""), ("b", "")]]),
    ("<p>[@a, pp. 3&#8211;5; @b]</p>", [[("a", "pp. 3&#8211;5"), ("b", "")]]),
    # Left as written: code, preformatted text, link texts, attributes
    ("<p><code>[@a]</code></p>", []),
    ('<div class="highlight"><pre><code>[@a]\n</code></pre></div><p>[@b]</p>', [[("b", "")]]),
    ('<p><a href="/x">[@a]</a></p>', []),
    ('<p><img alt="[@a]" src="x.png"></p>', []),
    # Malformed: found, so that the writer hears of it
    ("<p>[@a p. 5]</p>", [None]),
])
def test_finding_citations(body, groups):
    found = [None if group.cites is None else [(cite.key, cite.locator) for cite in group.cites]
             for group in find_groups(body)]
    assert found == groups


def test_numeric_citations_single_multiple_and_located(cited):
    page = cited.page(NUMERIC)
    assert citations(page) == ["[1]", "[2, 3]", "[3, p. 173]", "[1, pp. 3—5]", "[4]"]
    # The first citation links to its reference, and is described by the reference's text.
    link = page.cssselect(".post-content a.citation__link")[0]
    assert link.get("href") == "#ref-vaswani2017"
    assert page.get_element_by_id(link.get("aria-describedby")).text_content().startswith("Ashish Vaswani")


def test_code_keeps_its_brackets(cited):
    page = cited.page(NUMERIC)
    assert [text_of(code) for code in page.cssselect(".post-content p code")] == ["[@vaswani2017]"]
    assert "[@he2016] in a block" in text_of(page.cssselect(".post-content pre")[0])


def test_numeric_references_in_citation_order_with_back_links(cited):
    page = cited.page(NUMERIC)
    items = page.cssselect(".references ol > li")
    assert [item.get("id") for item in items] == ["ref-vaswani2017", "ref-he2016", "ref-goedel1931", "ref-markup2024"]
    backlinks = {item.get("id"): [a.get("href") for a in item.cssselect("a.references__backlink")] for item in items}
    assert backlinks["ref-vaswani2017"] == ["#cite-vaswani2017-1", "#cite-vaswani2017-2"]
    assert backlinks["ref-goedel1931"] == ["#cite-goedel1931-1", "#cite-goedel1931-2"]
    for anchor, hrefs in backlinks.items():  # every back-link lands on a citation of that very work
        assert [page.get_element_by_id(href[1:]).get("href") for href in hrefs] == ["#" + anchor] * len(hrefs)


def test_author_year_labels_order_and_same_year_suffixes(cited):
    page = cited.page(AUTHOR_YEAR)
    assert citations(page) == ["(Vaswani et al., 2017)", "(He et al., 2016b; He et al., 2016a)",
                               "(Gödel, 1931, p. 175)"]
    assert page.cssselect(".references ol") == []  # an author-year list is not numbered
    assert [text[:40] for text in references(page)] == [
        "Gödel, K. (1931). Über formal unentschei",
        "He, K., Zhang, X., Ren, S., & Sun, J. (2",
        "He, K., Zhang, X., Ren, S., & Sun, J. (2",
        "Vaswani, A., Shazeer, N., Parmar, N., Us",
    ]
    assert "Deep Residual" in references(page)[1] and "Identity Mappings" in references(page)[2]


def test_author_year_is_a_site_setting_too(tmp_path):
    site = build_site(CITATIONS_SITE, tmp_path, CITE_BIBTEX={"style": "author-year", "siteurl": "https://e.org"})
    assert citations(site.page(NUMERIC))[0] == "(Vaswani et al., 2017)"


def test_bib_markup_is_rendered_and_html_in_fields_is_escaped(cited):
    page = cited.page(NUMERIC)
    goedel, strange = references(page)[2], references(page)[3]
    assert "Kurt Gödel. Über formal unentscheidbare Sätze" in goedel and "38:173–198" in goedel
    assert "On α-stable <script>alert(1)</script> estimators — a note" in strange
    assert "<b>Bold</b> Hacker" in strange
    assert page.cssselect(".references script, .references b") == []
    assert not [a for a in page.cssselect(".references a") if a.get("href", "").startswith("javascript")]
    doi = page.cssselect("#ref-goedel1931 .references__text a")[0]
    assert doi.get("href") == "https://doi.org/10.1007/BF01700692"


def test_summary_citations_are_plain_text(cited):
    summary = next(item for item in cited.page("").cssselect(".post-list__item")
                   if "Numeric citations" in text_of(item))
    labels = summary.cssselect(".post-list__summary span.citation")
    assert [text_of(label) for label in labels][:2] == ["[1]", "[2, 3]"]
    assert summary.cssselect(".post-list__summary a.citation__link") == []
    description = cited.page(NUMERIC).cssselect('meta[name="description"]')[0].get("content")
    assert description.startswith("Attention [1] and residual networks [2, 3] came later than incompleteness [3, p.")


def test_post_local_bibliography_and_pages_and_drafts(cited):
    assert references(cited.page("posts/a-local-bibliography/"))[0].startswith("Ada Lindqvist. Notes Kept Next")
    assert citations(cited.page("about/")) == ["[1]"]
    draft = cited.page("drafts/a-draft-that-cites/")
    assert citations(draft) == ["[1]"] and draft.cssselect(".cite-post") == []


def test_citation_pages_use_the_base_layout_and_the_plugin_assets(cited):
    page = cited.page(NUMERIC)
    assert page.cssselect("a.skip-link") and page.cssselect("header")
    sources = [script.get("src") for script in page.cssselect("script[src]")]
    assert any(src.endswith("/js/citations.js") for src in sources)
    assert "citations" in styles_of(page)
    no_refs = cited.page(TRICKY)
    assert not any(s.get("src").endswith("citations.js") for s in no_refs.cssselect("script[src]"))


# --- Cite this post, its .bib files and the head tags ---------------------------------------------------

def test_cite_block_text_bibtex_and_links(cited):
    block = cited.page(TRICKY).cssselect("section.cite-post")[0]
    assert text_of(block.cssselect("h2")[0]) == "Cite this post"
    assert text_of(block.cssselect(".cite-post__text")[0]) == (
        "Łukasz Gödel. (2026). A & B: 50% of {GPUs}. Proofs & Gradients. https://example.github.io/posts/a-b-50-of-gpus/")
    bibtex = block.cssselect("pre code")[0].text_content()
    [pre] = block.cssselect("pre")  # it may scroll sideways: reached with Tab, and named
    assert (pre.get("tabindex"), pre.get("role"), pre.get("aria-label")) == ("0", "group", "Code: BibTeX")
    assert bibtex.rstrip("\n") == (cited.output / TRICKY / "cite.bib").read_text(encoding="utf-8").rstrip("\n")
    assert bibtex.startswith("@online{tricky_title,\n  author = {Łukasz Gödel},\n  title = {A \\& B: 50\\% of \\{GPUs\\}},")
    downloads = [a.get("href") for a in block.cssselect(".cite-post__downloads a")]
    assert downloads == ["../../posts/a-b-50-of-gpus/cite.bib", "../../bibliography.bib"]


def test_post_bib_file_round_trips(cited):
    entry = parse_string((cited.output / TRICKY / "cite.bib").read_text(encoding="utf-8"), "bibtex").entries["tricky_title"]
    assert latex_unescape(entry.fields["title"]) == "A & B: 50% of {GPUs}"
    assert str(entry.persons["author"][0]) == "Gödel, Łukasz"
    assert entry.fields["url"] == "https://example.github.io/posts/a-b-50-of-gpus/"


def test_site_bib_has_every_listed_post_once(cited):
    site = parse_string((cited.output / "bibliography.bib").read_text(encoding="utf-8"), "bibtex")
    assert list(site.entries) == ["numeric_citations", "author_year_citations", "tricky_title",
                                  "a_local_bibliography"]  # by date; no `Citation: no`, no draft


def test_citation_no_leaves_out_block_tags_and_file(cited):
    page = cited.page("posts/not-for-citing/")
    assert page.cssselect(".cite-post") == [] and page.cssselect('meta[name^="citation_"]') == []
    assert not (cited.output / "posts" / "not-for-citing" / "cite.bib").exists()
    assert citations(page) == ["[1]"]  # its in-text citations still work


def test_scholar_meta_tags_and_json_ld(cited):
    head = cited.page(TRICKY).cssselect("head")[0]
    meta = [(m.get("name"), m.get("content")) for m in head.cssselect('meta[name^="citation_"]')]
    assert meta == [
        ("citation_title", "A & B: 50% of {GPUs}"), ("citation_author", "Łukasz Gödel"),
        ("citation_publication_date", "2026/04/17"),
        ("citation_public_url", "https://example.github.io/posts/a-b-50-of-gpus/"),
    ]
    data = json.loads(head.cssselect('script[type="application/ld+json"]')[0].text)
    assert data["@type"] == "BlogPosting" and data["headline"] == "A & B: 50% of {GPUs}"
    assert data["author"] == [{"@type": "Person", "name": "Łukasz Gödel"}]
    assert data["datePublished"].startswith("2026-04-17T09:00")


def test_publish_build_uses_the_published_siteurl(published):
    entry = parse_string((published.output / TRICKY / "cite.bib").read_text(encoding="utf-8"), "bibtex")
    assert entry.entries["tricky_title"].fields["url"] == "https://blog.example.test/notes/posts/a-b-50-of-gpus/"
    block = published.page(TRICKY).cssselect("section.cite-post")[0]
    assert [a.get("href") for a in block.cssselect(".cite-post__downloads a")] == [
        "https://blog.example.test/notes/posts/a-b-50-of-gpus/cite.bib",
        "https://blog.example.test/notes/bibliography.bib",
    ]


def test_demo_hello_world_cites_and_ends_with_the_block(tmp_path):
    demo = build_site(ROOT / "content", tmp_path)
    assert demo.result.errors == []
    page = demo.page("posts/hello-world-testing-the-machinery/")
    assert len(references(page)) >= 2
    sections = [child.get("class") for child in page.cssselect("article.post")[0] if child.tag == "section"]
    assert sections[-2:] == ["references", "cite-post"]  # the post ends with them (navigation follows)
    assert page.cssselect(".cite-post pre code")[0].text_content().startswith("@online{hello_world,\n  author = {")
    adam = demo.page("posts/adam-bias-correction-deep-dive/")
    assert citations(adam)[0] == "(Kingma and Ba, 2015)"


# --- Bad input ---------------------------------------------------------------------------------------

def errors_for(case: str, tmp_path, **overrides) -> list[str]:
    return build_site(BAD_INPUT / case, tmp_path, **overrides).result.errors


def source(case: str, *parts: str) -> str:
    return os.path.relpath(BAD_INPUT / case / Path(*parts))


def test_unknown_citation_key(tmp_path):
    errors = errors_for("cite_unknown_key", tmp_path)
    assert errors[0] == (f"{source('cite_unknown_key', 'posts', 'post.md')}:6: unknown citation key vaswani2071 "
                         "(did you mean vaswani2017?): add it to a .bib file in refs or to the post's Bibliography")


def test_malformed_citation(tmp_path):
    [error, *_] = errors_for("cite_malformed_citation", tmp_path)
    assert error.startswith(f"{source('cite_malformed_citation', 'posts', 'post.md')}:5: malformed citation "
                            "[@vaswani2017 p. 5]: write [@key]")


def test_malformed_bib_entry_names_file_entry_and_line(tmp_path):
    errors = errors_for("cite_malformed_bib", tmp_path)
    assert errors[0] == (f"{source('cite_malformed_bib', 'refs', 'broken.bib')}:8: entry broken2020: syntax error "
                         "in line 15: '}' expected; check this entry's braces, quotes and commas")


def test_duplicate_key_across_bib_files(tmp_path):
    [error] = errors_for("cite_duplicate_key", tmp_path)
    assert error == (f"{source('cite_duplicate_key', 'refs', 'b.bib')}:1: duplicate key He2016: also defined at "
                     f"{source('cite_duplicate_key', 'refs', 'a.bib')}:3; each key may be defined in one .bib file only")


def test_missing_author_and_site_url(tmp_path):
    [error] = errors_for("cite_missing_metadata", tmp_path, AUTHOR="", CITE_BIBTEX={})
    assert error == (f"{source('cite_missing_metadata', 'posts', 'anonymous.md')}:1: Cite this post needs an author: "
                     "`Author:` in the front matter or AUTHOR in pelicanconf.py; an absolute site URL: SITEURL "
                     "(publishconf.py) or CITE_BIBTEX['siteurl'] (dev builds) (or `Citation: no` in the front matter)")


def test_bad_front_matter_values_name_their_lines(tmp_path):
    errors = errors_for("cite_front_matter", tmp_path)
    post = source("cite_front_matter", "posts", "post.md")
    assert errors == [
        (f"{post}:3: Bibliography: missing.bib: no such file next to the post "
         f"({source('cite_front_matter', 'posts', 'missing.bib')})"),
        f"{post}:4: Citation_style: 'harvard': use one of numeric, author-year",
        f"{post}:5: Citation: 'maybe': write yes or no",
        f"{post}:6: Citation_key 'has space': use letters, digits and _:.-/+ only",
    ]


def test_unknown_setting_is_named(tmp_path):
    errors = errors_for("cite_unknown_key", tmp_path, CITE_BIBTEX={"stlye": "numeric"})
    assert errors[0].startswith("CITE_BIBTEX has unknown key(s) stlye; known: style,")


# --- Rebuilds ------------------------------------------------------------------------------------------

def file_bytes(output: Path) -> dict[str, bytes]:
    return {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def test_editing_one_entry_changes_exactly_the_posts_citing_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CITATIONS_SITE, content)
    first = build_site(content, tmp_path / "site")
    before = file_bytes(first.output)
    bib = content / "refs" / "works.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Identity Mappings in Deep", "Identity Maps in Deep"),
                   encoding="utf-8")
    second = build_site(content, tmp_path / "site")
    after = file_bytes(second.output)
    assert first.result.errors == [] == second.result.errors
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed == ["posts/author-year-citations/index.html"]
    assert "Identity Maps in Deep" in references(second.page(AUTHOR_YEAR))[2]


def forget_this_process_memos():
    """What a new process would start with (the parses and formats of this one are kept by digest)."""
    from cite_bibtex import bibliography, reference_style, store

    bibliography._parsed.clear()
    reference_style._formatted.clear()
    store._stamps.clear()
    store._contents.clear()


def test_cache_file_is_only_a_cache(tmp_path):
    first = build_site(CITATIONS_SITE, tmp_path / "site")
    cache = tmp_path / "site" / "cache" / "cite_bibtex.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert len(stored["files"]) == 2 and any(key.endswith(":author-year") for key in stored["references"])
    clean = file_bytes(first.output)
    cache.write_bytes(b"\x00 not json")
    forget_this_process_memos()
    damaged = build_site(CITATIONS_SITE, tmp_path / "site")
    assert damaged.result.errors == []
    assert [w for w in damaged.result.warnings if "unreadable citation cache discarded" in w]
    forget_this_process_memos()
    from_cache = build_site(CITATIONS_SITE, tmp_path / "site")  # read from the rewritten cache
    assert from_cache.result.warnings == []
    assert file_bytes(from_cache.output) == clean == file_bytes(damaged.output)
