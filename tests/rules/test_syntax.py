"""Malformed queries: QuerySyntaxError points at the column of the problem."""

from __future__ import annotations

import pytest

from aggregator.rules import QuerySyntaxError, check_query, compile


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("data science OR", 14, "expected a term after OR"),
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ('remote "micro internship', 8, "unclosed quote"),
        ("data -", 6, "expected a term right after -"),
        ("data - senior", 6, "expected a term right after -"),
        ("data -)", 6, "expected a term right after -"),
        ("OR gig", 1, "expected a term before OR"),
        ("gig OR OR freelance", 5, "expected a term after OR"),
        ("gig AND", 5, "expected a term after AND"),
        ("gig NOT", 5, "expected a term after NOT"),
        ("(gig OR freelance", 1, "unclosed ("),
        ("gig)", 4, "unmatched )"),
        (") gig", 1, "unmatched )"),
        ("gig ()", 5, "empty parentheses"),
        ("data #", 6, "expected a tag name after #"),
        ("data #_-", 6, "expected a tag name after #"),
        ('data ""', 6, "empty phrase"),
        ("café OR", 6, "expected a term after OR"),
    ],
)
def test_syntax_error_names_the_column_and_the_problem(
    query: str, position: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile(query)
    assert caught.value.position == position
    assert caught.value.message == message
    assert str(caught.value) == f"col {position}: {message}"


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("foo:bar", 1, "unknown field foo: (fields: title:, company:, location:, description:"),
        ("data https://x.org", 6, "unknown field https:"),
        ("title:", 1, "expected a word or a phrase right after title:"),
        ("title: data", 1, "expected a word or a phrase right after title:"),
        ("data in*tern", 8, "* marks a prefix at the end of a word"),
        ("data **", 6, "* marks a prefix at the end of a word"),
        ("#in*tern", 4, "* marks a prefix at the end of a word"),
        ("salary>=25", 7, "comparisons work on pay, hours, age and deadline"),
        ("a=b", 2, "comparisons work on pay, hours, age and deadline"),
        ("pay>=25", 1, "pay needs a period such as /h or /y (pay>=25/h)"),
        ("pay>=25/fortnight", 1, "pay needs a period such as /h or /y"),
        ("pay>=", 6, "expected a number after pay>= (pay>=25/h)"),
        ("pay>=x/h", 6, "expected a number after pay>="),
        ("hours<=40d", 1, "hours needs h (hours<=40)"),
        ("age<=3", 1, "age needs h, d or w (age<=3d)"),
        ("x deadline>=7y", 3, "deadline needs h, d or w"),
        ("pay:high", 1, "pay: takes only unknown; compare with pay>=25/h"),
        ("type:boss", 1, "type: is one of micro-internship, internship, gig, contract"),
        ("remote:maybe", 1, "remote: is yes, no or unknown"),
        ("data /intern(ship)?/", 6, "write a regular expression as regex:/.../"),
        ("regex:intern", 1, "expected /pattern/ right after regex:"),
        ("regex:/intern", 1, "unclosed regex:/.../"),
        ("regex:/a/b", 10, "expected a space after the closing / of regex:"),
        ("regex://", 1, "empty regular expression"),
        ("data regex:/(a/", 6, "bad regular expression: missing )"),
        ("regex:/(a)\\1/", 1, "bad regular expression: invalid escape sequence"),
        ("tag:#", 1, "expected a tag name"),
        ('data title:""', 6, "empty phrase"),
        ("title:-", 1, "nothing to search for"),
    ],
)
def test_syntax_error_for_fields_numbers_and_regexes_names_column_and_problem(
    query: str, position: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile(query)
    assert caught.value.position == position
    assert caught.value.message.startswith(message)


def test_regular_expressions_longer_than_the_limit_are_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="limited to 500 characters"):
        compile("regex:/" + "a" * 501 + "/")


def test_regular_expression_too_big_for_re2_memory_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="bad regular expression"):
        compile("regex:/((a{100}){100}){100}/")


def test_quoting_a_field_name_searches_for_it_as_written() -> None:
    assert compile('"foo:bar"').canonical == '"foo:bar"'


def test_query_syntax_error_is_a_value_error() -> None:
    assert issubclass(QuerySyntaxError, ValueError)


def test_check_query_returns_the_error_message() -> None:
    assert check_query("data science OR") == "col 14: expected a term after OR"


def test_check_query_returns_none_for_a_good_query() -> None:
    assert check_query('data #microinternship -senior OR "micro internship"') is None
