"""A mention's stance toward the monitored products it names (groundswell/tagging/stance.py):
the one it left or chose against is passed over, the one it rates above another preferred."""

from __future__ import annotations

import pytest

from groundswell.config import MonitorConfig
from groundswell.tagging.monitors import MonitorMatcher
from groundswell.tagging.stance import name_pattern, stances

NAMES = {
    "Acme": name_pattern(["Acme", "acme helpdesk"]),
    "Zen": name_pattern(["Zen", "zenlytics"]),
    "Tiger": name_pattern(["Tiger", "tickettiger"]),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our 30-person desk moved to Acme Helpdesk from Zenlytics.", {"Zen": "passed_over"}),
        ("We are migrating from Zenlytics to TicketTiger next month.", {"Zen": "passed_over"}),
        ("Their onboarding team migrated everything from TicketTiger.", {"Tiger": "passed_over"}),
        ("We finally left Zenlytics after the price hike.", {"Zen": "passed_over"}),
        ("Export attachments before you leave Zenlytics.", {"Zen": "passed_over"}),
        ("Acme Helpdesk replaced Zenlytics for our team of 12.", {"Zen": "passed_over"}),
        ("Our team used to use Zenlytics and it was slow.", {"Zen": "passed_over"}),
        (
            "We evaluated Acme Helpdesk against Zenlytics and went with Acme Helpdesk.",
            {"Zen": "passed_over"},
        ),
        (
            "We are now trialing TicketTiger instead of Acme Helpdesk.",
            {"Tiger": "preferred", "Acme": "passed_over"},
        ),
        (
            "Honestly, Zenlytics looked better here in our trial than Acme Helpdesk.",
            {"Zen": "preferred", "Acme": "passed_over"},
        ),
        (
            "TicketTiger is slower than Zenlytics on big inboxes.",
            {"Tiger": "passed_over", "Zen": "preferred"},
        ),
        ("A failed deploy wiped our views. Zenlytics handled this better.", {"Zen": "preferred"}),
        (
            "We prefer TicketTiger over Zenlytics for small teams.",
            {"Tiger": "preferred", "Zen": "passed_over"},
        ),
        ("acme-helpdesk won over the team; we moved from zenlytics.", {"Zen": "passed_over"}),
    ],
)
def test_stances_read_who_was_left_and_who_was_preferred(text, expected):
    assert stances(text, NAMES) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We trialed Acme Helpdesk and TicketTiger side by side last quarter.",
        "We did not switch from Zenlytics in the end.",  # negated
        "We never left TicketTiger.",
        "Analysts read the move as a response to pressure from Zenlytics.",  # a noun
        "A database migration left Acme Helpdesk search timing out.",  # not someone leaving
        "For a team of 18, it costs us less than TicketTiger did.",  # no product rated above
        "Zenlytics made a similar change earlier this year.",
        "It took a week to get used to Zenlytics.",
        "Acme Helpdesk replaced a shared Gmail inbox.",  # not a monitored product
        "Agents stare at spinners instead of answering customers in Acme Helpdesk.",
        "Is Zenlytics better than it was last year?",
    ],
)
def test_a_product_named_without_a_choice_has_no_stance(text):
    assert stances(text, NAMES) == {}


def test_a_product_both_left_and_preferred_gets_no_stance():
    """Moved from TicketTiger, now trialing it again: what the author thinks of it is mixed."""
    text = (
        "We moved to Acme Helpdesk from TicketTiger. "
        "We are now trialing TicketTiger instead of Acme Helpdesk."
    )
    assert stances(text, NAMES) == {"Acme": "passed_over"}


def test_only_the_names_given_are_read():
    text = "We moved to Acme Helpdesk from Zenlytics."
    assert stances(text, {"Acme": NAMES["Acme"]}) == {}


def test_name_pattern_takes_every_form_and_needs_a_word():
    pattern = name_pattern(["Acme", "acme helpdesk"])
    assert pattern.search("ACME  Helpdesk is down").group(0) == "ACME  Helpdesk"
    assert pattern.search("acmecorp") is None
    assert name_pattern(["", "--"]) is None


def test_matched_rows_carry_the_stance_toward_each_monitor():
    matcher = MonitorMatcher([
        MonitorConfig(name="Acme", query='"acme helpdesk" OR acme'),
        MonitorConfig(name="Zen", query="zenlytics", competitor=True),
        MonitorConfig(name="Tiger", query="tickettiger", competitor=True),
    ])  # fmt: skip
    rows = matcher.match([
        {"id": "a", "title": "Switched", "body": "We moved to Acme Helpdesk from Zenlytics."},
        {"id": "b", "title": None, "body": "Acme and TicketTiger both have a free plan."},
    ])  # fmt: skip
    assert {(r["mention_id"], r["monitor"]): r["stance"] for r in rows} == {
        ("a", "Acme"): None,
        ("a", "Zen"): "passed_over",
        ("b", "Acme"): None,
        ("b", "Tiger"): None,
    }
