"""Theorem-like blocks (paper_elements): `!!! theorem`, `??? proof`, numbered per post."""

import os
from pathlib import Path

import markdown
import pytest

from lxml import html as lxml_html
from pelican.settings import read_settings

from helpers import DEV_SETTINGS, build_cleanly, build_site, styles_of, text_of

SITES = Path(__file__).parent / "paper_sites"
BAD_INPUT = Path(__file__).parent / "bad_input"
EXTENSION = "paper_elements.markdown_blocks"
POST = "posts/every-kind-of-theorem/"


@pytest.fixture(scope="module")
def theorems(tmp_path_factory):
    return build_cleanly(SITES / "theorems", tmp_path_factory.mktemp("theorems"))


def heads(page) -> list[str]:
    return [text_of(head) for head in page.cssselect(".post-content .theorem-head")]


def test_every_kind_is_numbered_in_one_sequence_and_proofs_are_not(theorems):
    assert heads(theorems.page(POST)) == [
        "Definition 1 (Convex function).",
        "Theorem 2 (Jensen).",
        "Proof of Theorem 2.",
        "Lemma 3.",
        "Proof.",
        "Proposition 4.",
        "Corollary 5 (AM–GM).",
        "Example 6.",
        "Remark 7.",
        "Proof.",
        "Proof.",
    ]


def test_the_head_runs_into_the_first_paragraph(theorems):
    definition = theorems.page(POST).get_element_by_id("def-convex")
    assert definition.tag == "div"
    assert definition.get("class") == "theorem theorem--definition"
    first = definition[0]
    assert first.tag == "p" and first[0].get("class") == "theorem-head"
    assert text_of(first).startswith("Definition 1 (Convex function). A function")
    assert first.cssselect("em")[0].text == "convex"


def test_a_statement_keeps_all_its_blocks(theorems):
    jensen = theorems.page(POST).get_element_by_id("thm-jensen")
    assert jensen.get("class") == "theorem theorem--theorem"
    assert [child.tag for child in jensen] == ["p", "p", "ul"]
    assert len(jensen.cssselect("li")) == 2


def test_a_collapsed_proof_is_a_closed_details_ending_with_qed(theorems):
    proof = theorems.page(POST).cssselect("details.theorem--proof")[0]
    assert proof.get("open") is None
    summary = proof[0]
    assert summary.tag == "summary" and text_of(summary) == "Proof of Theorem 2."
    # The summary is the control that opens the proof: the reference in it is text, not a link
    # inside that control (axe: nested-interactive).
    assert summary.cssselect("span.xref") and not summary.cssselect("a")
    last = proof[-1]
    assert last.tag == "p" and text_of(last).endswith("average it.∎")
    assert last[-1].get("class") == "qed" and last[-1].get("aria-label") == "End of proof"


def test_a_proof_that_ends_with_a_display_gets_its_qed_on_a_line_below(theorems):
    proof = theorems.page(POST).cssselect("details.theorem--proof")[1]
    assert proof.get("open") is not None  # ???+ starts open
    assert proof[-2].get("class") == "math-display"
    assert proof[-1].get("class") == "qed-line" and text_of(proof[-1]) == "∎"


def test_an_open_proof_ends_with_qed_in_its_last_paragraph(theorems):
    proof = theorems.page(POST).cssselect("div.theorem--proof")[0]
    assert text_of(proof) == "Proof. A one-line proof.∎"


def test_a_proof_that_is_only_code_has_its_head_and_qed_on_lines_of_their_own(theorems):
    proof = theorems.page(POST).cssselect("div.theorem--proof")[1]
    assert [child.get("class") for child in proof] == ["theorem-head-line", "language-python highlight", "qed-line"]


def test_notes_and_collapsibles_are_left_to_their_own_extensions(theorems):
    page = theorems.page(POST)
    assert text_of(page.cssselect("div.admonition.note > .admonition-title")[0]) == "An ordinary note"
    assert text_of(page.cssselect("details.note > summary")[0]) == "An ordinary collapsible"


def test_the_theorem_stylesheet_is_linked_only_where_a_theorem_is(theorems):
    assert "theorems" in styles_of(theorems.page(POST))
    assert "theorems" not in styles_of(theorems.page("posts/a-post-without-theorems/"))
    assert (theorems.output / "theme" / "css" / "theorems.css").is_file()


