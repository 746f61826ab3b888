"""The community pass on small hand-made threads: reply graph, ties, defences, candidate
advocates, experts for open questions and incremental ideas (no model: tags and vectors are
written directly)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import numpy as np
import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.community import run_community_pass
from groundswell.community.advocates import find_advocates
from groundswell.community.defenders import find_defences
from groundswell.community.experts import find_experts
from groundswell.community.ideas import IdeaError, build_ideas, idea_id, set_idea_status
from groundswell.community.intent import decide
from groundswell.community.interactions import build_interactions, find_interactions
from groundswell.community.ties import compute_ties
from groundswell.community.vectors import save_vectors
from groundswell.config import parse_config
from groundswell.store import open_db, save_mentions
from tests.conftest import mention

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
CONFIG = parse_config(
    {"source": [{"name": "s", "kind": "reddit", "url": "http://127.0.0.1/x",
                 "vendor_accounts": ["Acme_Support"]}],
     "monitor": [{"name": "Acme", "query": "acme"},
                 {"name": "Zen", "query": "zenlytics", "competitor": True}]},
    None,
)  # fmt: skip


def post(db, mention_id, author, body="", parent=None, thread="t1", tags=None, **fields):
    """Store a mention as the crawler would, then its tags as the tagger would."""
    save_mentions(db, [mention(mention_id, body or f"text of {mention_id}", author=author,
                               parent_id=parent, thread_url=f"http://127.0.0.1/{thread}",
                               **fields)])  # fmt: skip
    tags = dict(tags or {})
    monitors = tags.pop("monitors", [])
    stances = tags.pop("stances", {})
    if tags:
        db["mentions"].update(mention_id, tags)
    for name in monitors:
        db["mention_monitors"].insert(
            {"mention_id": mention_id, "monitor": name, "competitor": int(name == "Zen"),
             "stance": stances.get(name)},
            pk=("mention_id", "monitor"), replace=True,
        )  # fmt: skip


def unit(*values) -> np.ndarray:
    vector = np.zeros(8, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def vectors(db, **by_id) -> None:
    save_vectors(db, [{"mention_id": k, "space": "student", "vector": v} for k, v in by_id.items()])


# --- the reply graph -------------------------------------------------------------------------


def test_replies_answers_quotes_and_staff_are_told_apart(db):
    post(
        db,
        "q",
        "ann",
        "How do I export tickets?",
        is_question=1,
        published_at="2026-11-01T10:00:00Z",
    )
    post(db, "a1", "bob", "Use the CSV export.", parent="q", published_at="2026-11-01T11:00:00Z")
    post(
        db,
        "r1",
        "ann",
        "Thanks @bob, that worked",
        parent="a1",
        published_at="2026-11-01T12:00:00Z",
    )
    post(db, "r2", "cat", "Agree with @bob and @ann", parent="r1")
    post(db, "self", "ann", "Update: solved", parent="q")
    post(db, "v", "acme_support", "We added this in 4.2", parent="q")
    rows = {(r["mention_id"], r["kind"], r["to_author"]): r
            for r in find_interactions(db, ["Acme_Support"])}  # fmt: skip
    assert set(rows) == {
        ("a1", "answer", "ann"),  # a reply to a question by someone else
        ("r1", "reply", "bob"),  # ann's thanks: @bob is the one replied to, not a quote
        ("r2", "reply", "ann"), ("r2", "quote", "bob"),  # cat names bob too
        ("v", "answer", "ann"),
    }  # fmt: skip
    assert rows[("v", "answer", "ann")]["staff"] == 1
    assert rows[("a1", "answer", "ann")]["staff"] == 0
    assert rows[("r2", "quote", "bob")]["target_id"] == "a1"


def test_a_discourse_post_replies_to_the_post_it_names(db):
    """Discourse posts all point at the topic; reply_to_post_number names the post answered."""
    raw = {"post_number": 1}
    post(db, "t", "ann", "Is SSO supported?", is_question=1, source_kind="discourse", raw=raw)
    post(db, "p2", "bob", "Yes, SAML.", parent="t", source_kind="discourse", raw={"post_number": 2})
    post(db, "p3", "cat", "Which IdPs?", parent="t", source_kind="discourse",
         raw={"post_number": 3, "reply_to_post_number": 2})  # fmt: skip
    kinds = {(r["mention_id"], r["kind"], r["to_author"]) for r in find_interactions(db)}
    assert kinds == {("p2", "answer", "ann"), ("p3", "reply", "bob")}


def test_ties_follow_the_documented_formula(db):
    rows = [
        {"from_author": "ann", "to_author": "bob", "platform": "reddit", "at": "2026-11-10T00:00:00Z",
         "words": 50, "sentiment_score": 0.6, "staff": 0},
        {"from_author": "ann", "to_author": "bob", "platform": "reddit", "at": "2026-11-15T00:00:00Z",
         "words": 200, "sentiment_score": -0.2, "staff": 0},
        {"from_author": "bob", "to_author": "ann", "platform": "reddit", "at": "2026-10-21T00:00:00Z",
         "words": 0, "sentiment_score": None, "staff": 1},
    ]  # fmt: skip
    db["interactions"].insert_all([{**r, "mention_id": f"m{i}", "kind": "reply"}
                                   for i, r in enumerate(rows)])  # fmt: skip
    [tie] = compute_ties(db, NOW, half_life_days=10)
    assert (tie["author_a"], tie["author_b"], tie["a_to_b"], tie["b_to_a"]) == ("ann", "bob", 2, 1)
    assert tie["frequency"] == pytest.approx(1 - math.exp(-3 / 5), abs=1e-4)
    assert tie["recency"] == pytest.approx(0.5 ** (5 / 10), abs=1e-4)  # last: 5 days before NOW
    assert tie["reciprocity"] == 0.5
    intensity = ((0.25 + 0.3) + (0.5 + 0.1) + 0.0) / 3
    assert tie["intensity"] == pytest.approx(intensity, abs=1e-4)
    strength = 0.4 * tie["frequency"] + 0.2 * tie["recency"] + 0.2 * 0.5 + 0.2 * intensity
    assert tie["strength"] == pytest.approx(strength, abs=1e-3)
    assert tie["tone"] == pytest.approx(0.2, abs=1e-4) and tie["staff"] == 1


# --- defenders and advocates -----------------------------------------------------------------


def critic_thread(db):
    post(db, "c", "critic", "Acme is useless, support never answers",
         tags={"sentiment": "negative", "sentiment_score": -0.9, "monitors": ["Acme"]})  # fmt: skip
    post(db, "d", "dana", "Not my experience: their support answered in an hour", parent="c",
         tags={"sentiment": "positive", "sentiment_score": 0.8})  # fmt: skip
    post(db, "v", "acme_support", "Sorry to hear that! DM us", parent="c",
         tags={"sentiment": "positive", "sentiment_score": 0.7})  # fmt: skip
    post(db, "z", "zed", "Just switch to Zenlytics, it is great", parent="c",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Zen"]})  # fmt: skip
    post(db, "n", "nay", "Yes, Acme is awful", parent="c",
         tags={"sentiment": "negative", "sentiment_score": -0.8, "monitors": ["Acme"]})  # fmt: skip


def test_a_positive_reply_under_a_negative_post_about_the_brand_is_a_defence(db):
    critic_thread(db)
    build_interactions(db, ["acme_support"])
    defences = find_defences(db)
    # the vendor's reply, the praise of a competitor and the agreeing reply are no defence
    assert [(d["mention_id"], d["monitor"], d["defender"], d["critic"]) for d in defences] == [
        ("d", "Acme", "dana", "critic")
    ]


def test_a_reply_read_positive_without_confidence_is_a_defence_only_when_a_person_says_so(db):
    from groundswell.store.corrections import save_correction

    critic_thread(db)
    post(db, "g", "gus", "Glad it is not just us. The inbox is still slow this morning.",
         parent="c", tags={"sentiment": "positive", "sentiment_score": 0.49})  # fmt: skip
    build_interactions(db, ["acme_support"])
    assert [d["defender"] for d in find_defences(db)] == ["dana"]  # 0.49: not confident
    save_correction(db, "g", "sentiment", "positive", "ana")
    save_correction(db, "d", "sentiment", "negative", "ana")  # a person's word wins both ways
    assert [d["defender"] for d in find_defences(db)] == ["gus"]


def test_questions_and_an_askers_thanks_in_their_own_thread_make_no_advocate(db):
    tags = {"sentiment": "positive", "sentiment_score": 0.95, "monitors": ["Acme"]}
    post(db, "q", "amber", "Acme and Shopify: is two-way sync possible?", thread="t7",
         kind="question", is_question=1, tags=tags)  # fmt: skip
    post(db, "a", "helper", "Switch on the Shopify app, it syncs both ways", parent="q",
         thread="t7", kind="comment", tags=tags)  # fmt: skip
    post(db, "t", "amber", "Thanks, that worked for our Acme setup.", parent="a", thread="t7",
         kind="comment", tags=tags)  # fmt: skip
    post(db, "s", "amber", "Appreciate it, Acme support will hear from me too", parent="a",
         thread="t7", kind="comment", tags=tags)  # fmt: skip
    post(db, "r1", "rita", "Acme's automation rules save us hours", thread="t8", tags=tags)
    post(db, "r2", "rita", "Two years on Acme and still happy", thread="t9", tags=tags)
    assert [a["author"] for a in find_advocates(db)] == ["rita"]


def test_candidate_advocates_need_repeated_positive_mentions_and_link_their_evidence(db):
    critic_thread(db)
    post(db, "p1", "dana", "Acme's SLA timers are great", thread="t2",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]},
         raw={"score": 12})  # fmt: skip
    post(db, "p2", "once", "Acme is nice", thread="t3",
         tags={"sentiment": "positive", "sentiment_score": 0.6, "monitors": ["Acme"]})  # fmt: skip
    post(db, "p3", "acme_support", "Acme 4.2 is out, we love it", thread="t4",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]})  # fmt: skip
    post(db, "p4", "acme_support", "Acme rocks", thread="t5",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]})  # fmt: skip
    report = run_community_pass(db, CONFIG, NOW)
    assert report.defences == 1
    [dana] = find_advocates(db, ["acme_support"])  # "once" has one mention; the vendor is out
    assert (dana["author"], dana["monitor"], dana["positive_mentions"], dana["defences"]) == (
        "dana", "Acme", 1, 1)  # fmt: skip
    assert dana["reach"] == 12
    assert dana["score"] == pytest.approx((1 + 2) * (1 + math.log10(13)), abs=1e-3)
    assert set(json.loads(dana["evidence"])) == {"d", "p1"}
    stored = list(db.query("select author from candidate_advocates"))
    assert stored == [{"author": "dana"}]
    assert [r["defender"] for r in db.query("select * from defenders")] == ["dana"]


def test_praising_one_brand_for_leaving_another_advocates_only_the_one_chosen(db):
    """Twice "we moved to Acme from Zenlytics": an Acme advocate, not a Zenlytics one."""
    tags = {"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme", "Zen"],
            "stances": {"Zen": "passed_over"}}  # fmt: skip
    post(db, "s1", "sam", "We moved to Acme from Zenlytics and love it", thread="t2", tags=tags)
    post(db, "s2", "sam", "Acme beats Zenlytics, we switched from Zenlytics", thread="t3",
         tags=tags)  # fmt: skip
    assert [(a["author"], a["monitor"]) for a in find_advocates(db)] == [("sam", "Acme")]


def test_a_post_that_passes_the_brand_over_is_a_negative_parent_for_it(db):
    """ "Zenlytics handled this better than Acme" reads positive (about Zenlytics), yet it runs
    Acme down: a positive reply about Acme under it is a defence of Acme, not of Zenlytics."""
    post(db, "c", "critic", "Zenlytics handled this better than Acme",
         tags={"sentiment": "positive", "sentiment_score": 0.8, "monitors": ["Acme", "Zen"],
               "stances": {"Acme": "passed_over", "Zen": "preferred"}})  # fmt: skip
    post(db, "d", "dana", "Not my experience: Acme support answered in an hour", parent="c",
         tags={"sentiment": "positive", "sentiment_score": 0.8, "monitors": ["Acme"]})  # fmt: skip
    post(db, "e", "eve", "We left Acme for Zenlytics and love it", parent="c",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme", "Zen"],
               "stances": {"Acme": "passed_over"}})  # fmt: skip
    build_interactions(db, ["acme_support"])
    assert [(d["defender"], d["monitor"]) for d in find_defences(db)] == [("dana", "Acme")]


# --- experts for open questions --------------------------------------------------------------


def test_experts_are_those_who_answered_similar_questions(db):
    post(db, "q1", "ann", "How do I set SLA escalation?", thread="t1", is_question=1, answered=1)
    post(db, "a1", "eve", "Settings > SLA > escalate", parent="q1", thread="t1")
    post(db, "a1v", "acme_support", "See the docs", parent="q1", thread="t1")
    post(db, "q2", "bob", "Export to CSV?", thread="t2", is_question=1, answered=1)
    post(db, "a2", "fay", "Reports > export", parent="q2", thread="t2")
    post(db, "open", "cat", "Can SLA escalations notify a second team?", thread="t3", is_question=1)
    post(db, "own", "eve", "Why does eve ask?", thread="t4", is_question=1)
    vectors(db, q1=unit(1, 0.1), q2=unit(0, 1), open=unit(1, 0.2), own=unit(1, 0.15))
    build_interactions(db, ["acme_support"])
    rows = find_experts(db, ["acme_support"], min_similarity=0.8)
    by_question = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    assert [r["expert"] for r in by_question["open"]] == ["eve"]  # not fay, not the vendor
    assert json.loads(by_question["open"][0]["past_answers"]) == ["a1"]
    assert json.loads(by_question["open"][0]["similar_questions"]) == ["q1"]
    assert "own" not in by_question  # eve asked it herself


def test_the_experts_view_lists_open_questions_only(db):
    test_experts_are_those_who_answered_similar_questions(db)
    run_community_pass(db, CONFIG, NOW)
    assert [(r["question_id"], r["expert"]) for r in db.query("select * from experts")] == [
        ("open", "eve")]  # fmt: skip
    db["mentions"].update("open", {"answered": 1})
    assert list(db.query("select * from experts")) == []


# --- ideas ----------------------------------------------------------------------------------


def request(db, mention_id, vector, when="2026-11-01T00:00:00Z", **fields):
    post(db, mention_id, fields.pop("author", mention_id), f"please add {mention_id}",
         thread=mention_id, published_at=when,
         tags={"intent": "feature_request", "sentiment_score": 0.2}, **fields)  # fmt: skip
    vectors(db, **{mention_id: vector})


def test_feature_requests_cluster_into_ideas_that_keep_their_ids(db):
    request(db, "dark1", unit(1, 0.05), "2026-11-01T00:00:00Z", raw={"score": 3})
    request(db, "dark2", unit(1, 0.1), "2026-11-02T00:00:00Z")
    request(db, "slack", unit(0, 1), "2026-11-03T00:00:00Z")
    db["keyphrases"].insert_all([{"mention_id": "dark1", "phrase": "dark mode", "score": 0.9},
                                 {"mention_id": "dark2", "phrase": "dark mode", "score": 0.8},
                                 {"mention_id": "dark2", "phrase": "night", "score": 0.5}],
                                pk=("mention_id", "phrase"))  # fmt: skip
    assert build_ideas(db, distance=0.2) == 2
    ideas = {r["id"]: r for r in db.query("select * from ideas")}
    dark = ideas[idea_id("dark1")]
    assert (dark["mentions"], dark["authors"], dark["votes"], dark["name"]) == (
        2,
        2,
        3,
        "dark mode",
    )
    assert dark["first_seen"] == "2026-11-01T00:00:00Z" and dark["status"] == "new"
    assert idea_id("slack") in ideas
    set_idea_status(db, idea_id("dark1")[:12], "planned")
    # a new request in other words joins the planned idea; the ids stay
    request(db, "dark3", unit(1, 0.15), "2026-11-05T00:00:00Z")
    assert build_ideas(db, distance=0.2) == 2
    dark = next(db.query("select * from ideas where id = ?", [idea_id("dark1")]))
    assert (dark["mentions"], dark["status"], dark["last_seen"]) == (
        3,
        "planned",
        "2026-11-05T00:00:00Z",
    )
    # re-tagged as something else: the mention leaves; an emptied new idea disappears
    db["mentions"].update("slack", {"intent": "other"})
    build_ideas(db, distance=0.2)
    assert [r["id"] for r in db.query("select id from ideas")] == [idea_id("dark1")]


def test_a_second_run_changes_nothing(db):
    request(db, "a", unit(1, 0.05))
    request(db, "b", unit(0, 1))
    run_community_pass(db, CONFIG, NOW)
    first = list(db.query("select id, name, mentions from ideas order by id"))
    run_community_pass(db, CONFIG, NOW)
    assert list(db.query("select id, name, mentions from ideas order by id")) == first


def test_an_unknown_status_or_idea_is_a_one_line_error(db):
    request(db, "a", unit(1))
    build_ideas(db, distance=0.2)
    with pytest.raises(IdeaError, match="unknown status"):
        set_idea_status(db, idea_id("a"), "someday")
    with pytest.raises(IdeaError, match="no idea"):
        set_idea_status(db, "idea-nope", "planned")


# --- intent rule and the command line --------------------------------------------------------


@pytest.mark.parametrize(
    ("probabilities", "asks", "expected"),
    [
        ([0.1, 0.1, 0.6, 0.1, 0.1], True, "question"),  # praise-ish, but it asks
        ([0.7, 0.1, 0.1, 0.05, 0.05], True, "feature_request"),  # "could you add...?"
        ([0.1, 0.6, 0.1, 0.1, 0.1], True, "bug_report"),  # "why does it crash?"
        ([0.1, 0.1, 0.6, 0.1, 0.1], False, "praise"),
    ],
)
def test_a_question_is_a_question_unless_it_requests_or_reports(probabilities, asks, expected):
    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    label, confidence = decide(classes, np.array(probabilities), asks)
    assert label == expected and 0 < confidence <= 1


def test_asking_how_is_a_question_and_thresholds_demote_a_weak_class():
    from groundswell.community.intent import asks_how

    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    weak_request = np.array([0.45, 0.1, 0.3, 0.1, 0.05])
    assert decide(classes, weak_request, False)[0] == "feature_request"
    assert decide(classes, weak_request, False, {"feature_request": 0.5})[0] == "praise"
    assert decide(classes, weak_request, True, how_to=True)[0] == "question"
    assert asks_how({"title": "How do I export tickets?"})
    assert asks_how({"body": "Ask HN: how can we route tickets by language?"})
    assert not asks_how({"title": "Is there a way to get dark mode?", "body": "Please add it"})


def test_a_shared_link_or_an_article_is_other_whatever_its_tone():
    """A Hacker News or Reddit link post is only its headline: it shares news, it does not
    praise or complain. A title-only post that asks, or one with text, is read as usual."""
    from groundswell.community.intent import shares_a_link

    assert shares_a_link({"kind": "post", "title": "Acme Helpdesk introduces a free plan"})
    assert shares_a_link({"kind": "article", "title": "Acme raises prices", "body": "Text."})
    assert not shares_a_link({"kind": "post", "title": "How do I merge tickets in Acme?"})
    assert not shares_a_link({"kind": "post", "title": "Acme is great", "body": "Love it."})
    assert not shares_a_link({"kind": "review", "title": "Five stars"})


def test_ideas_and_advocates_commands_list_and_set(tmp_path):
    db_path = tmp_path / "g.db"
    db = open_db(db_path)
    request(db, "a", unit(1, 0.05))
    request(db, "b", unit(1, 0.1))
    critic_thread(db)
    post(db, "p1", "dana", "Acme's SLA timers are great", thread="t2",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]})  # fmt: skip
    config = tmp_path / "g.toml"
    config.write_text('[[source]]\nname = "s"\nkind = "reddit"\nurl = "http://127.0.0.1/x"\n'
                      'vendor_accounts = ["acme_support"]\n', encoding="utf-8")  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(cli, ["community", "--db", str(db_path), "--config", str(config)])
    assert done.exit_code == 0 and "1 defences" in done.output, done.output
    listed = runner.invoke(cli, ["ideas", "--db", str(db_path), "--json"])
    [idea] = [json.loads(line) for line in listed.output.splitlines()]
    assert idea["mentions"] == 2 and idea["id"] == idea_id("a")
    assert "idea-" in runner.invoke(cli, ["ideas", "--db", str(db_path)]).output
    changed = runner.invoke(cli, ["ideas", "status", idea["id"], "shipped", "--db", str(db_path)])
    assert changed.exit_code == 0 and "shipped" in changed.output
    bad = runner.invoke(cli, ["ideas", "status", "idea-zzz", "shipped", "--db", str(db_path)])
    assert bad.exit_code == 1 and "no idea" in bad.output and "Traceback" not in bad.output
    people = runner.invoke(cli, ["advocates", "--db", str(db_path), "--json"])
    assert [json.loads(line)["author"] for line in people.output.splitlines()] == ["dana"]
    defenders = runner.invoke(cli, ["advocates", "--defenders", "--db", str(db_path)])
    assert "dana" in defenders.output


# --- the unanswered-question alert: who could answer -----------------------------------------


@pytest.mark.parametrize("suggest", [True, False])
def test_an_unanswered_question_alert_can_say_who_could_answer(tmp_path, db, suggest):
    from groundswell.alerts.messages import render_alert
    from groundswell.alerts.outbox import evaluate_rules
    from groundswell.config import load_config

    test_experts_are_those_who_answered_similar_questions(db)
    db["mentions"].update("open", {"published_at": "2026-11-19T00:00:00Z", "kind": "question"})
    run_community_pass(db, CONFIG, NOW)
    path = tmp_path / "g.toml"
    path.write_text(
        '[[advocate]]\nname = "alice"\nemail = "alice@example.test"\n\n'
        f'[[alert_rule]]\nkind = "unanswered_question"\nsuggest_experts = {str(suggest).lower()}\n',
        encoding="utf-8",
    )  # fmt: skip
    evaluate_rules(db, load_config(path), NOW)
    [alert] = [dict(r) for r in db.query("select * from alerts where mention_id = 'open'")]
    message = render_alert(alert, NOW)
    if suggest:
        assert json.loads(alert["details"])["who_could_answer"][0]["expert"] == "eve"
        assert "Who could answer: eve on reddit (answered 1 similar question, e.g. " in message.text
        assert "http://127.0.0.1/a1" in message.text and "Who could answer" in message.html
    else:
        assert "Who could answer" not in message.text


# --- the weekly digest ------------------------------------------------------------------------


def test_the_digest_shows_new_ideas_and_defenders_of_its_week(db):
    from groundswell.digest.data import IsoWeek, collect_digest_data
    from groundswell.digest.render import render_html, render_markdown

    critic_thread(db)
    for mention_id in ("c", "d", "v", "z", "n"):
        db["mentions"].update(mention_id, {"published_at": "2026-11-11T09:00:00Z"})
    request(db, "dark1", unit(1, 0.05), "2026-11-10T00:00:00Z")
    request(db, "dark2", unit(1, 0.1), "2026-11-12T00:00:00Z", author="other")
    request(db, "old", unit(0, 1), "2026-10-01T00:00:00Z")
    run_community_pass(db, CONFIG, NOW)
    data = collect_digest_data(db, CONFIG, IsoWeek(2026, 46))  # 9 to 15 November
    assert [(i.id, i.mentions, i.authors) for i in data.community.new_ideas] == [
        (idea_id("dark1"), 2, 2)]  # fmt: skip
    assert [(d.defender, d.critic) for d in data.community.defences] == [("dana", "critic")]
    page, text = render_html(data), render_markdown(data)
    for shown in (page, text):
        assert "New ideas this week" in shown and "A defender stepped in" in shown
        assert "their support answered in an hour" in shown and "2 requests from 2 people" in shown
    empty = collect_digest_data(db, CONFIG, IsoWeek(2026, 38))
    assert empty.community.is_empty and "Community" not in render_html(empty)


def test_thanking_whoever_answered_you_is_no_defence(db):
    """The asker's thanks (positive) under an answer the sentiment model read as negative."""
    post(db, "q", "asker", "How do I escalate VIP tickets in Acme?", is_question=1,
         tags={"sentiment": "neutral", "monitors": ["Acme"]})  # fmt: skip
    post(db, "a", "helper", "Acme hides it: Admin > SLA, then add an escalation step", parent="q",
         tags={"sentiment": "negative", "sentiment_score": -0.5, "monitors": ["Acme"]})  # fmt: skip
    post(db, "t", "asker", "That worked, thank you! Acme escalates them now", parent="a",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]})  # fmt: skip
    post(db, "x", "bystander", "Acme's SLA features are great once set up", parent="a",
         tags={"sentiment": "positive", "sentiment_score": 0.8, "monitors": ["Acme"]})  # fmt: skip
    build_interactions(db)
    assert [d["defender"] for d in find_defences(db)] == ["bystander"]


