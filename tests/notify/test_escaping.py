"""The escaping layer on its own: safe URLs, and values in HTML, Markdown and plain text.

Property tests feed arbitrary text through each escaper and read the result back with the
parsers a mail client or chat app uses: whatever the text, it comes back as that text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.notify.escaping import (
    clean_text,
    escape_for,
    escape_markdown,
    link,
    one_line,
    safe_url,
)
from tests.notify.markup_probe import parse_html, parse_markdown

# Text as boards send it, built from pieces of markup and single characters.
MARKUP_CHARS = "<>&\"'`*_[]()#+-.!|~@^$=:;/\\{}% \t\n\r\x00\x1b\u202e\u2028"
MARKUP_PIECES = [
    "&amp;", "&#60;", "&lt;script&gt;", "&copy", "<img src=x onerror=alert(1)>", "<b>", "</p>",
    "<!--", "-->", "[a](https://evil.test/)", "![i](https://evil.test/p.gif)", "](", ")[",
    "<https://evil.test/>", "https://evil.test/", "**", "__", "~~", "``", "```", "- ", "1. ",
    "2) ", "---", "===", "> ", "# ", "    ", "\\", "[x]: https://evil.test/", "@everyone",
    ":smile:", "$x$", "|a|b|", "\n\n",
]  # fmt: skip
hostile_text = st.lists(
    st.one_of(
        st.sampled_from(MARKUP_PIECES),
        st.sampled_from(MARKUP_CHARS),
        st.characters(codec="utf-8"),
    ),
    max_size=25,
).map("".join)
url_tail = st.text(
    alphabet=st.one_of(st.sampled_from(MARKUP_CHARS + "?#%&=:@é\u00a0"), st.characters()),
    max_size=40,
)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.test/p.gif",
        "/relative/path",
        'https://x.test/"><img src=//evil.test/p.gif>',
        "https://x.test/'onmouseover='alert(1)",
        "https://x.test/`x`",
        "https://x.test/a b",
        "https://x.test/a\tb",
        "https://x.test/a\nb",
        "https://x.test/a\u2028b",
        "https://x.test/%3Cscript%3E",
        "https://x.test/%253Cscript%253E",
        "https://x.test/%22onmouseover=x",
        "https://x.test/a%0d%0aBcc:victim@x.test",
        "https://x.test/\u202egpj.exe",
        "https://x.test/%E2%80%AEgpj.exe",
        "https://x.test\\@evil.test/",
        "https://good.test@evil.test/",
        "https://user:pw@x.test/",
        "https:///no-host",
        "https://x.test:99999/",
        "https://exa mple.test/",
        "https://evil%2Etest/",
        "http://x.test/\ud800",
        "https://" + "a" * 64 + ".test/",
        "",
    ],
)
def test_a_url_that_could_become_markup_or_deceive_is_not_linked(url: str) -> None:
    assert safe_url(url) is None
    assert parse_markdown(link("markdown", "Data job", url)).links == []
    assert parse_html(link("html", "Data job", url)).links == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.test/jobs/1", "https://x.test/jobs/1"),
        ("HTTPS://X.TEST/Jobs?id=1&ref=a#top", "https://x.test/Jobs?id=1&ref=a#top"),
        ("http://x.test:8080", "http://x.test:8080/"),
        (
            "https://x.test/a)](https://evil.test/)",
            "https://x.test/a%29%5D%28https://evil.test/%29",
        ),
        ("https://x.test/wiki/Foo_(bar)*", "https://x.test/wiki/Foo_%28bar%29%2A"),
        ("https://x.test/jöbs/über", "https://x.test/j%C3%B6bs/%C3%BCber"),
        ("https://x.test/j%C3%B6bs", "https://x.test/j%C3%B6bs"),
        ("https://x.test/100%", "https://x.test/100%25"),
        ("https://x.test/Data%20Engineer", "https://x.test/Data%20Engineer"),
        ("https://bücher.test/stellen", "https://xn--bcher-kva.test/stellen"),
        ("https://аpple.test/", "https://xn--pple-43d.test/"),  # a Cyrillic а shows as punycode
        ("https://x.test/?q=a&amp;b=2", "https://x.test/?q=a&amp%3Bb=2"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_a_safe_url_is_percent_encoded_and_its_host_made_ascii(url: str, expected: str) -> None:
    assert safe_url(url) == expected


@settings(max_examples=300, deadline=None)
@given(tail=url_tail)
def test_whatever_a_url_holds_it_is_linked_as_the_safe_url_or_not_at_all(tail: str) -> None:
    url = f"https://x.test/{tail}"
    checked = safe_url(url)
    markdown = parse_markdown(link("markdown", "Data job", url))
    html = parse_html(link("html", "Data job", url))
    if checked is None:
        assert markdown.links == html.links == []
        return
    assert safe_url(checked) == checked
    assert not set(checked) & set("<>\"'`\\ ()[]*\n\r\t")
    assert markdown.links == [(checked, "Data job")]
    assert html.links == [(checked, "Data job")]
    assert markdown.raw_html == markdown.images == []


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_markdown_escaping_gives_back_the_text_and_no_markup(text: str) -> None:
    line = one_line(text)
    parsed = parse_markdown(escape_markdown(line))
    assert parsed.links == parsed.images == parsed.raw_html == []
    assert parsed.text == line


@settings(max_examples=300, deadline=None)
@given(text=hostile_text, url=st.sampled_from(["https://x.test/1", "javascript:alert(1)"]))
def test_a_markdown_link_text_cannot_close_the_link_or_open_another(text: str, url: str) -> None:
    parsed = parse_markdown(link("markdown", text, url, strong=True))
    assert parsed.images == parsed.raw_html == []
    if url.startswith("https"):
        assert parsed.links == [("https://x.test/1", one_line(text))]
    else:
        assert parsed.links == []
        assert parsed.text == one_line(text)


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_html_escaping_gives_back_the_text_and_no_element(text: str) -> None:
    parsed = parse_html(escape_for("html", text))
    assert parsed.elements == []
    assert parsed.text == clean_text(text)
    linked = parse_html(link("html", text, "https://x.test/1"))
    assert [tag for tag, _ in linked.elements] == ["a"]
    assert linked.links == [("https://x.test/1", one_line(text))]


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_plain_text_keeps_no_control_characters_for_the_terminal(text: str) -> None:
    printed = escape_for("text", text)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in printed)
    assert "\x1b" not in printed
    assert "\u202e" not in printed
    assert "\n" not in one_line(text)
    assert "\r" not in one_line(text)
