"""A Markdown extension that reads a file while converting: `{! name !}` includes content/snippets/name.

It follows the body-inputs contract: each file it reads is appended to `md.body_inputs`.
"""

import os
import re

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

_INCLUDE_RE = re.compile(r"\{!\s*([\w.-]+)\s*!\}")


class _Include(Preprocessor):
    def __init__(self, md, folder):
        super().__init__(md)
        self.folder = folder

    def run(self, lines):
        def include(match):
            path = os.path.join(self.folder, match.group(1))
            self.md.body_inputs.append(path)
            with open(path, encoding="utf-8") as source:
                return source.read().strip()

        return [_INCLUDE_RE.sub(include, line) for line in lines]


class IncludeSnippets(Extension):
    def __init__(self, **kwargs):
        self.config = {"folder": ["", "where snippets live"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.preprocessors.register(_Include(md, self.getConfig("folder")), "include_snippet", 40)


def makeExtension(**kwargs):
    return IncludeSnippets(**kwargs)