def test_forgetting_an_author_removes_them_from_the_community_tables(db):
    from groundswell.store.retention import forget_author

    critic_thread(db)
    post(db, "p1", "dana", "Acme's SLA timers are great", thread="t2",
         tags={"sentiment": "positive", "sentiment_score": 0.9, "monitors": ["Acme"]})  # fmt: skip
    run_community_pass(db, CONFIG, NOW)
    assert db.execute("select count(*) from ties where 'dana' in (author_a, author_b)").fetchone()[
        0
    ]
    forget_author(db, "DANA")
    for table, columns in (
        ("interactions", "from_author, to_author"),
        ("ties", "author_a, author_b"),
        ("candidate_advocates", "author"),
        ("defences", "defender, critic"),
    ):
        found = db.execute(f"select count(*) from {table} where 'dana' in ({columns})").fetchone()[
            0
        ]
        assert found == 0, table


# --- the intent stage with the shipped models -------------------------------------------------


@pytest.mark.slow
def test_the_intent_stage_tags_and_keeps_vectors_for_questions_and_requests(db):
    from groundswell.config import Config
    from groundswell.tagging.tagger import Tagger, tag_untagged

    texts = {
        "fr": "Please add a dark mode to the inbox, we would love it for night shifts.",
        "q": "How do I export all tickets to CSV?",
        "praise": "Love this app, our whole team uses it every day. Five stars!",
    }
    save_mentions(db, [mention(key, text) for key, text in texts.items()])
    tag_untagged(db, Tagger(Config(), db=db))
    intents = dict(db.execute("select id, intent from mentions"))
    assert intents == {"fr": "feature_request", "q": "question", "praise": "praise"}
    assert {r[0] for r in db.execute("select mention_id from mention_vectors")} == {"fr", "q"}
    [space] = {r[0] for r in db.execute("select space from mention_vectors")}
    assert space == "student"


