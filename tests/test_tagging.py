"""The tagging runner: stages over batches, tags beside raw rows, resumable, idempotent.

Sentiment and topic models are replaced by small rule-based stand-ins here (the real models
have their own tests), so these tests check the runner's own behaviour quickly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from groundswell.config import parse_config
from groundswell.store import open_db, save_mentions
from groundswell.tagging.tagger import (
    Tagger,
    count_untagged,
    rating_sentiment,
    save_tags,
    tag_untagged,
    untagged_batches,
)
from groundswell.tagging.topics import TopicHit
from tests.conftest import mention


@dataclass
class Verdict:
    label: str
    score: float
    confidence: float = 0.9
    model_version: str = "rules-1"


class WordSentiment:
    def predict(self, texts):
        return [Verdict("negative", -0.8) if "slow" in t.lower() else Verdict("positive", 0.7)
                for t in texts]  # fmt: skip


class WordTopics:
    def tag(self, texts):
        return [[TopicHit("performance", 0.9, "negative")] if "slow" in t.lower() else []
                for t in texts]  # fmt: skip


class Exploding(WordSentiment):
    def __init__(self, after_calls: int):
        self.calls = after_calls

    def predict(self, texts):
        self.calls -= 1
        if self.calls < 0:
            raise KeyboardInterrupt  # a kill in the middle of a run
        return super().predict(texts)


CONFIG = parse_config({"monitor": [{"name": "Acme", "query": "acme"},
                                   {"name": "Zen", "query": "zenlytics", "competitor": True}]},
                      None)  # fmt: skip
SYNDICATED = ("Acme Helpdesk has been slow all week and the tickets pile up while the "
              "dashboard keeps timing out for our whole support team")  # fmt: skip


def seeded(tmp_path, count: int = 10):
    db = open_db(tmp_path / "g.db")
    rows = [
        mention(
            f"m{i}",
            published_at=f"2026-11-{10 + i:02d}T00:00:00Z",
            body=f"Acme is great, message number {i} about onboarding",
        )
        for i in range(count)
    ]
    rows[1] = mention(
        "m1", published_at="2026-11-11T00:00:00Z", body=SYNDICATED, rating=1.0, kind="review"
    )
    rows[2] = mention(
        "m2", published_at="2026-11-12T00:00:00Z", body=SYNDICATED.replace("whole", "entire")
    )  # re-posted with an edit
    rows[3] = mention(
        "m3", published_at="2026-11-13T00:00:00Z", body="Zenlytics is better than Acme"
    )
    rows[4] = mention(
        "m4",
        published_at="2026-11-14T00:00:00Z",
        body="Der Kundendienst von Acme antwortet leider nie auf unsere Anfragen",
    )
    save_mentions(db, rows)
    return db


def tagger(db, sentiment=None) -> Tagger:
    return Tagger(
        CONFIG, sentiment_model=sentiment or WordSentiment(), topic_tagger=WordTopics(), db=db
    )


def test_tags_go_beside_raw_rows(tmp_path):
    db = seeded(tmp_path)
    raw_before = {r["id"]: (r["body"], r["url"]) for r in db["mentions"].rows}
    assert tag_untagged(db, tagger(db), batch_size=4) == 10
    assert count_untagged(db) == 0
    assert {r["id"]: (r["body"], r["url"]) for r in db["mentions"].rows} == raw_before
    slow = db["mentions"].get("m1")
    assert (slow["sentiment"], slow["sentiment_score"], slow["sentiment_model"]) == (
        "negative",
        -0.8,
        "rules-1",
    )
    assert slow["rating_sentiment"] == "negative" and slow["lang"] == "en"
    assert db["mentions"].get("m2")["duplicate_of"] == "m1"  # later copy points at the first
    assert db["mentions"].get("m1")["duplicate_of"] is None
    german = db["mentions"].get("m4")
    assert german["lang"] == "de" and german["out_of_domain"] == 1
    # not read: no guess from the English model, and no stars to go by
    assert (german["sentiment"], german["text_sentiment"], german["sentiment_model"]) == (
        None, None, None)  # fmt: skip
    topics = list(db["mention_topics"].rows_where("mention_id = 'm1'"))
    assert [(t["topic"], t["sentiment"]) for t in topics] == [("performance", "negative")]
    monitors = {
        (r["mention_id"], r["monitor"], r["competitor"]) for r in db["mention_monitors"].rows
    }
    assert ("m3", "Zen", 1) in monitors and ("m3", "Acme", 0) in monitors
    assert db["keyphrases"].count > 0
    # no English keyphrases of German words ("leider nie", "unsere anfragen")
    assert not list(db["keyphrases"].rows_where("mention_id = 'm4'"))


def test_a_killed_run_resumes_where_it_stopped(tmp_path):
    db = seeded(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        tag_untagged(db, tagger(db, Exploding(after_calls=1)), batch_size=4)
    assert count_untagged(db) == 6  # the first batch was written whole, the second not at all
    assert db.execute("select count(*) from mention_topics where mention_id in "
                      "(select id from mentions where tagged_at is null)").fetchone()[0] == 0  # fmt: skip
    assert tag_untagged(db, tagger(db), batch_size=4) == 6
    assert count_untagged(db) == 0


def test_untagged_batches_can_be_read_a_batch_ahead_of_saving(tmp_path):
    db = seeded(tmp_path)  # 10 mentions
    batches = untagged_batches(db, 4)
    tagger_ = tagger(db)
    first, second = next(batches), next(batches)  # as Tagger.tag_batches reads them
    save_tags(db, tagger_.tag(first), tagger_.deduplicator)
    third = next(batches)
    save_tags(db, tagger_.tag(second), tagger_.deduplicator)
    save_tags(db, tagger_.tag(third), tagger_.deduplicator)
    assert next(batches, None) is None
    ids = [m["id"] for batch in (first, second, third) for m in batch]
    assert sorted(ids) == sorted(f"m{i}" for i in range(10))  # each once
    assert count_untagged(db) == 0


def test_retagging_is_idempotent(tmp_path):
    db = seeded(tmp_path)
    tag_untagged(db, tagger(db), batch_size=4)
    before = (
        sorted(db["mention_monitors"].rows, key=str),
        sorted(db["mention_topics"].rows, key=str),
    )
    db.execute("update mentions set tagged_at = null")
    db.conn.commit()
    tag_untagged(db, tagger(db), batch_size=3)
    after = sorted(db["mention_monitors"].rows, key=str), sorted(db["mention_topics"].rows, key=str)
    assert before == after
    assert db["mentions"].get("m2")["duplicate_of"] == "m1"


def test_rating_sentiment():
    assert [rating_sentiment(r) for r in (None, 1, 2, 3, 3.5, 4, 5)] == [
        None, "negative", "negative", "neutral", "neutral", "positive", "positive"]  # fmt: skip


def test_the_stars_decide_the_shown_sentiment_and_the_texts_label_stays_beside(tmp_path):
    """Issue 14: a 4-5 star review whose text the model misreads is not shown negative; the
    text's own label is kept (text_sentiment) and a disagreement is flagged."""
    db = open_db(tmp_path / "g.db")
    cases = {  # id: (rating, body) -> WordSentiment: negative when the text says "slow"
        "five-slow": (5.0, "Love it, only the export is slow"),
        "four-fine": (4.0, "Does what we need"),
        "three-slow": (3.0, "Useful but slow"),
        "one-fine": (1.0, "Great app"),
        "unrated-slow": (None, "Is it slow for anyone else?"),
    }
    save_mentions(db, [mention(i, body, rating=r, kind="review" if r else "post")
                       for i, (r, body) in cases.items()])  # fmt: skip
    tag_untagged(db, tagger(db), batch_size=8)
    rows = {r["id"]: r for r in db["mentions"].rows}
    shown = {
        i: (r["sentiment"], r["text_sentiment"], r["sentiment_disagrees"]) for i, r in rows.items()
    }
    assert shown == {
        "five-slow": ("positive", "negative", 1),  # what an advocate wants to see
        "four-fine": ("positive", "positive", 0),
        "three-slow": ("negative", "negative", 0),  # a middling rating: the text decides
        "one-fine": ("negative", "positive", 1),
        "unrated-slow": ("negative", "negative", None),
    }
    assert rows["five-slow"]["sentiment_score"] == -0.8  # the score stays the text model's
    # the tag rows' copy of the mention's sentiment follows what is shown
    copies = {r["mention_id"]: r["mention_sentiment"] for r in db["mention_topics"].rows}
    assert copies["five-slow"] == "positive"


