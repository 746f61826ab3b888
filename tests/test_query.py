from __future__ import annotations

import pytest

from groundswell.tagging.query import Document, QueryError, parse_query
from tests.conftest import mention


def matches(query: str, body: str = "", title: str = "", **extra) -> bool:
    return parse_query(query).matches(mention(body=body, title=title, **extra))


# --- words, case and boundaries ---


def test_a_word_matches_case_insensitively_in_title_or_body():
    assert matches("acme", "I switched to ACME last year")
    assert matches("Acme", title="acme review")
    assert not matches("acme", "nothing to see here")


def test_words_match_on_word_boundaries_only():
    assert not matches("acme", "acmeology is not a brand")
    assert not matches("acme", "the fooacme widget")
    assert matches("acme", "Acme's support, acme-branded, (acme)!")


def test_trailing_wildcard_matches_word_prefixes_only():
    query = "integrat*"
    assert matches(query, "the integration broke")
    assert matches(query, "Integrates with Slack")
    assert matches(query, "integrat")
    assert not matches(query, "disintegrated quickly")


def test_a_term_with_punctuation_inside_matches_as_a_phrase():
    assert matches("e-mail", "send an E-Mail please")
    assert matches("e-mail", "send an e mail please")
    assert not matches("e-mail", "mail an e")


def test_chinese_terms_match_as_runs_of_characters():
    assert matches("客服", "这个软件的客服很慢")
    assert not matches("客服", "客人服务")


# --- phrases ---


def test_phrase_needs_the_words_adjacent_and_in_order():
    query = '"customer support"'
    assert matches(query, "Their Customer Support was great")
    assert matches(query, "customer, support!")  # punctuation between words is ignored
    assert not matches(query, "support for the customer")
    assert not matches(query, "customer and support")


def test_phrase_does_not_span_title_and_body():
    assert not matches('"customer support"', title="Ask the customer", body="support replied")


def test_phrase_may_end_with_a_wildcard():
    assert matches('"customer supp*"', "customer supporters unite")
    assert not matches('"customer supp*"', "customer happiness")


# --- boolean operators and precedence ---


def test_implicit_and_between_adjacent_terms():
    assert matches("acme refund", "Acme gave me a refund")
    assert not matches("acme refund", "Acme is fine")


def test_or_and_not_and_minus():
    assert matches("slow OR rude", "so rude")
    assert not matches("slow OR rude", "polite and fast")
    assert matches("acme NOT hiring", "acme support")
    assert not matches("acme NOT hiring", "acme is hiring")
    assert not matches("acme -hiring", "acme is hiring")
    assert matches("NOT hiring", "anything else")


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    assert parse_query("a OR b AND c").describe() == "(OR a (AND b c))"
    assert parse_query("a OR b c").describe() == "(OR a (AND b c))"
    assert parse_query("NOT a AND b").describe() == "(AND (NOT a) b)"
    assert parse_query("a AND NOT b OR c").describe() == "(OR (AND a (NOT b)) c)"
    # behaviour, not just shape: "x OR y z" is x, or both y and z
    assert matches("x OR y z", "only x here")
    assert not matches("x OR y z", "only y here")


def test_parentheses_override_precedence():
    assert parse_query("(a OR b) c").describe() == "(AND (OR a b) c)"
    assert matches("(slow OR rude) support", "slow support")
    assert not matches("(slow OR rude) support", "slow delivery")
    assert parse_query("NOT (a OR b)").describe() == "(NOT (OR a b))"


def test_design_example():
    query = parse_query('"customer support" AND (slow OR rude) NOT hiring')
    assert query.describe() == '(AND "customer support" (OR slow rude) (NOT hiring))'
    assert query.matches(mention(body="Customer support was slow again"))
    assert query.matches(mention(body="rude customer support agent"))
    assert not query.matches(mention(body="customer support is slow, we are hiring"))
    assert not query.matches(mention(body="support was slow"))
    assert not query.matches(mention(body="customer support was lovely"))


def test_operators_are_uppercase_only():
    assert matches("support and", "support and more")
    assert not matches("support and", "support more")


# --- NEAR ---


def test_near_matches_within_n_words_in_either_order():
    query = "acme NEAR/3 support"
    assert matches(query, "acme support")
    assert matches(query, "acme has really slow support")  # 3 words between
    assert matches(query, "support from the acme team")  # reverse order
    assert matches(query, "support at big old acme")  # reverse, 3 between


def test_near_rejects_words_too_far_apart():
    query = "acme NEAR/3 support"
    assert not matches(query, "acme has a really slow support desk")  # 4 words between
    assert not matches(query, "support is what a big old acme lacks")  # reverse, 4 between
    assert matches("acme NEAR/0 support", "acme support")
    assert not matches("acme NEAR/0 support", "acme the support")


def test_near_uses_any_pair_of_occurrences():
    text = "acme " + "filler " * 10 + "support and later acme again"
    assert matches("acme NEAR/2 support", text)


def test_near_with_phrases_groups_and_wildcards():
    assert matches('"help desk" NEAR/2 acme', "acme and its help desk")
    assert not matches('"help desk" NEAR/1 acme', "acme and its help desk")
    assert matches("(acme OR globex) NEAR/2 outage", "globex had an outage")
    assert not matches("(acme OR globex) NEAR/1 outage", "globex had an outage")
    assert matches("integrat* NEAR/1 broken", "integrations are broken")


def test_near_binds_tighter_than_not_and_and():
    assert parse_query("NOT a NEAR/2 b").describe() == "(NOT (NEAR/2 a b))"
    assert parse_query("x a NEAR/2 b").describe() == "(AND x (NEAR/2 a b))"