def test_a_vendor_accounts_post_is_other_whatever_its_tone(db):
    """The vendor's support answering ("Glad the sync works now, happy to help!") is not a
    customer's praise, and a vendor account's "please add" does not seed an idea."""
    from groundswell.config import Config
    from groundswell.tagging.tagger import Tagger, tag_untagged

    texts = {
        "reply": "Glad the Slack sync works for you now, happy to help any time! Dana, Acme",
        "ask": "Please add a dark mode to the inbox, we would love it for night shifts.",
    }
    rows = [mention(key, text) for key, text in texts.items()]
    for row in rows:
        row["author"] = "Acme_Support"
    save_mentions(db, rows)
    config = Config.model_validate({"community": {"vendor_accounts": ["acme_support"]}})
    tag_untagged(db, Tagger(config, db=db))
    assert dict(db.execute("select id, intent from mentions")) == {"reply": "other", "ask": "other"}
    db.execute("update mentions set tagged_at = null, intent = null")
    tag_untagged(db, Tagger(Config(), db=db))
    assert dict(db.execute("select id, intent from mentions")) == {
        "reply": "praise", "ask": "feature_request"}  # fmt: skip


def test_an_idea_is_named_by_its_own_phrases_not_the_brand_every_idea_names():
    from collections import Counter

    from groundswell.community.ideas import idea_name

    slack = [[("Acme Helpdesk", 0.7), ("two-way Slack sync", 0.84)],
             [("acme helpdesk", 0.6), ("Slack threads", 0.7)],
             [("answering tickets from slack", 0.6)]]  # fmt: skip
    frequency = Counter({"acme helpdesk": 6, "two-way slack sync": 1, "slack threads": 1,
                         "answering tickets from slack": 1})  # fmt: skip
    name, phrases = idea_name(slack, "fallback", frequency, ideas=8)
    assert phrases[0] == "two-way slack sync" and "acme helpdesk" not in phrases
    dark = [[("dark mode", 0.9), ("acme helpdesk", 0.5)], [("dark mode", 0.8)]]
    assert idea_name(dark, "fallback", frequency + Counter({"dark mode": 1}), 8)[0] == "dark mode"
    assert idea_name([[], []], "Please add X", Counter(), 1)[0] == "Please add X"


