"""LIX (läsbarhetsindex, Björnsson 1968): how hard a Swedish text is to read. Pure functions.

    LIX = words / sentences + 100 × long words / words

A long word has more than six letters. Below 30 is very easy (children's books), 30–40 easy
(fiction, popular press), 40–50 medium (factual prose), above 50 hard (official documents).
Min plan keeps every text a person reads below :data:`PATIENT_TEXT_MAX_LIX`.

Words are runs of letters (digits and punctuation are not words; a hyphenated compound counts as
one word). A sentence ends at ``.``, ``!``, ``?`` or ``:``, and also wherever the caller's text has
a break (a heading, a list item, a button) — see :func:`lix` ``segments``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.functional import Promise

PATIENT_TEXT_MAX_LIX = 40
LONG_WORD_LETTERS = 6
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")


@dataclass(frozen=True)
class LixResult:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        if self.words == 0:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _sentences_in(segment: str) -> int:
    """Sentences in one segment: its full stops, plus one for a last sentence left open."""
    pieces = [p for p in _SENTENCE_END.split(segment) if words_of(p)]
    return len(pieces)


def lix_of(segments: Iterable[str | Promise]) -> LixResult:
    """LIX over text segments, each ending at least one sentence (headings, list items, labels)."""
    words = sentences = long_words = 0
    for translatable in segments:
        segment = str(translatable)  # labels are lazy translations; LIX reads the active language
        found = words_of(segment)
        if not found:
            continue
        words += len(found)
        sentences += _sentences_in(segment)
        long_words += sum(1 for w in found if len(w.replace("-", "")) > LONG_WORD_LETTERS)
    return LixResult(words=words, sentences=max(sentences, 1), long_words=long_words)


def lix(text: str) -> float:
    """LIX of running text."""
    return lix_of([text]).value


# Elements whose end also ends a sentence for LIX: headings, paragraphs, list items, table cells,
# definition terms and descriptions, labels, buttons and the page title.
_BREAKING = frozenset(
    {"title", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "td", "th"}
    | {"caption", "label", "legend", "button", "summary"}
)
_SILENT = frozenset({"script", "style", "noscript", "template"})


class _TextSegments(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self._current: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self._silent += 1
        elif tag in _BREAKING or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT:
            self._silent = max(0, self._silent - 1)
        elif tag in _BREAKING:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._silent:
            self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.segments.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def text_segments(html: str) -> list[str]:
    """The visible text of an HTML page, split where the page itself breaks it."""
    parser = _TextSegments()
    parser.feed(html)
    parser.close()
    return parser.segments
