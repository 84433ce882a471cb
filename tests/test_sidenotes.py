"""Footnotes as sidenotes, and margin notes: the HTML (placement is tested in tests/browser/)."""

from helpers import PAPER_SITE, build_site, styles_of, text_of

NOTES_POST = "posts/notes-in-the-margin/"


def content(site):
    return site.page(NOTES_POST).xpath("//div[contains(@class, 'post-content')]")[0]


def test_a_prose_footnote_is_copied_next_to_its_reference(paper_site):
    body = content(paper_site)
    first = body.xpath("./p")[0]
    [reference] = first.xpath("./sup[a[@class='footnote-ref']]")
    sidenote = reference.getnext()
    assert sidenote.tag == "small" and sidenote.get("class") == "sidenote"
    assert text_of(sidenote.xpath("./span[@class='sidenote__number']")[0]) == "1"
    assert text_of(sidenote).startswith("1 The first note: a sentence with")
    assert sidenote.xpath(".//span[@class='katex']") and sidenote.xpath(".//a[@href='https://example.org/']")
    # The copy has no ids (they stay unique) and no back-link (it stands beside its reference).
    assert not sidenote.xpath(".//*[@id]") and not sidenote.xpath(".//a[@class='footnote-backref']")


def test_paragraphs_of_a_footnote_stay_paragraphs_in_its_sidenote(paper_site):
    [sidenote] = content(paper_site).xpath(".//small[@class='sidenote'][span[@class='sidenote__number'] = '2']")
    assert [text_of(part) for part in sidenote.xpath("./span[@class='sidenote__para']")] == [
        "The second note, in two paragraphs.", "Its second paragraph.",
    ]


def test_footnotes_that_cannot_be_sidenotes_stay_footnotes_only(paper_site):
    body = content(paper_site)
    assert len(body.xpath(".//small[@class='sidenote']")) == 2
    items = body.xpath("./div[@class='footnote']/ol/li")
    assert [item.get("class") for item in items] == ["footnote--in-margin", "footnote--in-margin", None, None]
    assert items[2].xpath("./ul")  # a list cannot sit inside a line of text
    assert body.xpath(".//td/sup[a[@class='footnote-ref']]")  # a table would clip a margin note


def test_a_margin_note_is_small_print_where_it_is_written(paper_site):
    [note] = content(paper_site).xpath("./p/small[@class='marginnote']")
    assert text_of(note) == "A margin note, with emphasis and x2x^2x2."
    assert note.xpath("./em") and note.xpath("./span[@class='nowrap']/span[@class='katex']")  # tied to its full stop


def test_notes_stay_out_of_summaries(paper_site):
    [summary] = [item for item in paper_site.page("").xpath("//article") if "Notes in the margin" in text_of(item)]
    assert "first note" not in text_of(summary) and "margin note" not in text_of(summary)
    assert not summary.xpath(".//small")


def test_article_pages_link_the_sidenote_stylesheet(paper_site):
    assert "sidenotes" in styles_of(paper_site.page(NOTES_POST))


def test_sidenotes_can_be_turned_off(tmp_path):
    built = build_site(PAPER_SITE, tmp_path, KATEX_MARKDOWN={"sidenotes": False})
    body = content(built)
    assert not body.xpath(".//small[@class='sidenote']") and body.xpath(".//small[@class='marginnote']")