def test_a_feature_request_must_ask_for_something():
    from groundswell.community.intent import asks_for_something

    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    request = np.array([0.6, 0.1, 0.2, 0.05, 0.05])
    assert decide(classes, request, False, requests=True)[0] == "feature_request"
    assert decide(classes, request, False, requests=False)[0] == "praise"
    for text in ("Please add a dark mode", "It would be great if it synced with Slack",
                 "The one feature we miss is SSO", "Wish it had a night theme",
                 "There is no way to export tickets", "Support for SAML, please.",
                 "We need support for SCIM"):  # fmt: skip
        assert asks_for_something({"body": text}), text
    for text in ("That switch was exactly it, thanks.", "Clean and simple to use, five stars",
                 "Before we sign, I would like to know whether it has phone support",
                 "The agent workspace freezes for a few seconds after lunch",
                 "I run IT support for a B2B software company. Setup was easy."):  # fmt: skip
        assert not asks_for_something({"title": text}), text


def test_a_rated_review_the_head_is_sure_of_needs_no_request_words():
    """App reviews ask in words the cue does not know ("Needs update"); for a review with stars
    the head's sure feature request (SURE_REQUEST) waives the cue, unless the text reads
    positive. A forum post never waives it."""
    from groundswell.community.intent import SURE_REQUEST, waives_the_cue
    from groundswell.models.sentiment import SentimentResult

    neutral = SentimentResult("neutral", 0.0, 0.6, "m")
    positive = SentimentResult("positive", 0.8, 0.8, "m")
    review = {"body": "Add simple photo function", "rating": 3}
    assert waives_the_cue(review, SURE_REQUEST, neutral)
    assert not waives_the_cue(review, SURE_REQUEST - 0.01, neutral)
    assert not waives_the_cue(review, 0.9, positive)
    assert not waives_the_cue({"body": "comments not syncing back", "kind": "post"}, 0.9, neutral)


