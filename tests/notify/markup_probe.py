"""Read received alerts the way a mail client or chat app would: parsed HTML and Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt


@dataclass
class ParsedHtml:
    """Every element with its attributes, and the text, as an HTML parser sees them."""

    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text) of each <a>
    text: str = ""

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def attributes(self) -> set[str]:
        return {name for _, attrs in self.elements for name in attrs}

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.elements if "href" in attrs]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = ParsedHtml()
        self._chunks: list[str] = []
        self._open_link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.parsed.elements.append((tag, values))
        if tag == "a":
            self._open_link = (values.get("href", ""), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link is not None:
            href, text = self._open_link
            self.parsed.links.append((href, "".join(text)))
            self._open_link = None

    def handle_data(self, data: str) -> None:
        self._chunks.append(data)
        if self._open_link is not None:
            self._open_link[1].append(data)


def parse_html(html: str) -> ParsedHtml:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    collector.parsed.text = "".join(collector._chunks)
    return collector.parsed


@dataclass(frozen=True)
class ParsedMarkdown:
    """What a CommonMark renderer (raw HTML allowed, as many are) makes of a message."""

    links: list[tuple[str, str]]  # (href, link text)
    images: list[str]
    raw_html: list[str]
    text: str


def parse_markdown(markdown: str) -> ParsedMarkdown:
    tokens = MarkdownIt("commonmark").parse(markdown)
    links: list[tuple[str, str]] = []
    images: list[str] = []
    raw_html: list[str] = []
    text: list[str] = []
    for block in tokens:
        if block.type == "html_block":
            raw_html.append(block.content)
        open_href: str | None = None
        link_text: list[str] = []
        for token in block.children or []:
            if token.type == "link_open":
                open_href, link_text = str(token.attrGet("href")), []
            elif token.type == "link_close" and open_href is not None:
                links.append((open_href, "".join(link_text)))
                open_href = None
            elif token.type == "image":
                images.append(str(token.attrGet("src")))
            elif token.type == "html_inline":
                raw_html.append(token.content)
            elif token.type in {"text", "code_inline"}:
                text.append(token.content)
                if open_href is not None:
                    link_text.append(token.content)
            elif token.type in {"softbreak", "hardbreak"}:
                text.append("\n")
    return ParsedMarkdown(links, images, raw_html, "".join(text))
