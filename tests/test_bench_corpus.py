"""`invoke bench`'s measuring parts: the corpus's share of distinct formulas, the memory of a whole
process tree, the math profile, and how save-to-reload results read in the table."""

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT
from site_tools.bench import (
    MemorySampler, ReloadTimes, Site, katex_pass, math_profile, math_section, process_table, process_tree,
    reload_cell,
)
from site_tools.corpus import change_constant, rename_symbol, shift_index, vary, write_corpus

SMALL_CORPUS = 20  # posts: about 300 formulas


def corpus_files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# --- The share of distinct formulas ------------------------------------------------------------------

@pytest.mark.parametrize("share", [0.6, 0.35, 0.9])
def test_a_small_corpus_comes_within_a_few_points_of_the_share_asked_for(tmp_path, share):
    stats = write_corpus(tmp_path, SMALL_CORPUS, distinct=share)
    assert len(stats.formulas) > 250
    assert stats.distinct_share == pytest.approx(share, abs=0.03)


def test_a_low_share_repeats_formulas_far_more(tmp_path):
    low = write_corpus(tmp_path / "low", SMALL_CORPUS, distinct=0.1)
    usual = write_corpus(tmp_path / "usual", SMALL_CORPUS)
    assert low.distinct_share < 0.15
    assert usual.distinct_share > 0.55
    assert low.distinct * 3 < usual.distinct


def test_the_same_seed_and_share_write_the_same_files(tmp_path):
    write_corpus(tmp_path / "one", 6, distinct=0.6)
    write_corpus(tmp_path / "two", 6, distinct=0.6)
    write_corpus(tmp_path / "other", 6, distinct=0.3)
    assert corpus_files(tmp_path / "one") == corpus_files(tmp_path / "two")
    assert corpus_files(tmp_path / "one") != corpus_files(tmp_path / "other")


def test_a_share_out_of_range_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="share of distinct formulas must be above 0 and at most 1, not 1.5"):
        write_corpus(tmp_path, 2, distinct=1.5)


def test_every_formula_of_a_highly_distinct_corpus_is_valid_katex(tmp_path):
    stats = write_corpus(tmp_path, SMALL_CORPUS, distinct=1.0)
    assert katex_pass(ROOT, stats)["errors"] == []


def test_labelled_formulas_are_never_repeated(tmp_path):
    """A repeated `\\label` would be a duplicate label in its post."""
    stats = write_corpus(tmp_path, SMALL_CORPUS, distinct=0.1)
    labelled = [tex for tex, _ in stats.formulas if "\\label" in tex]
    assert len(labelled) == SMALL_CORPUS
    assert len(set(labelled)) == len(labelled)


# --- Varying one formula: what each variation changes, and what it never touches ------------------------

@pytest.mark.parametrize("variation, tex, kept, gone", [
    # symbols: a lone letter renamed everywhere, never a command's letters
    (rename_symbol, r"\log x + x^2", [r"\log", "^2"], r"(?<![\\a-zA-Z])x(?![a-zA-Z])"),
    (rename_symbol, r"\operatorname{softmax}(z)", [r"\operatorname{softmax}("], r"\(z\)"),
    # indices: an existing index shifted, or one added where there is none
    (shift_index, r"\theta_t", [r"\theta_{"], r"_t$"),
    (shift_index, r"\sigma(x)", [r"\sigma(x"], r"^\\sigma\(x\)$"),
    # constants
    (change_constant, r"\eta = 0.1", [r"\eta = "], r"0\.1$"),
])
def test_a_variation_changes_its_part_and_keeps_the_rest(variation, tex, kept, gone):
    for seed in range(20):
        varied = variation(random.Random(seed), tex)
        assert all(part in varied for part in kept), varied
        assert not re.search(gone, varied), varied


@pytest.mark.parametrize("variation, tex", [
    (rename_symbol, r"\mathbb{E}[X] = \mu"),  # no lone lower-case letter
    (change_constant, r"\beta_1^2"),  # numbers only as indices and powers
])
def test_a_variation_that_does_not_apply_says_so(variation, tex):
    assert variation(random.Random(0), tex) is None


def test_vary_always_makes_a_new_string():
    rng = random.Random(0)
    for tex in ["n", r"\beta_1 = 0.9", r"\mathcal{N}(\mu, \sigma^2)", r"e^{-2 t}"]:
        assert all(vary(rng, tex) != tex for _ in range(20))