def test_vendor_posts_are_marked_as_the_config_names_them(tmp_path):
    """``by_vendor`` follows ``vendor_accounts``: trimmed, any case; an account added or removed
    later re-marks the old posts; a second pass changes nothing."""
    from groundswell.community.vendor_posts import mark_vendor_posts
    from groundswell.store import open_db

    db = open_db(tmp_path / "v.db")
    db["mentions"].insert_all([{"id": "a", "author": "Acme_Support"}, {"id": "b", "author": "kim"},
                               {"id": "c", "author": None}, {"id": "d", "author": " acme_support "}])  # fmt: skip

    def marked() -> dict:
        return {r["id"]: r["by_vendor"] for r in db.query("select id, by_vendor from mentions")}

    assert mark_vendor_posts(db, ["acme_support "]) == 2
    assert marked() == {"a": 1, "b": 0, "c": 0, "d": 1}
    assert mark_vendor_posts(db, ["acme_support", "Kim"]) == 3 and marked()["b"] == 1
    assert mark_vendor_posts(db, []) == 0 and set(marked().values()) == {0}
    assert mark_vendor_posts(db, []) == 0


def test_a_bug_report_must_name_trouble():
    """The demo's "Two incidents this year, both fixed within the hour" was a bug report: a
    text read positive that names no trouble is not one; "Great app, but..." still is."""
    from groundswell.community.intent import reports_trouble
    from groundswell.models.sentiment import sentiment_result

    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    bug = np.array([0.1, 0.6, 0.2, 0.05, 0.05])
    assert decide(classes, bug, False, trouble=True)[0] == "bug_report"
    assert decide(classes, bug, False, trouble=False)[0] == "praise"
    positive = sentiment_result(np.array([0.05, 0.1, 0.85]))
    negative = sentiment_result(np.array([0.85, 0.1, 0.05]))
    fixed = "Two incidents this year that we noticed, both fixed within the hour."
    assert not reports_trouble({"body": fixed}, positive)
    assert reports_trouble({"body": fixed}, negative)
    for text in ("Great app, but it won't open since the update", "Love it. Crashes on login",
                 "Search times out constantly", "Great app until the latest update"):  # fmt: skip
        assert reports_trouble({"title": "Five stars", "body": text}, positive), text


