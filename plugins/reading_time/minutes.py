import math
import re

DEFAULT_WPM = 220
_WORD_RE = re.compile(r"\w+")
_TAG_RE = re.compile(r"<[^>]+>")


def minutes_for(words: int, words_per_minute: int = DEFAULT_WPM) -> int:
    return max(1, math.ceil(words / words_per_minute))


def set_reading_time(content) -> None:
    """Uses the word count the Markdown reader measured; counts the HTML's words for other readers."""
    words = content.metadata.get("word_count")
    if words is None:
        words = len(_WORD_RE.findall(_TAG_RE.sub(" ", content._content or "")))
    content.reading_time = minutes_for(words, content.settings.get("READING_TIME_WPM", DEFAULT_WPM))