# --- Memory of a process tree ---------------------------------------------------------------------------

# A process that starts a child holding ~40 MB and a grandchild it does not wait for (an orphan once
# its parent ends), then lives a little.
_TREE = """
import os, subprocess, sys, time
hold = "import time; block = bytearray(40 << 20); block[::4096] = b'x' * (10 << 10); time.sleep(3)"
subprocess.Popen([sys.executable, "-c", hold])
subprocess.Popen([sys.executable, "-c", "import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3)'])"])
time.sleep(3)
"""


def test_the_sampler_sums_every_process_of_the_tree_orphans_included():
    tree = subprocess.Popen([sys.executable, "-c", _TREE], start_new_session=True)
    try:
        time.sleep(1.5)  # every process started, the orphan's parent ended
        table = process_table()
        members = process_tree(tree.pid, table)
        sampler = MemorySampler(tree.pid)
        sampler.sample()
    finally:
        tree.wait()
    orphans = [pid for pid in members if table[pid][0] not in members and pid != tree.pid]
    assert len(orphans) == 1, "adopted by another process, found by its session"
    # The root, the child holding memory and the orphan; the orphan's parent has ended (a zombie).
    assert sampler.peak.processes == 3
    assert sampler.peak.pss_kb > 40 * 1024
    assert sampler.peak.rss_kb >= sampler.peak.pss_kb


def test_a_tree_that_has_ended_weighs_nothing():
    ended = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    ended.wait()
    sampler = MemorySampler(ended.pid)
    sampler.sample()
    assert (sampler.peak.pss_kb, sampler.peak.processes) == (0, 0)


# --- The math profile -------------------------------------------------------------------------------------

def test_the_math_profile_times_each_step_on_the_corpus(tmp_path):
    site = Site("project", ROOT / "pelicanconf.py", tmp_path / "project")
    stats = write_corpus(site.content, 4)
    profile = math_profile(ROOT, site)
    assert "failed" not in profile, profile
    assert profile["posts"] == 5  # and the About page
    assert profile["errors"] == 0
    assert profile["typeset"] == profile["rendered_by_katex"] >= len({tex for tex, _ in stats.formulas}) - 4
    assert set(profile["seconds"]) == {"extract", "number", "prepare", "key", "typeset", "fixes", "finish", "expand"}
    section = math_section(katex_pass(ROOT, stats), profile)
    for covered in ("KaTeX alone", "MathML fixes alone", "Python side per formula", "extraction", "substitution"):
        assert covered in section


def test_a_failed_math_profile_is_reported_not_raised(tmp_path):
    site = Site("missing", ROOT / "pelicanconf.py", tmp_path / "nothing-here")
    profile = math_profile(ROOT, site)
    assert profile["failed"].startswith("exit 1")


# --- Save-to-reload in the table ---------------------------------------------------------------------------

def site_with(kind: str, times: ReloadTimes) -> Site:
    site = Site("project", ROOT / "pelicanconf.py", ROOT)
    site.reloads[kind] = times
    return site


@pytest.mark.parametrize("kind, times, expected", [
    ("post", ReloadTimes([0.4, 0.3, 0.5], [0.2, 0.2, 0.2], 3), "0.40 s (0.30–0.50)"),
    ("template", ReloadTimes([2.0, 2.2, 1.9], [1.5, 1.7, 1.6], 3), "2.00 s (1.90–2.20); the server's rebuild 1.60 s"),
    ("stylesheet", ReloadTimes([0.1, 0.2, 0.1]), "0.10 s (0.10–0.20), swapped in place"),
    ("stylesheet", ReloadTimes([1.1, 1.0, 1.2], [0.9, 0.9, 0.9], 3),
     "reloaded the page, not swapped in place (3 of 3): 1.10 s (1.00–1.20)"),
    ("stylesheet", ReloadTimes(note="timed out (Timeout 120000ms exceeded.)"),
     "timed out (Timeout 120000ms exceeded.)"),
    ("template", ReloadTimes([3.0], note="failed: Error: browser closed"),
     "3.00 s; the server's rebuild not printed; then failed: Error: browser closed (after 1)"),
])
def test_a_reload_cell_says_what_was_measured_and_what_went_wrong(kind, times, expected):
    assert reload_cell(site_with(kind, times), kind) == expected


def test_a_reload_not_measured_says_so():
    assert reload_cell(Site("project", ROOT / "pelicanconf.py", ROOT), "stylesheet") == "not measured"
