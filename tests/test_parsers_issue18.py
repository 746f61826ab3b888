"""Issue 18: the new platform parsers on real recorded pages, field fixes (time zones, Stack
Exchange community wiki / asked date / banners, FAQ pages) and the ``partial`` health state.

Pages marked SYNTHETIC below are small hand-written examples of a documented format (no real
recorded page of it was found); every other page is a real recording (MANIFEST.tsv).
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from groundswell.alerts.rules import BAD_CRAWL_STATUSES, failing_streak
from groundswell.crawl.parsers import (
    appstore,
    disqus,
    github,
    google_places,
    hackernews_html,
    lemmy,
    reddit_html,
    registry,
    schema_org,
    stackexchange,
    vbulletin,
)
from groundswell.crawl.parsers.fallback import check_coverage
from groundswell.crawl.parsers.structure import page_zone
from groundswell.crawl.run import crawl_status
from tests.conftest import groundswell, json_lines, write_config

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read(path: str) -> str:
    return (FIXTURES / path).read_bytes().decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- real pages


def test_hackernews_item_html_2013() -> None:
    url = "https://news.ycombinator.com/item?id=4992617"
    text = read("forum_html/hackernews_item_who_is_hiring_2013.html")
    assert registry.detect_parser(url, "", text) is hackernews_html
    mentions = hackernews_html.parse(text, url)
    assert len(mentions) == 205  # the story + 204 span.comment
    story, first, reply = mentions[:3]
    assert (story["kind"], story["author"], story["site_id"]) == (
        "question",
        "whoishiring",
        "4992617",
    )
    assert story["title"] == "Ask HN: Who is hiring? (January 2013)"
    assert (first["author"], first["parent_site_id"]) == ("joelg87", "4992617")
    assert first["body"].startswith("Buffer (http://bufferapp.com)")
    assert "I hope you are having a fantastic day" in first["body"]  # <p> outside span.comment
    assert (reply["author"], reply["parent_site_id"]) == ("dshah", first["site_id"])
    assert reply["url"] == "https://news.ycombinator.com/item?id=4993404"
    assert all(m.get("author") and m.get("published_at") for m in mentions)


def test_hackernews_item_html_current_layout() -> None:
    # SYNTHETIC: the current layout's markup (tr.athing.comtr, td.ind[indent], span.age[title])
    page = """<html><head><title>x | Hacker News</title></head><body><center><table>
    <tr class="athing submission" id="41"><td class="title"><span class="titleline">
    <a href="https://example.com">Acme ships v2</a></span></td></tr>
    <tr><td class="subtext"><span class="subline">by <a href="user?id=pg" class="hnuser">pg</a>
    <span class="age" title="2024-05-01T10:00:00 1714557600"><a href="item?id=41">1 hour ago</a>
    </span> | <a href="item?id=41">2 comments</a></span></td></tr></table>
    <table class="comment-tree">
    <tr class="athing comtr" id="42"><td><table><tr><td class="ind" indent="0"></td><td>
    <a href="user?id=amy" class="hnuser">amy</a> <span class="age" title="2024-05-01T11:00:00">
    <a href="item?id=42">1 hour ago</a></span><div class="comment"><div class="commtext c00">
    Acme support never answered.</div></div></td></tr></table></td></tr>
    <tr class="athing comtr" id="43"><td><table><tr><td class="ind" indent="1"></td><td>
    <a href="user?id=bob" class="hnuser">bob</a> <span class="age" title="2024-05-01T12:00:00">
    </span><div class="comment"><div class="commtext c00">Same here.</div></div></td></tr>
    </table></td></tr></table></center>
    <span>ycombinator.com</span></body></html>"""
    url = "https://news.ycombinator.com/item?id=41"
    assert registry.detect_parser(url, "", page) is hackernews_html
    story, first, reply = hackernews_html.parse(page, url)
    assert (story["title"], story["published_at"]) == ("Acme ships v2", "2024-05-01T10:00:00")
    assert (first["author"], first["parent_site_id"]) == ("amy", "41")
    assert (reply["author"], reply["parent_site_id"], reply["body"]) == ("bob", "42", "Same here.")


def test_old_reddit_thread_html() -> None:
    url = "https://www.reddit.com/r/science/comments/579v6t/"
    text = read("forum_html/old_reddit_thread_science_ama_2016.html")
    assert registry.detect_parser(url, "", text) is reddit_html
    mentions = reddit_html.parse(text, url)
    assert len(mentions) == 72  # the submission + 71 div.thing[data-type=comment]
    post, sticky = mentions[:2]
    assert (post["site_id"], post["author"]) == ("t3_579v6t", "AmGeophysicalU-AMA")
    assert post["published_at"] == "2016-10-13T11:59:35+00:00"
    assert (sticky["site_id"], sticky["author"], sticky["parent_site_id"]) == (
        "t1_d8q4lwg", "nate", "t3_579v6t")  # fmt: skip
    nested = [m for m in mentions if m.get("parent_site_id", "").startswith("t1_")]
    assert nested and all(m["kind"] == "comment" for m in mentions[1:])


def test_vbulletin2_something_awful() -> None:
    url = "https://forums.somethingawful.com/showthread.php?threadid=3526065&pagenumber=17"
    text = read("forum_html/vbulletin2_somethingawful_showthread.html")
    assert registry.detect_parser(url, "", text) is vbulletin
    mentions = vbulletin.parse(text, url)
    assert len(mentions) == 40  # table.post#post<ID>
    first = mentions[0]
    assert first["kind"] == "comment"  # page 17: the thread starts on page 1
    assert (first["site_id"], first["author"]) == ("411639264", "Pickled Tink")
    assert first["published_at"] == "2013-01-18T19:28:00"  # "Jan 18, 2013  7:28 PM"
    assert first["body"] == "Lets not give them an excuse to pull the nomination shall we?"
    assert all(m.get("author") and m.get("published_at") for m in mentions)


def test_vbulletin4_customised_dates_day_first() -> None:
    url = "https://www.pocketpc.ch/windows-phone-7-allgemein/122760-x-34.html"
    text = read("forum_html/vbulletin4_pocketpc_ch_showthread.html")
    assert registry.detect_parser(url, "", text) is vbulletin
    mentions = vbulletin.parse(text, url)
    assert len(mentions) == 20
    assert (mentions[0]["author"], mentions[0]["published_at"]) == (
        "Predator",
        "2011-03-03T14:17:00",
    )  # fmt: skip  "03.03.2011, 14:17"
    assert all(m.get("published_at") for m in mentions)


def test_github_issue_and_comments() -> None:
    issue = github.parse(read("forum_api_json/github_issue_187.json"), "")
    assert [(m["site_id"], m["author"], m["title"]) for m in issue] == [
        ("187", "sigmavirus24", "Document two factor auth")]  # fmt: skip
    text = read("forum_api_json/github_issue_187_comments.json")
    assert registry.detect_parser("", "", text) is github
    comments = github.parse(text, "")
    assert [(m["author"], m["published_at"]) for m in comments] == [
        ("esacteksab", "2014-01-08T01:48:28Z"),
        ("sigmavirus24", "2014-01-08T01:51:45Z"),
        ("esacteksab", "2014-01-08T01:57:03Z"),
    ]
    assert {m["parent_site_id"] for m in comments} == {"187"}
    assert comments[0]["thread_url"] == "https://github.com/sigmavirus24/github3.py/issues/187"


def test_github_graphql_discussion() -> None:
    # SYNTHETIC: a GraphQL discussion with a reply (the shape of GitHub's documented schema)
    data = {"data": {"repository": {"discussion": {
        "number": 7, "title": "How do I export?", "body": "?", "url": "https://github.com/a/b/discussions/7",
        "author": {"login": "amy"}, "createdAt": "2024-01-01T00:00:00Z",
        "comments": {"nodes": [{"id": "DC_1", "body": "Use the CLI", "author": {"login": "bob"},
                                "createdAt": "2024-01-02T00:00:00Z", "url": "https://github.com/a/b/discussions/7#c1",
                                "replies": {"nodes": [{"id": "DC_2", "body": "thanks", "author": {"login": "amy"},
                                                       "createdAt": "2024-01-03T00:00:00Z",
                                                       "url": "https://github.com/a/b/discussions/7#c2"}]}}]}}}}}  # fmt: skip
    posts = github.parse(json.dumps(data), "https://api.github.com/graphql")
    assert [(m["kind"], m["author"], m.get("parent_site_id")) for m in posts] == [
        ("question", "amy", None), ("comment", "bob", "7"), ("comment", "amy", "DC_1")]  # fmt: skip


def test_google_places_reviews() -> None:
    text = read("review_api_json/google_places_details_sydney_office.json")
    assert registry.detect_parser("", "", text) is google_places
    reviews = google_places.parse(text, "")
    assert [(r["author"], r["rating"], r["published_at"]) for r in reviews[:2]] == [
        ("Boosher", 5, 1516564292), ("Julie Curtis", 1, 1509494417)]  # fmt: skip
    assert len({r["site_id"] for r in reviews}) == 5
    assert reviews[0]["thread_url"] == "https://maps.google.com/?cid=10281119596374313554"


# --------------------------------------------------------------------------- synthetic formats


def test_lemmy_comment_list_paths_give_parents() -> None:
    # SYNTHETIC: /api/v3/comment/list as lemmy-js-client documents it
    data = {"comments": [
        {"comment": {"id": 1, "content": "first", "path": "0.1", "post_id": 9, "published": "2023-06-20T12:00:00.5",
                     "ap_id": "https://lemmy.ml/comment/1"}, "creator": {"name": "amy", "actor_id": "x"},
         "post": {"id": 9, "ap_id": "https://lemmy.ml/post/9"}, "counts": {}},
        {"comment": {"id": 2, "content": "reply", "path": "0.1.2", "post_id": 9, "published": "2023-06-20T13:00:00Z",
                     "ap_id": "https://lemmy.ml/comment/2"}, "creator": {"name": "bob", "actor_id": "y"},
         "post": {"id": 9, "ap_id": "https://lemmy.ml/post/9"}, "counts": {}}]}  # fmt: skip
    text = json.dumps(data)
    assert registry.detect_parser("", "", text) is lemmy
    first, reply = lemmy.parse(text, "")
    assert (first["parent_site_id"], first["published_at"]) == ("9", "2023-06-20T12:00:00.5Z")
    assert (reply["author"], reply["parent_site_id"]) == ("bob", "c1")


def test_disqus_embed_thread_data() -> None:
    # SYNTHETIC: the embed page's JSON island as disqus.com/embed/comments serves it
    thread = {"response": {"thread": {"link": "https://blog.example.com/post"}, "posts": [
        {"id": "10", "parent": None, "message": "<p>Great <b>post</b></p>", "createdAt": "2019-05-01T10:00:00",
         "author": {"name": "Amy"}},
        {"id": "11", "parent": 10, "message": "<p>Agreed</p>", "createdAt": "2019-05-01T11:00:00",
         "author": {"name": "Bob"}, "isDeleted": False},
        {"id": "12", "parent": 10, "message": "", "isDeleted": True, "author": {}}]}}  # fmt: skip
    page = f'<html><body><script type="text/json" id="disqus-threadData">{json.dumps(thread)}</script></body></html>'
    assert registry.detect_parser("", "", page) is disqus
    first, reply = disqus.parse(page, "https://disqus.com/embed/comments/?x")
    assert (first["body"], first["published_at"], first["url"]) == (
        "Great post", "2019-05-01T10:00:00Z", "https://blog.example.com/post#comment-10")  # fmt: skip
    assert (reply["author"], reply["parent_site_id"]) == ("Bob", "10")


def test_appstore_atom_feed_gives_reviews_not_articles() -> None:
    # SYNTHETIC: the customer-reviews feed in its /xml form (the same entries as the JSON form)
    feed = """<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns:im="http://itunes.apple.com/rss" xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
    <id>https://mzstoreservices-int-st.itunes.apple.com/us/rss/customerreviews/id=123/sortby=mostrecent/xml</id>
    <title>iTunes Store: Customer Reviews</title>
    <link rel="alternate" type="text/html" href="https://apps.apple.com/us/app/acme/id123?uo=2"/>
    <entry><updated>2024-06-10T12:00:00-07:00</updated><id>11094465346</id><title>Crashes</title>
    <content type="text">Crashes on launch since the update.</content><im:rating>1</im:rating>
    <im:version>2.1</im:version><author><name>sam</name><uri>https://itunes.apple.com/us/reviews/id1</uri></author>
    <link rel="related" href="https://apps.apple.com/us/review?id=123&amp;type=Purple%20Software"/></entry>
    </feed>"""
    url = "https://itunes.apple.com/us/rss/customerreviews/id=123/sortby=mostrecent/xml"
    assert registry.detect_parser(url, "", feed) is appstore
    (review,) = appstore.parse(feed, url)
    assert (review["kind"], review["rating"], review["author"], review["site_id"]) == (
        "review", 1, "sam", "11094465346")  # fmt: skip
    assert review["url"].startswith("https://apps.apple.com/us/review?id=123")
    assert review["published_at"] == "2024-06-10T12:00:00-07:00"
    assert appstore.follow_urls(feed, url) == []


# --------------------------------------------------------------------------- field fixes


def test_forum_time_zone_declarations() -> None:
    assert str(page_zone("<p>All times are <span>UTC+09:00</span></p>")) == "UTC+09:00"
    assert str(page_zone("All times are GMT -5. The time now is 10:31 AM.")) == "UTC-05:00"
    assert str(page_zone("All times are UTC + 1 hour [ <abbr>DST</abbr> ]")) == "UTC+02:00"
    assert page_zone("no declaration here") is None


SO_QUESTION = """<html><head><link rel="canonical" href="https://stackoverflow.com/questions/1/x">
<script src="https://cdn.sstatic.net/x.js"></script></head><body itemscope
itemtype="https://schema.org/QAPage"><div id="question-header"><h1>How do I x?</h1></div>
<div id="question" class="question" data-questionid="1"><div class="postcell">
<div class="s-prose js-post-body"><aside class="s-notice js-post-notice"><b>Locked.</b> This question
and its answers are locked because the question is off-topic.</aside><p>I want to x.</p></div>
<div class="post-signature"><div class="user-action-time">edited
<span title="2012-03-04 10:00:00Z" class="relativetime">Mar 4 '12</span></div>
<div class="user-details"><a href="/users/7/dave">Dave</a></div></div>
<div class="post-signature owner"><div class="user-action-time">asked
<span title="2009-01-02 08:00:00Z" class="relativetime">Jan 2 '09</span></div>
<div class="user-details"><a href="/posts/1/revisions">11 revs, 7 users 58%</a><br>
<a href="/users/42/carol">Carol</a></div></div></div></div>
<div id="answer-2" class="answer" data-answerid="2"><div class="s-prose js-post-body"><p>Do y.</p></div>
<div class="post-signature"><div class="user-action-time">answered
<span title="2009-01-03 09:00:00Z" class="relativetime">Jan 3 '09</span></div>
<div class="user-details"><a href="/posts/2/revisions">3 revs, 2 users 90%</a></div></div></div>
</body></html>"""


def test_stackexchange_community_wiki_asked_date_and_banners() -> None:
    # SYNTHETIC: Stack Overflow's community-wiki signatures as its pages show them
    question, answer = stackexchange.parse(SO_QUESTION, "https://stackoverflow.com/questions/1")
    assert question["published_at"] == "2009-01-02T08:00:00+00:00"  # asked, not edited (2012)
    assert question["author"] == "Carol"  # the top contributor, not "11 revs, 7 users 58%"
    assert question["body"] == "I want to x."  # the "Locked." banner is not the post
    assert answer["author"] == "community wiki"
    assert answer["published_at"] == "2009-01-03T09:00:00+00:00"


def test_stackexchange_answers_api_without_question_id() -> None:
    data = {"items": [{"answer_id": 5, "owner": {"display_name": "amy"}, "creation_date": 1,
                       "body": "<p>x</p>"}], "has_more": False, "quota_max": 1, "quota_remaining": 1}  # fmt: skip
    (answer,) = stackexchange.parse(json.dumps(data), "https://api.stackexchange.com/2.3/answers/5")
    assert "thread_url" not in answer and answer["url"] == "https://stackoverflow.com/a/5"


def test_publisher_faq_is_not_a_mention() -> None:
    # SYNTHETIC: an @graph whose FAQPage points at top-level Question nodes by @id
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "FAQPage", "@id": "https://acme.test/faq#page", "mainEntity": [{"@id": "https://acme.test/faq#q1"}]},
        {"@type": "Question", "@id": "https://acme.test/faq#q1", "name": "Does Acme export CSV?",
         "acceptedAnswer": {"@type": "Answer", "text": "Yes."}},
        {"@type": "Question", "name": "Is there an API?", "acceptedAnswer": {"@type": "Answer", "text": "Yes."}}]}  # fmt: skip
    page = f'<html><head><script type="application/ld+json">{json.dumps(graph)}</script></head><body>x</body></html>'
    assert schema_org.parse(page, "https://acme.test/faq") == []


# --------------------------------------------------------------------------- partial health

MUMSNET_LIKE = (
    """<html><head><title>Thread</title><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Acme broke",
 "text": "Acme's app lost my photos.", "author": {"@type": "Person", "name": "OP"},
 "datePublished": "2024-02-01T09:00:00Z"}</script></head><body><h1>Acme broke</h1>
