"""Distributed tagging on a real Redis: the writer queues what it stores, tag workers (real
models, no database) tag it, the writer stores the results; the labels equal a plain
``groundswell tag`` run's, and a tag worker killed mid-batch loses nothing and tags nothing
twice."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.scaleout.keys import (
    STREAM_KEY,
    TAG_QUEUE_KEY,
    TAGGER_GROUP,
    TAGS_KEY,
    WRITER_GROUP,
    connect,
)
from groundswell.scaleout.streams import GroupReader
from groundswell.scaleout.tag_queue import queue_mentions, read_tag_entry, result_fields
from groundswell.scaleout.tag_results import TagResultWriter
from groundswell.store import open_db, save_mentions
from groundswell.tagging.tagger import MentionTags, mentions_to_tag
from tests.conftest import mention
from tests.redis_server import REDIS_SERVER
from tests.test_scale_out import (
    HERE,
    assert_nothing_left,
    log_of,
    start,
    start_writer,
    wait_for,
)

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (make redis installs it)"
)
CONFIG = """[crawl]
download_delay = 0.0

[[monitor]]
name = "Acme"
query = "acme"

[[monitor]]
name = "Zen"
query = "zenlytics"
competitor = true
"""
SLOW = ("Acme Helpdesk has been slow all week and the tickets pile up while the dashboard "
        "keeps timing out for our whole support team")  # fmt: skip
MENTIONS = [
    mention("m01", SLOW, rating=1.0, kind="review", author="ann",
            published_at="2026-11-01T00:00:00Z"),
    mention("m02", SLOW.replace("whole", "entire"), author="bob",
            published_at="2026-11-02T00:00:00Z"),  # a re-post with an edit: a near duplicate
    mention("m03", "Zenlytics is so much better than Acme for reporting, switching next month",
            published_at="2026-11-03T00:00:00Z"),
    mention("m04", "Der Kundendienst von Acme antwortet leider nie auf unsere Anfragen",
            published_at="2026-11-04T00:00:00Z"),
    mention("m05", "How do I export my Acme dashboards to CSV? The button is greyed out.",
            title="Export question", kind="question", is_question=True,
            published_at="2026-11-05T00:00:00Z"),
    mention("m06", "Please add a dark mode to Acme, I would love to use it at night.",
            published_at="2026-11-06T00:00:00Z"),
    mention("m07", "Great app!", rating=5.0, kind="review", author="cy",
            published_at="2026-11-07T00:00:00Z"),
    mention("m08", "Great app!", rating=5.0, kind="review", author="cy",
            published_at="2026-11-08T00:00:00Z"),  # the same short text, same author: a copy
    mention("m09", "Love the new onboarding flow, setup took five minutes and support was kind",
            rating=5.0, kind="review", published_at="2026-11-09T00:00:00Z"),
    mention("m10", "The app crashes every time I open the billing page since the update",
            rating=2.0, kind="review", published_at="2026-11-10T00:00:00Z"),
    mention("m11", "Acme announces its new pricing for teams", kind="article",
            published_at="2026-11-11T00:00:00Z"),
    mention("m12", "Pricing is fair and the API docs are clear; the mobile app could be faster",
            rating=4.0, kind="review", published_at="2026-11-12T00:00:00Z"),
]  # fmt: skip
TAG_COLUMNS = ("id, lang, out_of_domain, duplicate_of, rating_sentiment, sentiment, text_sentiment, "
               "sentiment_disagrees, sentiment_score, sentiment_confidence, sentiment_model, intent, "
               "intent_confidence")  # fmt: skip


def tag_config(folder: Path) -> Path:
    path = folder / "groundswell.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def tags_of(db_path: Path) -> dict:
    """Every tag the tagging stages write, per table, in a stable order."""
    db = open_db(db_path)
    assert db.execute("select count(*) from mentions where tagged_at is null").fetchone()[0] == 0
    tables = {"mentions": f"select {TAG_COLUMNS} from mentions"}
    for table in ("mention_topics", "keyphrases", "mention_monitors", "mention_vectors"):
        tables[table] = f"select * from {table}"
    return {name: sorted((tuple(row) for row in db.execute(sql)), key=repr)
            for name, sql in tables.items()}  # fmt: skip


@pytest.fixture(scope="module")
def plain_tags(tmp_path_factory) -> dict:
    """The tags of a single-process ``groundswell tag`` run over MENTIONS (one batch)."""
    folder = tmp_path_factory.mktemp("plain")
    save_mentions(open_db(folder / "g.db"), MENTIONS)
    result = CliRunner().invoke(cli, ["tag", "--config", str(tag_config(folder)), "--db",
                                      str(folder / "g.db"), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    tags = tags_of(folder / "g.db")
    assert len(tags["mention_vectors"]) >= 2 and tags["mention_monitors"]  # the test tests
    assert {row[3] for row in tags["mentions"]} >= {"m01", "m07"}  # duplicates found
    return tags


def send_mentions(redis_url: str, mentions: list[dict]) -> None:
    """What crawl workers send: one stream entry per mention."""
    client = connect(redis_url)
    for row in mentions:
        client.xadd(STREAM_KEY, {"mention": json.dumps(row)})


def start_tag_worker(tmp_path, name, redis_url, config, *extra, child=None):
    return start(tmp_path, name, "tag-worker", "--redis", redis_url, "--config", str(config),
                 "--batch", "3", "--exit-when-idle", "3", *extra, child=child)  # fmt: skip


def assert_no_tagging_left(redis_url: str) -> None:
    assert_nothing_left(redis_url)
    client = connect(redis_url)
    assert client.xpending(TAG_QUEUE_KEY, TAGGER_GROUP)["pending"] == 0
    assert client.xpending(TAGS_KEY, WRITER_GROUP)["pending"] == 0


def test_two_tag_workers_tag_what_the_writer_stores_as_a_plain_tag_run_does(
    tmp_path, redis_server, plain_tags
):
    config = tag_config(tmp_path)
    workers = [start_tag_worker(tmp_path, f"tagger{i}", redis_server.url, config)
               for i in (1, 2)]  # fmt: skip
    wait_for(lambda: all("tagging mentions" in log_of(tmp_path, f"tagger{i}") for i in (1, 2)),
             timeout=120)  # both have loaded their models  # fmt: skip
    send_mentions(redis_server.url, MENTIONS)
    writer = start_writer(tmp_path, "writer", redis_server.url, config, "--tag-workers")
    assert [worker.wait(120) for worker in workers] == [0, 0]
    assert writer.wait(60) == 0
    assert tags_of(tmp_path / "g.db") == plain_tags
    assert "12 mention(s) queued for the tag workers, 12 tag result(s) stored" in log_of(
        tmp_path, "writer"
    )
    for name in ("tagger1", "tagger2"):  # both took batches
        assert "tag worker stopped: 0 mention(s)" not in log_of(tmp_path, name)
    assert_no_tagging_left(redis_server.url)


def test_a_tag_worker_killed_mid_batch_loses_nothing_and_tags_nothing_twice(
    tmp_path, redis_server, plain_tags
):
    config = tag_config(tmp_path)
    crashing = start_tag_worker(tmp_path, "crashing", redis_server.url, config,
                                child=[sys.executable, str(HERE / "tag_worker_crash_child.py")])  # fmt: skip
    survivor = start_tag_worker(tmp_path, "survivor", redis_server.url, config,
                                "--claim-after", "1")  # fmt: skip
    wait_for(lambda: all("tagging mentions" in log_of(tmp_path, name)
                         for name in ("crashing", "survivor")), timeout=120)  # fmt: skip
    send_mentions(redis_server.url, MENTIONS)  # both are waiting: each takes a first batch
    writer = start_writer(tmp_path, "writer", redis_server.url, config, "--tag-workers")
    assert crashing.wait(120) == -9  # killed itself with its first batch tagged, not published
    assert survivor.wait(120) == 0 and writer.wait(60) == 0
    assert tags_of(tmp_path / "g.db") == plain_tags
    assert "12 tag result(s) stored" in log_of(tmp_path, "writer")  # each mention's once
    # the crashing worker died holding its first batch and, if it read one ahead, a second
    taken = re.search(r"12 mention\(s\) tagged in 4 batch\(es\); (\d+) taken over",
                      log_of(tmp_path, "survivor"))  # fmt: skip
    assert taken and int(taken.group(1)) in (3, 6)
    assert_no_tagging_left(redis_server.url)


def test_the_writer_queues_each_new_mention_once_even_when_killed_before_its_ack(
    tmp_path, redis_server
):
    config = tag_config(tmp_path)
    send_mentions(redis_server.url, MENTIONS)
    send_mentions(redis_server.url, MENTIONS)  # stored again unchanged: queued already
    crash_env = {**os.environ, "CRASH_AFTER_BATCHES": "1"}
    crashing = start_writer(tmp_path, "crashing", redis_server.url, config, "--tag-workers",
                            "--batch", "12", env=crash_env,
                            child=[sys.executable, str(HERE / "writer_crash_child.py")])  # fmt: skip
    assert crashing.wait(60) == -9  # the first 12 committed, neither queued nor acknowledged
    client = connect(redis_server.url)
    assert client.xlen(TAG_QUEUE_KEY) == 0
    writer = start_writer(tmp_path, "writer", redis_server.url, config, "--tag-workers",
                          "--batch", "12")  # the same consumer: its pending batch first  # fmt: skip
    wait_for(lambda: client.xlen(STREAM_KEY) == 0)
    writer.terminate()
    assert writer.wait(30) == 0
    queued = [json.loads(f[b"mention"])["id"] for _, f in client.xrange(TAG_QUEUE_KEY)]
    assert sorted(queued) == [m["id"] for m in MENTIONS]


def test_a_result_for_a_mention_edited_since_it_was_queued_is_dropped(tmp_path, redis_server):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("m1", "The first text")])
    client = connect(redis_server.url)
    send_result(client, db, "m1")
    save_mentions(db, [mention("m1", "The edited text")])  # its tags are cleared again
    results = TagResultWriter(client, db, "writer", dedupe=False)
    assert results.store_batch() == 1
    assert (results.stored, results.dropped) == (0, 1)
    assert db["mentions"].get("m1")["tagged_at"] is None  # waits for its new text's result
    assert client.xlen(TAGS_KEY) == 0 and client.xpending(TAGS_KEY, WRITER_GROUP)["pending"] == 0


def send_result(client, db, mention_id: str) -> None:
    """A tag worker's result for a stored mention (no models: only its tagged_at)."""
    queued = mentions_to_tag(db, [mention_id])[0]
    tags, vector = result_fields(MentionTags(mention_id, {"tagged_at": "2026-12-01T00:00:00Z"}),
                                 queued["content_hash"])  # fmt: skip
    client.xadd(TAGS_KEY, {"tags": tags, "vector": vector})