def test_a_question_read_neutral_must_name_trouble_to_be_a_bug_report():
    """The demo's "Redacting card numbers in Zenlytics tickets? ... Can Zenlytics mask them
    automatically?" was a bug report: a question that names no trouble asks."""
    from groundswell.community.intent import reports_trouble
    from groundswell.models.sentiment import sentiment_result

    neutral = sentiment_result(np.array([0.1, 0.8, 0.1]))
    negative = sentiment_result(np.array([0.8, 0.1, 0.1]))
    asking = {"title": "Redacting card numbers?", "body": "Can Zenlytics mask them automatically?"}
    trouble = {"title": "Notifications?", "body": "Since Monday alerts are not arriving. Anyone?"}
    assert not reports_trouble(asking, neutral, question=True)
    assert reports_trouble(asking, neutral, question=False)  # the head decides, as before
    assert reports_trouble(asking, negative, question=True)
    assert reports_trouble(trouble, neutral, question=True)
    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    bug = np.array([0.05, 0.6, 0.15, 0.1, 0.1])
    trouble_named = reports_trouble(asking, neutral, question=True)
    assert decide(classes, bug, True, requests=False, trouble=trouble_named)[0] == "question"
    assert decide(classes, bug, True, requests=False, trouble=True)[0] == "bug_report"


