"""A post's HTML made readable in feed readers, which show entries without the site's CSS or JS.

Pure functions over HTML strings (lxml); no Pelican import.
"""

from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html

TEX_ENCODING = "application/x-tex"
# Elements a feed reader would run, or that mean nothing outside the site.
_DROPPED_TAGS = ("script", "style", "template", "noscript", "button")
# Links worth rewriting: every attribute that holds one URL.
_URL_ATTRIBUTES = ("href", "src", "poster", "cite", "data", "action", "xlink:href")


def entry_html(body: str, page_url: str) -> str:
    """`body` (a post's HTML, as its page shows it) for a feed entry whose post lives at
    `page_url` (absolute): formulas as MathML alone, code as plain `<pre><code>`, every link
    and image absolute, collapsed blocks open, nothing to run and no site classes or ids."""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    _math_as_mathml(root)
    _plain_code(root)
    _strip_site_chrome(root)
    _absolute_links(root, _without_query(page_url))
    for details in root.iter("details"):
        details.set("open", "")
    return _inner_html(root)


# --- math ---------------------------------------------------------------------------------------


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _math_as_mathml(root) -> None:
    """KaTeX's output is `span.katex > (span.katex-mathml > math) + span.katex-html`; without
    KaTeX's stylesheet the HTML half shows the formula a second time, badly. Keep the MathML,
    with the equation numbers the HTML half drew, and the TeX as its `alttext`."""
    for katex in [el for el in root.iter("span") if _has_class(el, "katex")]:
        math = next(katex.iter("math"), None)
        if math is None:  # a formula KaTeX could not parse: its TeX, as code
            _replace(katex, _element("code", katex.text_content()))
            continue
        _number_rows(math, _equation_numbers(katex))
        for annotation in list(math.iter("annotation")):
            if annotation.get("encoding") == TEX_ENCODING and not math.get("alttext"):
                math.set("alttext", " ".join((annotation.text or "").split()))
            _remove(annotation)
        holder = katex.getparent()
        if holder is not None and _has_class(holder, "katex-display"):
            katex = holder  # the display wrapper goes too: the <math> is display="block"
        _replace(katex, math)


def _equation_numbers(katex) -> list[str]:
    """The numbers KaTeX drew beside each row (`\\tag`s), in row order; "" for a row without."""
    numbers = []
    for tag in katex.iter("span"):
        if _has_class(tag, "tag"):
            numbers.extend(
                " ".join(label.text_content().split())
                for label in tag.iter("span") if _has_class(label, "text")
            )
    return numbers


def _number_rows(math, numbers: list[str]) -> None:
    """KaTeX's MathML keeps an empty last cell on each row of a numbered equation: put the
    numbers there (when rows and numbers line up; otherwise leave the formula as it is)."""
    if not any(numbers):
        return
    rows = [row for row in math.iter("mtr") if len(row) and row[-1].tag == "mtd" and len(row[-1]) == 0]
    if len(rows) != len(numbers):
        return
    for row, number in zip(rows, numbers, strict=True):
        if number:
            row[-1].append(_element("mtext", number))


# --- code ---------------------------------------------------------------------------------------


def _plain_code(root) -> None:
    """Pygments' token spans, line numbers and copy helpers out: `<pre><code>` with the text,
    a language class (`language-python`) kept for readers that highlight, the title above."""
    for block in [el for el in root.iter("div") if _has_class(el, "highlight")]:
        language = block.get("data-lang")
        replacement = []
        for title in block.iter("span"):
            if _has_class(title, "filename"):
                paragraph = _element("p")
                paragraph.append(_element("code", title.text_content()))
                replacement.append(paragraph)
                break
        pre = next(block.iter("pre"), None)
        if pre is not None:
            replacement.append(_plain_pre(pre, language))
        _replace(block, *replacement)
    for pre in list(root.iter("pre")):  # code outside a highlight block (raw HTML)
        if any(child.tag != "code" or len(child) for child in pre):
            _replace(pre, _plain_pre(pre, None))


def _plain_pre(pre, language: str | None):
    for numbers in [el for el in pre.iter("span") if _has_class(el, "linenos")]:
        _remove(numbers)
    code = _element("code", pre.text_content())
    if language:
        code.set("class", f"language-{language}")
    plain = _element("pre")
    plain.append(code)
    return plain


# --- links and site chrome ----------------------------------------------------------------------


def _strip_site_chrome(root) -> None:
    """Permalink anchors, scripts, buttons and sidenotes (margin copies of the footnotes, which the
    entry keeps at its end) out; classes, ids and event handlers off (ids would clash between
    entries shown on one page; in-page links point at the site instead)."""
    for element in list(root.iter(*_DROPPED_TAGS)):
        _remove(element)
    for element in [el for el in root.iter("a", "small") if _has_class(el, "headerlink") or _has_class(el, "sidenote")]:
        _remove(element)
    for element in root.iter(etree.Element):
        language_class = element.tag == "code" and (element.get("class") or "").startswith("language-")
        for name in list(element.attrib):
            if name == "id" or name.startswith(("on", "data-")) or (name == "class" and not language_class):
                del element.attrib[name]


def _absolute_links(root, page_url: str) -> None:
    for element in root.iter(etree.Element):
        for name in _URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                element.set(name, urljoin(page_url, value.strip()))
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, page_url))


def _absolute_srcset(srcset: str, page_url: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        url, _, size = candidate.strip().partition(" ")
        candidates.append(f"{urljoin(page_url, url)} {size.strip()}".strip())
    return ", ".join(candidates)


def _without_query(url: str) -> str:
    """Pelican appends `?ref=feed` to entry links when FEED_APPEND_REF is set."""
    scheme, netloc, path, _, _ = urlsplit(url)
    return urlunsplit((scheme, netloc, path, "", ""))


# --- lxml helpers -------------------------------------------------------------------------------


def _element(tag: str, text: str | None = None):
    element = etree.Element(tag)
    element.text = text
    return element


def _replace(old, *new) -> None:
    """`old` replaced by `new` (zero or more elements), keeping the text that followed it."""
    parent = old.getparent()
    tail = old.tail
    index = parent.index(old)
    parent.remove(old)
    for offset, element in enumerate(new):
        element.tail = None
        parent.insert(index + offset, element)
    if new:
        new[-1].tail = tail
    else:
        _append_text(parent, index, tail)


def _remove(element) -> None:
    _replace(element)


def _append_text(parent, index: int, text: str | None) -> None:
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


def _inner_html(root) -> str:
    parts = [root.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts)