def test_no_mention_is_made_a_duplicate_of_one_deleted_since_the_index_was_loaded(
    tmp_path, redis_server
):
    db = open_db(tmp_path / "g.db")
    client = connect(redis_server.url)
    results = TagResultWriter(client, db, "writer")
    save_mentions(db, [mention("m1", SLOW, published_at="2026-11-01T00:00:00Z")])
    send_result(client, db, "m1")
    assert results.store_batch() == 1  # the index is loaded, m1 in it
    db.execute("delete from mentions where id = 'm1'")  # pruned by another process
    db.conn.commit()
    save_mentions(db, [mention("m2", SLOW, published_at="2026-11-02T00:00:00Z")])
    send_result(client, db, "m2")
    assert results.store_batch() == 1
    assert db["mentions"].get("m2")["duplicate_of"] is None


def test_a_writer_killed_before_acknowledging_results_stores_them_when_restarted(
    tmp_path, redis_server
):
    db = open_db(tmp_path / "g.db")
    client = connect(redis_server.url)
    save_mentions(db, [mention("m1"), mention("m2", "Another text")])
    for mention_id in ("m1", "m2"):
        send_result(client, db, mention_id)
    killed = TagResultWriter(client, db, "writer")
    assert len(killed.reader.next_entries(None)) == 2  # read, then killed: nothing stored
    assert client.xpending(TAGS_KEY, WRITER_GROUP)["pending"] == 2
    restarted = TagResultWriter(client, db, "writer")
    assert restarted.store_batch() == 2 and restarted.stored == 2
    assert db.execute("select count(*) from mentions where tagged_at is null").fetchone()[0] == 0
    assert client.xlen(TAGS_KEY) == 0 and client.xpending(TAGS_KEY, WRITER_GROUP)["pending"] == 0


