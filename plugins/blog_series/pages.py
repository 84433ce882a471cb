"""The pages the plugin owns: one per series, and the series index."""

from functools import partial

from pelican.generators import Generator


class SeriesPagesGenerator(Generator):
    """Writes `series.html` for each series (SERIES_SAVE_AS) and `series_index.html`
    (SERIES_INDEX_SAVE_AS; not written when that is empty), like Pelican's `generate_tags`."""

    def generate_output(self, writer) -> None:
        series_list = self.context.get("series_list", [])
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("series")
        for series in series_list:
            write(series.save_as, template, self.context, series=series, url=series.url)
        index_save_as = self.settings["SERIES_INDEX_SAVE_AS"]
        if index_save_as:
            write(index_save_as, self.get_template("series_index"), self.context,
                  url=self.settings["SERIES_INDEX_URL"])


def series_pages_generator(pelican):
    return SeriesPagesGenerator