@pytest.mark.parametrize(
    ("rating", "sentiment", "expected"),
    [(5, [0.8, 0.1, 0.1], "praise"), (1, [0.1, 0.1, 0.8], "complaint"), (3, [0.1, 0.1, 0.8], "other"),
     (None, [0.05, 0.1, 0.85], "praise"), (None, [0.8, 0.1, 0.1], "complaint"),
     (None, [0.1, 0.8, 0.1], "other"), (None, [0.3, 0.1, 0.6], "other")],
)  # fmt: skip
def test_an_opinion_takes_the_stars_else_the_texts_polarity(rating, sentiment, expected):
    """The head said complaint; a 5-star review is praise whatever its text's tone; without
    stars, praise needs a confident positive reading (0.6 - 0.3 is not)."""
    from groundswell.community.intent import opinion_polarity

    classes = ["feature_request", "bug_report", "praise", "complaint", "other"]
    complaint = np.array([0.05, 0.05, 0.2, 0.6, 0.1])
    from groundswell.models.sentiment import sentiment_result

    polarity = opinion_polarity({"rating": rating}, sentiment_result(np.array(sentiment)))
    label, confidence = decide(classes, complaint, False, polarity=polarity)
    assert label == expected and confidence == pytest.approx(0.9)
    assert decide(classes, np.array([0.1, 0.7, 0.1, 0.05, 0.05]), False, polarity=polarity)[0] == (
        "bug_report"
    )


def test_an_idea_counts_a_phrase_its_members_say_and_never_names_itself_by_part_of_the_brand():
    from collections import Counter

    from groundswell.community.ideas import idea_name

    dark = [[("dark mode", 0.7), ("helpdesk", 0.9)], [("dark mode acme", 0.8)],
            [("night shifts", 0.6), ("screen", 0.5)], [("night shifts", 0.6), ("screen", 0.5)]]  # fmt: skip
    texts = ["Dark mode please", "Dark mode for Acme Helpdesk at night", "Dark  Mode for night shifts",
             "A dark mode, the screen is bright on night shifts"]  # fmt: skip
    frequency = Counter({"acme helpdesk": 2, "dark mode": 1, "helpdesk": 1, "night shifts": 1,
                         "screen": 1, "dark mode acme": 1})  # fmt: skip
    frequency["acme helpdesk"] = 2
    phrases = dark + [[("acme helpdesk", 0.5)]]
    name, chosen = idea_name(
        phrases, "fallback", frequency, ideas=2, texts=texts + ["Acme Helpdesk"]
    )
    assert chosen[0] == "dark mode" and "helpdesk" not in chosen
    assert idea_name(phrases, "fallback", frequency, ideas=2)[1][0] == "night shifts"
