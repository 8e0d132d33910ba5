"""The query language, table-driven: which documents each query matches, and why."""

from __future__ import annotations

import pytest

from aggregator.rules import MatchDocument, compile


def _doc(
    title: str = "",
    description: str = "",
    *,
    company: str | None = None,
    location: str | None = None,
    tags: tuple[str, ...] = (),
) -> MatchDocument:
    return MatchDocument(title, company, location, description, tags, ("board",))


EXAMPLE = "data #microinternship -senior"

CASES = [
    # Whole words, case-insensitive.
    ("data", _doc("Data analyst"), True),
    ("DATA", _doc("junior data analyst"), True),
    ("data", _doc("Senior database administrator"), False),
    ("data", _doc("Big-data platform team"), True),
    ("java", _doc("JavaScript engineer"), False),
    ("data AND science", _doc("The science of data"), True),
    ("rock or roll", _doc("Rock and roll"), False),
    # AND, negation, NOT.
    (EXAMPLE, _doc("Data intern", "Apply now #MicroInternship"), True),
    (EXAMPLE, _doc("Senior data lead", "#microinternship"), False),
    (EXAMPLE, _doc("Data intern", "a micro internship"), False),
    ("-senior", _doc("Junior developer"), True),
    ("NOT senior", _doc("Senior developer"), False),
    ('-"full time"', _doc("Full-time role"), False),
    ("-#senior", _doc("Developer", tags=("Senior",)), False),
    # Phrases: the words in sequence.
    ('"micro internship"', _doc("Paid micro internship"), True),
    ('"micro internship"', _doc("Paid micro-internship"), True),
    ('"micro internship"', _doc("Internship, micro scale"), False),
    ('"micro internship"', _doc("A micro paid internship"), False),
    ('"Node.js developer"', _doc("Senior node.js  developer"), True),
    ('"analyst acme"', _doc("Data Analyst", company="Acme"), False),
    ("\u201cmicro internship\u201d", _doc("Paid micro internship"), True),
    # OR, and its precedence below AND.
    ('"micro internship" OR gig', _doc("Quick gig for students"), True),
    ('"micro internship" OR gig', _doc("Gigantic opportunity"), False),
    ("python django OR rails", _doc("Rails developer"), True),
    ("python django OR rails", _doc("Python developer"), False),
    ("python django OR rails", _doc("Python and Django"), True),
    ("python django OR rails -senior", _doc("Senior Python/Django dev"), True),
    ("python django OR rails -senior", _doc("Senior Rails dev"), False),
    ("(gig OR freelance) remote", _doc("Freelance, fully remote"), True),
    ("(gig OR freelance) remote", _doc("Freelance, on site"), False),
    # Hashtags and tags, folded.
    ("#microinternship", _doc("Intern", tags=("micro-internship",)), True),
    ("#MicroInternship", _doc("Intern", "Tagged #micro_internship"), True),
    ("#micro-internship", _doc("Intern", tags=("MicroInternship",)), True),
    ("#microinternship", _doc("#MicroInternship available"), True),
    ("#microinternship", _doc("Intern", "a micro internship"), False),
    ("#remote", _doc("Remote role"), False),
    # Unicode.
    ("café", _doc("CAFÉ barista"), True),
    ("café", _doc("Cafe\u0301 barista"), True),
    ("cafe", _doc("Café barista"), False),
    ("Zürich", _doc("Analyst", location="Zürich, CH"), True),
    ("zürich", _doc("ZÜRICH office"), True),
    ("straße", _doc("Hauptstrasse 5"), False),
    ("straße", _doc("STRASSE 5"), True),
    ("python", _doc("Ｐｙｔｈｏｎ developer"), True),
    ("microinternship", _doc("A micro\u00adinternship"), True),
    ("java", _doc("Java开发工程师"), True),
    ("工程师", _doc("高级工程师招聘"), True),
    # Terms with punctuation, as users mean them.
    ("C++", _doc("C++ developer"), True),
    ("C++", _doc("Modern C++17 codebase"), True),
    ("C++", _doc("C developer"), False),
    ("C", _doc("C++ developer"), False),
    ("C", _doc("C# developer"), False),
    ("C", _doc("Embedded C/C++"), True),
    ("C#", _doc("C# and .NET"), True),
    (".NET", _doc("ASP.NET Core"), True),
    (".NET", _doc("Network engineer"), False),
    ("Node.js", _doc("Node.js backend"), True),
    ("Node.js", _doc("Node, JS"), False),
    ("acme", _doc("Developer", company="ACME Corp."), True),
    # Hyphens.
    ("part-time", _doc("Part time"), True),
    ("part-time", _doc("Part-time"), True),
    ("part-time", _doc("parttime"), True),
    ("part-time", _doc("Partial timeline"), False),
    ('"part time"', _doc("Part-time"), True),
]


@pytest.mark.parametrize(("query", "doc", "expected"), CASES)
def test_query_matches_exactly_the_documents_users_would_expect(
    query: str, doc: MatchDocument, expected: bool
) -> None:
    assert (compile(query).explain(doc) is not None) is expected


def test_the_table_covers_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_explanation_lists_each_deciding_term_in_query_order() -> None:
    doc = _doc("Data intern", "Apply now #MicroInternship")
    assert compile(EXAMPLE).explain(doc) == 'has "data"; tag #microinternship; not "senior"'


def test_explanation_of_or_names_only_the_first_matching_alternative() -> None:
    doc = _doc("Freelance gig")
    assert compile("remote OR freelance OR gig").explain(doc) == 'has "freelance"'


def test_explanation_of_a_negated_group_shows_the_group() -> None:
    why = compile("data -(senior OR lead)").explain(_doc("Data intern"))
    assert why == 'has "data"; not ("senior" OR "lead")'


def test_explanation_says_each_reason_once() -> None:
    assert compile("data data").explain(_doc("Data")) == 'has "data"'


def test_explanation_shows_tags_folded_and_words_as_written() -> None:
    doc = _doc("NODE.JS dev", tags=("micro_internship",))
    assert compile("#Micro_Internship Node.js").explain(doc) == (
        'tag #microinternship; has "Node.js"'
    )


def test_explain_returns_none_when_the_query_does_not_match() -> None:
    assert compile("gig").explain(_doc("Full-time job")) is None


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("a b OR c", '("a" AND "b") OR "c"'),
        ("a OR b c", '"a" OR ("b" AND "c")'),
        ("a AND b", '"a" AND "b"'),
        ("(a b) c", '"a" AND "b" AND "c"'),
        ("a (b OR c)", '"a" AND ("b" OR "c")'),
        ("--a", '"a"'),
        ("NOT -a", '"a"'),
        ("-(a b)", '-("a" AND "b")'),
        ('#Micro_Internship "part  time"', '#microinternship AND "part  time"'),
    ],
)
def test_canonical_form_shows_how_the_query_was_grouped(query: str, canonical: str) -> None:
    assert compile(query).canonical == canonical


def test_compiled_query_keeps_the_query_as_written() -> None:
    assert compile(" data  OR gig ").query == " data  OR gig "


def test_lowercase_or_and_not_are_ordinary_words() -> None:
    assert compile("gig or not").canonical == '"gig" AND "or" AND "not"'


def test_quoting_reserved_syntax_searches_for_it_as_written() -> None:
    query = compile('"title:" "intern*" "pay>=25/h"')
    assert query.explain(_doc("Title: intern* pay>=25/h")) is not None