def test_tag_with_redis_queues_the_untagged_mentions_not_queued_yet(tmp_path, redis_server):
    from groundswell.config import parse_config
    from groundswell.schedule.jobs import JobSpec
    from groundswell.schedule.runner import Runner

    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("m1"), mention("m2", "Another text"), mention("m3", "A third")])
    db.execute("update mentions set tagged_at = '2026-12-01T00:00:00Z' where id = 'm3'")
    db.conn.commit()
    client = connect(redis_server.url)
    with client.pipeline() as pipe:
        queue_mentions(pipe, mentions_to_tag(db, ["m1"]))  # the writer queued it already
        pipe.execute()
    args = ["tag", "--redis", redis_server.url, "--config", str(tag_config(tmp_path)), "--db",
            str(tmp_path / "g.db")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "queued 1 mention(s) for the tag workers (1 already queued)" in result.output
    assert "no tag worker has read the queue in the last 30 s" in result.output  # none runs
    queued = [json.loads(f[b"mention"])["id"] for _, f in client.xrange(TAG_QUEUE_KEY)]
    assert sorted(queued) == ["m1", "m2"]
    run = open_db(tmp_path / "g.db")["tag_runs"].rows_where(order_by="id desc", limit=1)
    assert [(r["status"], r["message"]) for r in run] == [
        ("ok", "queued 1 mention(s) for the tag workers (1 already queued)")
    ]
    status = CliRunner().invoke(cli, ["status", "--config", args[4], "--db", args[-1]]).output
    assert "last tag run: ok (started" in status and "queued 1 mention(s) for the tag" in status
    GroupReader(client, TAG_QUEUE_KEY, TAGGER_GROUP, "worker-a", 10, 30.0).read(">", None)
    result = CliRunner().invoke(cli, args)  # a worker has just read: no warning
    assert "queued 0 mention(s) for the tag workers (2 already queued)" in result.output
    assert "no tag worker has read" not in result.output
    runner = Runner(parse_config({}, None), "g.toml", "g.db", redis_server.url, tag_workers=True)
    spec = JobSpec("tag", None, {"config_path": "g.toml", "db_path": "g.db"}, "1h", 3600)
    assert runner.command_for(spec)[-3:] == ["g.db", "--redis", redis_server.url]
    assert runner.writer_command()[-1] == "--tag-workers"


def test_tag_workers_that_have_gone_leave_the_group_once_they_hold_nothing(redis_server):
    client = connect(redis_server.url)
    readers = {name: GroupReader(client, TAG_QUEUE_KEY, TAGGER_GROUP, name, 1, 30.0)
               for name in ("gone", "holding", "me")}  # fmt: skip
    with client.pipeline() as pipe:
        queue_mentions(pipe, [{"id": "m1"}])
        pipe.execute()
    assert readers["holding"].next_entries(None)  # delivered, not acknowledged
    readers["gone"].next_entries(None)
    readers["me"].next_entries(None)
    time.sleep(0.05)
    assert readers["me"].forget_idle_consumers(0.01) == 1
    names = {c["name"] for c in client.xinfo_consumers(TAG_QUEUE_KEY, TAGGER_GROUP)}
    assert names == {b"holding", b"me"}


def test_a_tag_worker_reads_a_batch_ahead_and_tags_each_entry_once(redis_server):
    from groundswell.config import parse_config
    from groundswell.scaleout.tag_queue import read_result
    from groundswell.scaleout.tag_worker import TagWorker
    from groundswell.tagging.tagger import Tagger

    client = connect(redis_server.url)
    with client.pipeline() as pipe:
        queue_mentions(pipe, [{**row, "content_hash": f"h-{row['id']}"} for row in MENTIONS[:7]])
        pipe.execute()
    tagger = Tagger(parse_config({}, None), stages=["language", "monitors"])  # no model needed
    worker = TagWorker(client, tagger, "tagger", batch=3)
    held_at_publish = []
    publish = worker.publish

    def publish_counting_held(entry_ids, results):
        held_at_publish.append(client.xpending(TAG_QUEUE_KEY, TAGGER_GROUP)["pending"])
        publish(entry_ids, results)

    worker.publish = publish_counting_held
    assert worker.tag_waiting(block_ms=100) == 7
    assert held_at_publish == [6, 4, 1]  # the next batch was read before this one was published
    assert (worker.totals.batches, worker.totals.tagged, worker.totals.published) == (3, 7, 7)
    results = [read_result(fields) for _, fields in client.xrange(TAGS_KEY)]
    assert sorted(r.tags.mention_id for r in results) == [m["id"] for m in MENTIONS[:7]]
    assert {r.content_hash for r in results} == {f"h-{m['id']}" for m in MENTIONS[:7]}
    assert all(r.tags.columns["lang"] for r in results)
    assert client.xlen(TAG_QUEUE_KEY) == 0 and worker.reader.claimed == 0
    assert worker.tag_waiting(block_ms=100) == 0  # nothing left, nothing tagged again


def test_a_batch_read_ahead_is_not_read_again_as_pending(redis_server):
    client = connect(redis_server.url)
    with client.pipeline() as pipe:
        queue_mentions(pipe, [{"id": f"m{i}"} for i in range(5)])
        pipe.execute()
    reader = GroupReader(client, TAG_QUEUE_KEY, TAGGER_GROUP, "tagger", 2, 30.0)
    first = reader.next_entries(None)
    second = reader.next_entries(None, holding={entry_id for entry_id, _ in first})
    assert not {entry_id for entry_id, _ in first} & {entry_id for entry_id, _ in second}
    restarted = GroupReader(client, TAG_QUEUE_KEY, TAGGER_GROUP, "tagger", 2, 30.0)
    again = restarted.next_entries(None)  # after a restart: its own pending entries first
    assert again == first
    held = {entry_id for entry_id, _ in again}
    assert restarted.next_entries(None, holding=held) == second  # then the rest it held
    held |= {entry_id for entry_id, _ in second}
    assert [read_tag_entry(f)["id"] for _, f in restarted.next_entries(None, holding=held)] == [
        "m4"
    ]
