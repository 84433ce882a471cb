"""The .bib downloads: one per post that has a "Cite this post" block, and one with every listed
post's entry. Written through Pelican's writer (so page_writer skips unchanged ones and removes
the files of posts that are gone) with the theme's `cite.bib` template."""

from pelican.generators import Generator

from .posts import STATE_KEY, save_cache

TEMPLATE = "cite.bib"


class BibFilesGenerator(Generator):
    def generate_output(self, writer):
        state = self.context.get(STATE_KEY)
        if not state:
            return
        save_cache(state)  # every post's citations are done: the generators' contexts come first
        template = self.env.get_template(TEMPLATE)
        cited = [a for name in ("articles", "hidden_articles") for a in self.context.get(name, [])
                 if getattr(a, "citation", None)]
        for article in cited:
            writer.write_file(article.citation.bib_url, template, self.context, bibtex=article.citation.bibtex + "\n")
        # Every published post: those a plugin lists elsewhere (a journal) too, not `Status: hidden`.
        listed = [article for article in cited if article.status == "published"]
        if listed:
            entries = [a.citation.bibtex for a in sorted(listed, key=lambda a: (a.date, a.citation.key))]
            writer.write_file(listed[0].citation.site_bib_url, template, self.context,
                              bibtex="\n\n".join(entries) + "\n")


def provide_generator(pelican):
    return BibFilesGenerator