# --- The Markdown extension on its own: the counter setting --------------------------------------
SOURCE = """\
!!! definition
    D.

!!! theorem
    T.

!!! lemma
    L.

!!! theorem
    T again.
"""


@pytest.mark.parametrize("counters, expected", [
    ("shared", ["Definition 1.", "Theorem 2.", "Lemma 3.", "Theorem 4."]),
    ("separate", ["Definition 1.", "Theorem 1.", "Lemma 1.", "Theorem 2."]),
])
def test_counters_shared_or_separate(counters, expected):
    body = markdown.markdown(SOURCE, extensions=[EXTENSION], extension_configs={EXTENSION: {"theorem_counters": counters}})
    assert [text_of(head) for head in lxml_html.fragment_fromstring(body, create_parent=True).cssselect(".theorem-head")] == expected


# --- Bad input ------------------------------------------------------------------------------------
def test_blocks_written_wrongly_are_named_with_their_lines(tmp_path):
    result = build_site(BAD_INPUT / "paper_blocks", tmp_path).result
    source = os.path.relpath(BAD_INPUT / "paper_blocks" / "posts" / "blocks.md")
    assert result.errors == [
        f"{source}:3: Number_sections: 'maybe' is not yes or no",
        f'{source}:5: !!! theorem Basel problem: cannot read this line; write !!! theorem "Title" {{#label}}',
        (f'{source}:8: !!! lemma "Support" {{#support}}: label #support cannot be referred to: a lemma\'s label '
         "starts with thm:, lem:, def:, prop:, cor:, exm:, rem: and ends with a letter or digit (e.g. #lem:support)"),
        (f'{source}:11: !!! figure "Too wide" {{#fig:wide width=150%}}: width=150% is not a width: write a '
         "percentage or a length (60%, 24rem, 480px)"),
        f"{source}:17: !!! remark {{#cor:twice}}: duplicate label #cor:twice: each label names one thing in a post",
        f'{source}:20: ??? figure "Folded" {{#fig:folded}}: a figure cannot be collapsed: open it with !!! figure',
    ]


def _markdown_settings(**extension_options):
    markdown_settings = read_settings(DEV_SETTINGS)["MARKDOWN"]
    return {**markdown_settings, "extension_configs": {**markdown_settings["extension_configs"], EXTENSION: extension_options}}


@pytest.mark.parametrize("options, message", [
    ({"theorem_counter": "shared"}, f"MARKDOWN['extension_configs'][{EXTENSION!r}] has unknown key(s) theorem_counter"),
    ({"theorem_counters": "both"}, "theorem_counters is 'both'; use one of shared, separate"),
])
def test_a_wrong_setting_is_named(tmp_path, options, message):
    result = build_site(SITES / "theorems", tmp_path, MARKDOWN=_markdown_settings(**options)).result
    assert any(message in error for error in result.errors), result.errors


def test_the_extension_missing_from_markdown_is_named(tmp_path):
    markdown_settings = read_settings(DEV_SETTINGS)["MARKDOWN"]
    without = {**markdown_settings, "extensions": [e for e in markdown_settings["extensions"] if e != EXTENSION]}
    result = build_site(SITES / "theorems", tmp_path, MARKDOWN=without).result
    assert any(f"add {EXTENSION!r} to MARKDOWN['extensions']" in error for error in result.errors), result.errors


def test_a_project_markdown_extension_is_part_of_the_cache_key(tmp_path, monkeypatch):
    """Bodies are cached by katex_markdown; a change to this plugin's extension must render them again."""
    from katex_markdown.config import read_config

    package = tmp_path / "probe_markdown_extension"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "blocks.py"
    module.write_text("from markdown import Extension\n\n\ndef makeExtension(**kwargs):\n    return Extension(**kwargs)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = read_settings(DEV_SETTINGS, override={"CACHE_PATH": str(tmp_path / "cache")})
    markdown_settings = settings["MARKDOWN"]
    settings["MARKDOWN"] = {**markdown_settings, "extensions": [*markdown_settings["extensions"], "probe_markdown_extension.blocks"]}
    before = read_config(settings).fingerprint
    assert read_config(settings).fingerprint == before
    module.write_text(module.read_text() + "# a change\n")
    assert read_config(settings).fingerprint != before