<div class="thread">"""
    + "".join(
        f"""<div class="talk-post" id="post_{n}"><div class="post-header"><span class="nick">user{n}</span>
<time datetime="2024-02-01T{10 + n}:00:00Z">1 Feb 2024</time></div>
<div class="post-body"><p>Reply number {n}: the same happened to me with Acme.</p></div></div>"""
        for n in range(1, 9)
    )
    + "</div></body></html>"
)


def test_partial_page_is_read_by_structure_under_auto_and_flagged_otherwise() -> None:
    url = "http://127.0.0.1/talk/thread"
    assert registry.detect_parser(url, "", MUMSNET_LIKE) is schema_org
    opening = schema_org.parse(MUMSNET_LIKE, url)
    assert len(opening) == 1
    auto = check_coverage(MUMSNET_LIKE, url, "schema_org", opening, auto=True)
    assert (auto.kind, len(auto.mentions), auto.partial) == ("discussion", 8, False)
    assert "holds 1 of the page's 8 posts" in auto.note
    chosen = check_coverage(MUMSNET_LIKE, url, "schema_org", opening, auto=False)
    assert chosen.partial and len(chosen.mentions) == 1
    assert "partial" in chosen.note and "8 post-like blocks" in chosen.note


def test_partial_status_is_reported_warned_and_alerted(tmp_path, replay) -> None:
    root, base = replay
    (root / "thread.html").write_text(MUMSNET_LIKE)
    url = f"{base}/thread.html"
    extracted = groundswell("extract", url, "--kind", "schema_org", "--json")
    assert extracted.returncode == 0
    assert len(json_lines(extracted.stdout)) == 1
    assert "partial" in extracted.stderr and "warning" in extracted.stderr
    config = write_config(tmp_path / "g.toml", [{"name": "talk", "kind": "schema_org", "url": url}])
    db_path = tmp_path / "g.db"
    for _ in range(2):
        assert groundswell("crawl", "--config", str(config), "--db", str(db_path)).returncode == 0
    db = sqlite_utils.Database(db_path)
    runs = list(db.query("select status, message from crawl_runs"))
    assert [r["status"] for r in runs] == ["partial", "partial"]
    assert "8 post-like blocks" in runs[0]["message"]
    assert "partial" in BAD_CRAWL_STATUSES and len(failing_streak(db, "talk")) == 2


def test_crawl_status_partial_only_without_errors() -> None:
    assert crawl_status({"groundswell/parsed": 1, "groundswell/partial": 1}, []) == "partial"
    assert crawl_status({"groundswell/parsed": 1, "groundswell/partial": 1}, ["x"]) == "error"
    assert crawl_status({"groundswell/parsed": 3}, []) == "ok"


# --------------------------------------------------------------------------- total on garbage

NEW_KINDS = ("reviews", "discussion", "article", "hackernews_html", "reddit_html", "github",
             "lemmy", "disqus", "google_places", "appstore", "vbulletin")  # fmt: skip
GARBAGE = ["", "plain text", "{}", "[]", "null", '{"data": 5}', '{"reviews": "x"}',
           "<html><body>oops</body></html>", b"\xff\xfe<html>\x00", "<" * 5000,
           "<div>" * 3000 + "deep" + "</div>" * 3000,
           '<feed xmlns="http://www.w3.org/2005/Atom"><entry><im:rating>x</im:rating></entry>',
           '<script type="text/json" id="disqus-threadData">{not json</script>',
           "window.isoData = {broken"]  # fmt: skip


def test_new_parsers_are_total_on_garbage() -> None:
    from groundswell.crawl.parsers import ParseError

    for kind in NEW_KINDS:
        module = registry.parser_for_kind(kind)
        for garbage in GARBAGE:
            module.matches("http://127.0.0.1/x", "", garbage)
            try:
                assert isinstance(module.parse(garbage, "http://127.0.0.1/x"), list)
            except ParseError:
                pass