def test_near_does_not_pair_a_word_with_itself():
    assert not matches("acme NEAR/5 acme", "just one acme here")
    assert matches("acme NEAR/5 acme", "acme and acme")


# --- field filters ---


def test_site_matches_the_domain_and_its_subdomains():
    query = "site:example.com"
    assert matches(query, url="https://example.com/post/1")
    assert matches(query, url="https://forum.example.com/t/2")
    assert matches(query, url="https://WWW.Example.com:8080/x")
    assert not matches(query, url="https://notexample.com/a")
    assert not matches(query, url="https://example.com.evil.io/a")
    assert not matches(query, body="example.com is great")


def test_site_with_a_path_requires_that_path():
    query = "site:reddit.com/r/acme"
    assert matches(query, url="https://www.reddit.com/r/acme/comments/1")
    assert matches(query, url="https://reddit.com/r/Acme")
    assert not matches(query, url="https://reddit.com/r/acmefans/comments/1")
    assert not matches(query, url="https://reddit.com/r/other")
    assert parse_query("site:https://example.com/").describe() == "site:example.com"


def test_author_lang_and_kind_filters():
    assert matches("author:jane", author="Jane")
    assert not matches("author:jane", author="Janet")
    assert matches('author:"Jane Doe"', author="jane doe")
    assert matches("author:jan*", author="Janet")
    assert matches("lang:de", lang="de")
    assert not matches("lang:de", lang="en")
    assert not matches("lang:de")
    assert matches('kind:"review"', kind="review")
    assert not matches("kind:review", kind="post")


def test_fields_combine_with_text():
    query = parse_query("(acme OR globex) site:g2.com -kind:comment")
    review = mention(body="globex is great", kind="review", url="https://www.g2.com/r/1")
    comment = {**review, "kind": "comment"}
    elsewhere = {**review, "url": "https://reddit.com/r/1"}
    assert query.matches(review)
    assert not query.matches(comment)
    assert not query.matches(elsewhere)


def test_a_document_can_be_reused_for_many_queries():
    document = Document.from_mention(mention(body="Acme support was slow", url="https://x.io/1"))
    assert parse_query("acme slow").matches(document)
    assert parse_query("site:x.io").matches(document)
    assert not parse_query("rude").matches(document)


# --- errors point at the column ---


def error_of(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "column", "reason"),
    [
        ('"customer support" AND (slow OR rude', 37, "expected ')'"),
        ("(a OR b", 8, "expected ')'"),
        ("acme AND", 9, "expected a term after 'AND'"),
        ("OR acme", 1, "expected a term, found 'OR'"),
        ("acme OR OR b", 9, "expected a term after 'OR', found 'OR'"),
        ("a)", 2, "unexpected ')'"),
        ("()", 2, "expected a term after '(', found ')'"),
        ('acme "abc', 6, "unterminated phrase"),
        ('acme ""', 6, "empty phrase"),
        ("a NEAR/x b", 3, "expected NEAR/n"),
        ("a NEAR b", 3, "expected NEAR/n"),
        ("a NEAR/2", 9, "expected a term after 'NEAR/2'"),
        ("a NEAR/2 site:x.com", 10, "NEAR needs a word"),
        ("(a b) NEAR/2 c", 1, "NEAR needs a word"),
        ("foo:bar", 1, "unknown field 'foo:'"),
        ("acme site:", 11, "expected a value after 'site:'"),
        ("*", 1, "'*' needs at least 2 letters"),
        ("a*", 2, "'*' needs at least 2 letters"),
        ("in*tegration", 3, "'*' is only allowed at the end of a word"),
        ("lang:english", 6, "expected a language code"),
        ("site:exa*mple.com", 6, "'*' is only allowed at the end of an author"),
        ("", 1, "empty query"),
        ("acme -", 7, "expected a term after '-'"),
        ("acme NOT", 9, "expected a term after 'NOT'"),
        ("!!!", 1, "term has no letters or digits"),
    ],
)
def test_parse_errors_name_the_column(query: str, column: int, reason: str):
    error = error_of(query)
    assert (error.line, error.column) == (1, column)
    assert reason in error.reason
    assert str(error).startswith(f"query:1:{column}: {reason}")


def test_error_message_shows_the_query_and_a_caret_under_the_column():
    error = error_of('"customer support" AND (slow OR rude')
    first, query_line, caret_line = str(error).splitlines()
    assert first == "query:1:37: expected ')'"
    assert query_line.strip() == '"customer support" AND (slow OR rude'
    assert caret_line.index("^") - query_line.index('"') == 36


def test_error_on_a_later_line_counts_lines():
    error = error_of("acme\nAND (slow")
    assert (error.line, error.column) == (2, 10)
    assert str(error).splitlines()[1].strip() == "AND (slow"


def test_an_unclosed_parenthesis_at_the_end_names_it():
    error = error_of("acme (")
    assert error.column == 7
    assert error.reason == "expected a term after '(', found the end of the query"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ('"Acme Helpdesk"', ["acme helpdesk"]),
        ('acme OR "acme helpdesk" OR acmehd', ["acme", "acme helpdesk", "acmehd"]),
        ("acme AND support", []),  # which word is the brand? the monitor's name says
        ('"acme helpdesk" -"acme corp"', ["acme helpdesk"]),
        ("acme* OR site:reddit.com", []),
    ],
)
def test_brand_terms_are_the_names_a_query_looks_for_on_their_own(query, names):
    from groundswell.tagging.query import brand_terms

    assert brand_terms(parse_query(query)) == names
