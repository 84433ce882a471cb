"""The <img> tags of an HTML body, and the markup that replaces them. No Pelican, no Pillow."""

import html
import re

IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_PICTURE_RE = re.compile(r"<picture\b.*?</picture>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_SVG_SIZE_RE = {name: re.compile(rf'\b{name}\s*=\s*["\']\s*([\d.]+)\s*(?:px)?\s*["\']') for name in ("width", "height")}
_VIEWBOX_RE = re.compile(r'\bviewBox\s*=\s*["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*["\']')
_SVG_ROOT_RE = re.compile(r"<svg\b[^>]*>", re.S)


def attributes(tag: str) -> dict[str, str | None]:
    """The attributes of one tag, in order, values unescaped (None: an attribute with no value)."""
    inner = tag[len("<img"):].rstrip(">").rstrip("/")
    found = {}
    for name, double, single, bare in _ATTR_RE.findall(inner):
        value = double or single or bare
        present = value or f"{name}=" in inner.replace(" =", "=")
        found[name.lower()] = html.unescape(value) if present else None
    return found


def img_tag(attrs: dict[str, str | None]) -> str:
    parts = [name if value is None else f'{name}="{html.escape(value)}"' for name, value in attrs.items()]
    return f"<img {' '.join(parts)}>"


def in_pictures(body: str) -> list[tuple[int, int]]:
    """Spans of the <picture> elements already in a body: their images are left as they are."""
    return [match.span() for match in _PICTURE_RE.finditer(body)]


def words_before(body: str, position: int) -> int:
    return len(_TAG_RE.sub(" ", body[:position]).split())


def picture(img: dict[str, str | None], sources: list[tuple[str, str]], sizes: str) -> str:
    """A <picture> with a <source> per format (type, srcset), best first, around the <img>."""
    tags = [f'<source type="{kind}" srcset="{html.escape(srcset)}" sizes="{html.escape(sizes)}">'
            for kind, srcset in sources]
    return f"<picture>{''.join(tags)}{img_tag(img)}</picture>"


def svg_size(text: str) -> tuple[int, int] | None:
    """An SVG's size from its root's width and height (in pixels), or its viewBox."""
    root = _SVG_ROOT_RE.search(text)
    if not root:
        return None
    width, height = (_SVG_SIZE_RE[name].search(root.group()) for name in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = _VIEWBOX_RE.search(root.group())
    if box:
        return round(float(box.group(1))), round(float(box.group(2)))
    return None
