"""Pelican's private API this project relies on (listed in plugins/README.md, "Pelican internals we
rely on"). Each test fails loudly, with what changed, when a Pelican upgrade stops behaving so."""

import inspect

import pelican
from pelican import Pelican, contents, generators, readers, writers
from pelican.plugins import signals


def test_pelican_version_is_the_one_pinned():
    assert pelican.__version__ == "4.12.0", "re-check every test in this file, then update the pin here"


def test_writer_open_w_and_its_bookkeeping():
    """page_writer re-implements `_open_w` (no truncation) and reads `_written_files` and
    `_overridden_files`."""
    assert list(inspect.signature(writers.Writer._open_w).parameters) == ["self", "filename", "encoding", "override"]
    writer = writers.Writer("/nonexistent", settings={})
    assert writer._written_files == set() and writer._overridden_files == set()
    source = inspect.getsource(writers.Writer.write_feed)
    assert "self._open_w(" in source, "feeds must still be written through _open_w"


def test_writer_is_made_from_the_class_get_writer_returns():
    source = inspect.getsource(Pelican._get_writer)
    assert "signals.get_writer.send(self)" in source and "isinstance(w, type)" in source
    assert "(self.output_path, settings=self.settings)" in source


def test_finalized_is_sent_after_every_generator_wrote_its_output():
    source = inspect.getsource(Pelican.run)
    assert source.index("generate_output(writer)") < source.index("signals.finalized.send(self)")
    assert source.index("all_generators_finalized.send") < source.index("self._get_writer()")


def test_settings_plugins_lists_loaded_module_names():
    """content_checks finds each plugin's FRONT_MATTER_KEYS through settings["PLUGINS"]."""
    assert 'self.settings["PLUGINS"] = [get_plugin_name(p) for p in self.plugins]' in inspect.getsource(
        Pelican.init_plugins
    )


def test_content_get_content_and_update_content():
    """katex_markdown replaces `get_content` per object and calls `_update_content` itself."""
    assert list(inspect.signature(contents.Content._update_content).parameters) == ["self", "content", "siteurl"]
    assert "self.get_content(self.get_siteurl())" in inspect.getsource(contents.Content.content.fget)
    assert "_content" in inspect.getsource(contents.Content.__init__)


def test_reader_classes_and_duplicate_definitions():
    assert isinstance(readers.DUPLICATES_DEFINITIONS_ALLOWED, dict)
    assert "reader_classes" in inspect.getsource(readers.Readers.__init__)
    assert readers.MarkdownReader.file_extensions == ["md", "markdown", "mkd", "mdown"]


def test_generator_update_context():
    assert list(inspect.signature(generators.Generator._update_context).parameters) == ["self", "items"]


def test_signals_this_project_connects_exist():
    for name in ("initialized", "readers_init", "content_object_init", "article_generator_finalized",
                 "all_generators_finalized", "get_writer", "get_generators", "content_written", "finalized"):
        assert hasattr(signals, name), name


def test_summary_edits_go_through_underscore_summary():
    """cite_bibtex edits summaries by setting `metadata["summary"]` and `_summary`: Pelican copies
    `_summary` back into the metadata when it refreshes links, and `get_summary` reads the metadata."""
    assert 'self.metadata["summary"] = self._summary' in inspect.getsource(
        contents.Content.refresh_metadata_intersite_links
    )
    source = inspect.getsource(contents.Content)  # get_summary is memoized: read it in the class
    assert 'if "summary" in self.metadata:\n            return self.metadata["summary"]' in source


def test_generators_keep_their_content_in_these_lists():
    """cite_bibtex reads every list of articles and pages (drafts and translations cite too)."""
    articles = inspect.getsource(generators.ArticlesGenerator.__init__)
    for name in ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations"):
        assert f"self.{name} = []" in articles, name
    pages = inspect.getsource(generators.PagesGenerator.__init__)
    for name in ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages",
                 "draft_translations"):
        assert f"self.{name} = []" in pages, name


def test_articles_lists_are_shared_with_the_context_and_the_index_reads_its_url_when_written():
    """journal_sections moves posts from `articles` to `hidden_articles` in place (the context holds
    the same lists) at `article_generator_finalized`; collection_page sets INDEX_SAVE_AS then."""
    context = inspect.getsource(generators.ArticlesGenerator.generate_context)
    assert '"articles",' in context and '"hidden_articles",' in context
    assert context.index("_update_context(") < context.index("article_generator_finalized.send(self)")
    assert "def _update_context" in inspect.getsource(generators.Generator)
    assert "self.context[item] = value" in inspect.getsource(generators.Generator._update_context)
    articles = inspect.getsource(generators.ArticlesGenerator.generate_articles)
    assert "self.hidden_articles" in articles, "hidden articles must still get their pages"
    direct = inspect.getsource(generators.ArticlesGenerator.generate_direct_templates)
    assert 'self.settings.get(\n                f"{template.upper()}_SAVE_AS"' in direct
    assert "all_articles = list(self.articles)" in inspect.getsource(generators.ArticlesGenerator.generate_feeds)


def test_content_generators_ask_their_cache_before_reading():
    """katex_markdown/kept_content.py hands unchanged content objects back through these hooks."""
    for generator in (generators.ArticlesGenerator, generators.PagesGenerator):
        source = inspect.getsource(generator.generate_context)
        assert source.index("self.get_cached_data(f, None)") < source.index("self.readers.read_file(")
        assert "self.cache_data(f, " in source