def test_a_text_the_models_do_not_read_gets_no_guessed_labels(tmp_path):
    """On 1-2 star reviews lingua was sure were not English, the English model read 24%
    negative: a Spanish complaint came out positive. Such a text keeps its topics (found by
    the topic's words) and its form (it asks; the vendor posted it), but no sentiment, topic
    sentiment or intent is guessed; stars still give the sentiment shown."""
    from groundswell.config import Config

    db = open_db(tmp_path / "g.db")
    texts = {
        "es-q": ("¿Cómo conectar Acme Helpdesk con Shopify? Queremos ver los pedidos de Shopify "
                 "dentro de cada ticket. No encuentro la opción en el panel de integraciones."),
        "es": ("La aplicación es lentísima desde la última actualización y el soporte no "
               "contesta nuestros correos desde hace una semana."),
        "de": "Der Kundendienst antwortet nie auf unsere Anfragen, wir kündigen zum Monatsende.",
        "en": "All were broken",  # lingua's guess is Dutch, unsure: read as English
    }  # fmt: skip
    rows = [mention(key, text) for key, text in texts.items()]
    rows[2].update(kind="review", rating=1.0)
    save_mentions(db, rows)
    tag_untagged(db, Tagger(Config(), db=db))
    found = {r["id"]: r for r in db["mentions"].rows}
    for key in ("es-q", "es", "de"):
        assert found[key]["out_of_domain"] == 1, key
        assert found[key]["text_sentiment"] is None and found[key]["sentiment_score"] is None
    assert [found[k]["sentiment"] for k in ("es-q", "es", "de")] == [None, None, "negative"]
    assert [found[k]["intent"] for k in ("es-q", "es", "de")] == ["question", None, None]
    assert found["en"]["out_of_domain"] == 0 and found["en"]["sentiment"] == "negative"
    assert found["en"]["intent"] is not None
    topics = list(db["mention_topics"].rows_where("mention_id in ('es-q', 'es', 'de')"))
    assert topics and all(t["sentiment"] is None for t in topics)
