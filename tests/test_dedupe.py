from __future__ import annotations

import itertools
import random

import pytest

from groundswell.crawl.pipelines.normalize import content_hash
from groundswell.store import open_db, save_mentions
from groundswell.tagging import dedupe
from groundswell.tagging.dedupe import Deduplicator, save_duplicates
from tests.conftest import mention

REVIEW = (
    "We moved our whole support team to Acme Desk last spring. The setup took an afternoon, "
    "the Slack integration just works, and the reporting finally shows us first response "
    "times per agent. The only real complaint is the price of the analytics add-on, which "
    "doubled at renewal without much warning. Their account manager was helpful when we "
    "pushed back, and we got a discount for a two year commitment. Would recommend it."
)
# Re-posted on another site: two words changed, a sign-off added, punctuation and case edited.
SYNDICATED = (
    REVIEW.replace("last spring", "last summer").replace("afternoon", "evening").upper()
    + " (Originally posted on G2.)"
)
SAME_TOPIC = (
    "Acme Desk has been fine for our small support team, although the setup took us a full "
    "week because the Slack integration kept dropping messages. Reporting is basic, the "
    "analytics add-on is overpriced, and renewal came with a surprise price increase. Their "
    "account manager did not budge, so we are now trialling two other help desks instead."
)


def test_exact_copies_point_at_the_earliest():
    batch = [
        mention("b", REVIEW, published_at="2026-03-02T00:00:00Z", content_hash="h"),
        mention("a", REVIEW, published_at="2026-03-01T00:00:00Z", content_hash="h"),
        mention("c", REVIEW, published_at="2026-03-03T00:00:00Z", content_hash="h"),
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": "a", "c": "a"}


def test_exact_copies_are_found_without_a_content_hash():
    batch = [
        mention("a", REVIEW, published_at="2026-03-01T00:00:00Z"),
        mention("b", REVIEW, published_at=None),
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": "a"}


def test_a_reposted_text_with_small_edits_is_a_near_duplicate():
    batch = [
        mention("orig", REVIEW, published_at="2026-03-01T10:00:00Z"),
        mention(
            "copy", SYNDICATED, published_at="2026-03-04T08:00:00Z", url="https://g2.example/r/9"
        ),
    ]
    assert Deduplicator().assign(batch) == {"orig": None, "copy": "orig"}


def test_different_texts_on_the_same_topic_are_not_duplicates():
    batch = [
        mention("a", REVIEW, published_at="2026-03-01T00:00:00Z"),
        mention("b", SAME_TOPIC, published_at="2026-03-02T00:00:00Z"),
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": None}


def test_the_title_counts_as_part_of_the_text():
    batch = [
        mention("a", "Same body text here.", published_at="2026-03-01T00:00:00Z", title="First"),
        mention("b", "Same body text here.", published_at="2026-03-02T00:00:00Z", title="Second"),
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": None}


def test_the_original_is_the_earliest_whatever_the_batch_order():
    copies = [
        mention("m3", SYNDICATED, published_at="2026-03-03T00:00:00Z"),
        mention("m1", REVIEW, published_at="2026-03-01T00:00:00Z"),
        mention("m2", REVIEW, published_at="2026-03-02T00:00:00Z"),
        mention("m0", REVIEW, published_at=None),  # no date: counts as the latest
        mention("x", SAME_TOPIC, published_at="2026-02-01T00:00:00Z"),
    ]
    expected = {"m1": None, "m2": "m1", "m3": "m1", "m0": "m1", "x": None}
    for order in itertools.permutations(copies[:4]):
        assert Deduplicator().assign([*order, copies[4]]) == expected
        assert Deduplicator().assign([copies[4], *order]) == expected


def test_ties_on_date_go_to_the_lowest_id():
    batch = [mention(i, REVIEW, published_at="2026-03-01T00:00:00Z") for i in ("c", "a", "b")]
    assert Deduplicator().assign(batch) == {"a": None, "b": "a", "c": "a"}


def test_short_texts_match_only_exactly_and_only_from_the_same_author():
    batch = [
        mention("a", "Great app, love it!", published_at="2026-03-01T00:00:00Z", author="jo"),
        mention(
            "b", "great app love it", published_at="2026-03-02T00:00:00Z", author="Sam"
        ),  # 2 opinions
        mention(
            "c", "Great app, love it!", published_at="2026-03-03T00:00:00Z", author="JO"
        ),  # re-post
        mention(
            "d", "Great app, love it!!", published_at="2026-03-04T00:00:00Z", author="jo"
        ),  # not exact
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": None, "c": "a", "d": None}


def test_mentions_without_text_are_never_duplicates():
    batch = [
        mention("a", "", published_at="2026-03-01T00:00:00Z"),
        mention("b", None, published_at="2026-03-02T00:00:00Z"),
    ]
    assert Deduplicator().assign(batch) == {"a": None, "b": None}


def test_later_batches_are_compared_with_earlier_ones():
    deduplicator = Deduplicator()
    assert deduplicator.assign([mention("a", REVIEW, published_at="2026-03-01T00:00:00Z")]) == {
        "a": None
    }
    assert deduplicator.assign([mention("b", SYNDICATED, published_at="2026-03-02T00:00:00Z")]) == {
        "b": "a"
    }


def test_an_earlier_mention_arriving_later_takes_over_as_original():
    deduplicator = Deduplicator()
    deduplicator.assign([mention("late", REVIEW, published_at="2026-03-05T00:00:00Z")])
    assignments = deduplicator.assign(
        [mention("early", SYNDICATED, published_at="2026-03-01T00:00:00Z")]
    )
    assert assignments == {"early": None, "late": "early"}
    third = deduplicator.assign([mention("third", REVIEW, published_at="2026-03-09T00:00:00Z")])
    assert third == {"third": "early"}


def test_reassigning_a_mention_does_not_match_it_with_itself():
    deduplicator = Deduplicator()
    first = mention("a", REVIEW, published_at="2026-03-01T00:00:00Z")
    assert deduplicator.assign([first]) == {"a": None}
    assert deduplicator.assign([first]) == {"a": None}


def test_many_unrelated_texts_have_no_false_duplicates():
    rng = random.Random(7)
    words = REVIEW.lower().replace(".", "").replace(",", "").split()
    batch = [
        mention(
            f"m{i}",
            " ".join(rng.sample(words, 40)),
            published_at=f"2026-03-{i % 28 + 1:02d}T00:00:00Z",
        )
        for i in range(300)
    ]
    assert set(Deduplicator().assign(batch).values()) == {None}


def test_near_copies_are_found_among_many_texts_and_after_the_index_is_re_sorted(monkeypatch):
    monkeypatch.setattr(dedupe, "REBUILD_AFTER_ADDS", 5)  # re-sort the bands every few adds
    rng = random.Random(11)
    vocabulary = [f"word{i}" for i in range(3000)]
    originals = [rng.choices(vocabulary, k=60) for _ in range(60)]
    deduplicator = Deduplicator()
    for start in range(0, 60, 10):  # one batch at a time, as a runner would
        batch = [mention(f"o{i:02d}", " ".join(words), published_at="2026-01-01T00:00:00Z")
                 for i, words in enumerate(originals[start : start + 10], start=start)]  # fmt: skip
        assert set(deduplicator.assign(batch).values()) == {None}
    copies = []
    for i, words in enumerate(originals):
        edited = list(words)
        edited[rng.randrange(60)] = "changed"
        copies.append(mention(f"c{i:02d}", " ".join(edited), published_at="2026-02-01T00:00:00Z"))
    assert deduplicator.assign(copies) == {f"c{i:02d}": f"o{i:02d}" for i in range(60)}


def test_copies_within_one_batch_larger_than_the_re_sort_limit_are_found(monkeypatch):
    monkeypatch.setattr(dedupe, "REBUILD_AFTER_ADDS", 2)  # due after a few adds: sorted at the end
    rng = random.Random(5)
    vocabulary = [f"word{i}" for i in range(3000)]
    originals = [rng.choices(vocabulary, k=60) for _ in range(20)]
    deduplicator = Deduplicator()
    first = [mention(f"a{i:02d}", " ".join(words), published_at="2026-01-01T00:00:00Z")
             for i, words in enumerate(originals[:10])]  # fmt: skip
    deduplicator.assign(first)
    batch = [mention(f"o{i:02d}", " ".join(words), published_at="2026-01-02T00:00:00Z")
             for i, words in enumerate(originals[10:], start=10)]  # fmt: skip
    batch += [mention(f"c{i:02d}", " ".join(words[:-1] + ["changed"]),
                      published_at="2026-02-01T00:00:00Z") for i, words in enumerate(originals)]  # fmt: skip
    expected = {f"c{i:02d}": f"a{i:02d}" if i < 10 else f"o{i:02d}" for i in range(20)}
    assert deduplicator.assign(batch) == {**{f"o{i:02d}": None for i in range(10, 20)}, **expected}
    assert deduplicator.near_index.recent == {}  # re-sorted once the batch was assigned


# --- the database round trip ---


def saved(db, *mentions: dict) -> list[dict]:
    """Store mentions as the crawler does (with their content_hash); returns what was stored."""
    crawled = [{"content_hash": content_hash(None, m["body"]), **m} for m in mentions]
    save_mentions(db, crawled)
    return crawled


def count_hashing(monkeypatch) -> list[int]:
    calls = []
    real_signature = dedupe.SignatureMaker.signature

    def counted(self, words):
        calls.append(len(words))
        return real_signature(self, words)

    monkeypatch.setattr(dedupe.SignatureMaker, "signature", counted)
    return calls


def duplicate_of(db) -> dict[str, str | None]:
    return dict(db.execute("select id, duplicate_of from mentions order by id").fetchall())


def test_from_db_round_trip(tmp_path, monkeypatch):
    db = open_db(tmp_path / "g.db")
    first = [mention("a", REVIEW, published_at="2026-03-01T00:00:00Z"),
             mention("b", SAME_TOPIC, published_at="2026-03-02T00:00:00Z"),
             mention("c", REVIEW, published_at="2026-03-03T00:00:00Z")]  # fmt: skip
    first = saved(db, *first)
    deduplicator = Deduplicator.from_db(db)
    assignments = deduplicator.assign(first)
    save_duplicates(db, assignments, deduplicator)
    assert duplicate_of(db) == {"a": None, "b": None, "c": "a"}
    cached = db.execute("select count(*) from mention_minhash where signature is not null")
    assert cached.fetchone()[0] == 3

    # a fresh process: signatures come from the cache, and the index holds only originals
    [second] = saved(db, mention("d", SYNDICATED, published_at="2026-03-04T00:00:00Z"))
    hashed = count_hashing(monkeypatch)
    deduplicator = Deduplicator.from_db(db)
    assert set(deduplicator.originals) == {"a", "b", "d"}
    assignments = deduplicator.assign([second])
    assert assignments == {"d": "a"}
    assert len(hashed) == 1  # only d, once: from_db hashed it and assign reused that
    save_duplicates(db, assignments, deduplicator)
    assert duplicate_of(db) == {"a": None, "b": None, "c": "a", "d": "a"}


def test_an_older_mention_found_later_becomes_the_original_in_the_db(tmp_path):
    db = open_db(tmp_path / "g.db")
    later = [mention("x", REVIEW, published_at="2026-03-05T00:00:00Z"),
             mention("y", SYNDICATED, published_at="2026-03-06T00:00:00Z")]  # fmt: skip
    saved(db, *later)
    deduplicator = Deduplicator.from_db(db)
    save_duplicates(db, deduplicator.assign(later), deduplicator)
    assert duplicate_of(db) == {"x": None, "y": "x"}

    older = mention("w", REVIEW, published_at="2026-03-01T00:00:00Z")
    saved(db, older)
    deduplicator = Deduplicator.from_db(db)
    assignments = deduplicator.assign([older])
    assert assignments == {"w": None, "x": "w"}
    save_duplicates(db, assignments, deduplicator)
    assert duplicate_of(db) == {"w": None, "x": "w", "y": "w"}  # y followed x to w


def test_from_db_rehashes_edited_mentions(tmp_path):
    db = open_db(tmp_path / "g.db")
    saved(db, mention("a", REVIEW, published_at="2026-03-01T00:00:00Z", content_hash="h1"))
    Deduplicator.from_db(db)
    saved(db, mention("a", SAME_TOPIC, published_at="2026-03-01T00:00:00Z", content_hash="h2"))
    deduplicator = Deduplicator.from_db(db)
    row = db["mention_minhash"].get("a")
    assert row["content_hash"] == "h2"
    copy = mention("b", SAME_TOPIC, published_at="2026-03-02T00:00:00Z")
    assert deduplicator.assign([copy]) == {"b": "a"}


def test_save_duplicates_is_idempotent(tmp_path):
    db = open_db(tmp_path / "g.db")
    batch = [mention("a", REVIEW, published_at="2026-03-01T00:00:00Z"),
             mention("b", REVIEW, published_at="2026-03-02T00:00:00Z")]  # fmt: skip
    saved(db, *batch)
    assignments = Deduplicator().assign(batch)
    save_duplicates(db, assignments)
    save_duplicates(db, assignments)
    assert duplicate_of(db) == {"a": None, "b": "a"}


@pytest.mark.parametrize("threshold", [0.6, 0.9])
def test_threshold_is_configurable(threshold):
    batch = [mention("a", REVIEW, published_at="2026-03-01T00:00:00Z"),
             mention("b", SYNDICATED, published_at="2026-03-02T00:00:00Z")]  # fmt: skip
    expected = "a" if threshold < 0.8 else None
    assert Deduplicator(threshold=threshold).assign(batch)["b"] == expected


def test_a_database_of_only_short_texts_loads(tmp_path):
    # np.array of no signatures has no width: loading such a database crashed `tag`
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("a", "Great app"), mention("b", "Too slow")])
    assert Deduplicator.from_db(db).assign([mention("c", "Great app")]) == {"c": "a"}
