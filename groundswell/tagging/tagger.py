"""The tagging pipeline: named stages over batches of untagged mentions.

clean → language → dedupe → monitors → sentiment → topics → keyphrases (the registered stages
of ``groundswell.tagging.stages``; ``[tagging] stages`` picks them). Models load once per
process (``Tagger`` holds them). Each batch is written in one transaction together with its
``tagged_at`` stamp, so a run killed midway resumes at the first untagged batch; raw mention
columns are never rewritten, tags go beside them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import sqlite_utils
from threadpoolctl import threadpool_limits

from groundswell.store import utc_now
from groundswell.store.transaction import transaction
from groundswell.tagging.stages import STAGES, Batch, check_stage_names

MAX_TEXT_CHARS = 2000
UNLOADED = object()  # a lazily loaded component not looked at yet


def mention_text(mention: dict) -> str:
    """The text the models read: title and body, whitespace-collapsed, capped in length."""
    parts = [mention.get("title") or "", mention.get("body") or ""]
    text = " ".join(" ".join(p.split()) for p in parts if p).strip()
    return text[:MAX_TEXT_CHARS]


def rating_sentiment(rating: float | None) -> str | None:
    """What a star rating says: ≤ 2 negative, 3 neutral, ≥ 4 positive."""
    if rating is None:
        return None
    return "negative" if rating <= 2 else "neutral" if rating < 4 else "positive"


def shown_sentiment(text_label: str, rating: float | None) -> str:
    """The sentiment a mention is shown with: the stars when the reviewer gave clear ones
    (1-2 negative, 4-5 positive), else what the text says (unrated, or a middling 3)."""
    stars = rating_sentiment(rating)
    return stars if stars in ("negative", "positive") else text_label


def sentiment_disagrees(text_label: str, rating: float | None) -> int | None:
    """1 when the stars and the text point opposite ways (a 5-star review that complains, a
    1-star one that praises), 0 when they do not, None for an unrated mention."""
    stars = rating_sentiment(rating)
    if stars is None:
        return None
    return int({stars, text_label} == {"negative", "positive"})


@dataclass
class MentionTags:
    mention_id: str
    columns: dict
    topics: list[dict] = field(default_factory=list)
    keyphrases: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    vector: tuple | None = None  # (space, embedding) kept for the community pass


@dataclass
class TaggedBatch:
    mentions: list[MentionTags]
    # duplicate_of for the batch, and for earlier originals that now point at an older copy
    duplicates: dict[str, str | None]


class Tagger:
    """Every stage's components, loaded once; ``tag(mentions)`` runs the configured stages
    (``[tagging] stages``, or ``stages``) over one batch (``groundswell.tagging.stages``)."""

    def __init__(self, config, sentiment_model=None, topic_tagger=None, db=None,
                 stages: list[str] | None = None) -> None:  # fmt: skip
        from groundswell.tagging.monitors import MonitorMatcher

        self.config = config
        self.monitors = MonitorMatcher(config.monitor)
        self._sentiment = sentiment_model
        self._topics = topic_tagger
        injected = sentiment_model is not None or topic_tagger is not None
        self._shared = None if injected else UNLOADED
        self.deduplicator = self.load_deduplicator(db)
        names = check_stage_names(list(stages or config.tagging.stages))
        self.stages = [STAGES[name](self) for name in names]
        self.model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="models")

    @staticmethod
    def load_deduplicator(db):
        from groundswell.tagging.dedupe import Deduplicator

        return Deduplicator.from_db(db) if db is not None else Deduplicator()

    @property
    def shared(self):
        """One ONNX pass per text for every model stage (``groundswell/models/shared_encoder.py``), when the
        shipped models are configured and ONNX Runtime serves them; None otherwise."""
        if self._shared is UNLOADED:
            from groundswell.models.shared_encoder import load_shared_encoder, serves_config

            model = self.config.model
            self._shared = load_shared_encoder(model.shared_graph) if serves_config(model) else None
        return self._shared

    @property
    def sentiment(self):
        if self._sentiment is None:
            from groundswell.models.sentiment import load_sentiment_model

            self._sentiment = load_sentiment_model(self.config.model.sentiment)
        return self._sentiment

    @property
    def topics(self):
        if self._topics is None:
            from groundswell.models.encoder import load_encoder
            from groundswell.tagging.query import monitor_brand_names
            from groundswell.tagging.topics import topic_tagger_from_config

            cues = self.config.model.problem_cues
            brands = monitor_brand_names(self.config.monitor)
            if self.shared is not None:
                self._topics = topic_tagger_from_config(self.config.topic, self.shared, None,
                                                        cues, brands)  # fmt: skip
            else:
                encoder = load_encoder(self.config.model.encoder)
                self._topics = topic_tagger_from_config(
                    self.config.topic, encoder, self.sentiment, cues, brands
                )
        return self._topics

    def load_models(self) -> None:
        """Load the models the configured stages use now, rather than in the first batch
        (so a caller can show the wait as its own step)."""
        names = {s.name for s in self.stages}
        if "sentiment" in names and self.shared is None:
            self.sentiment  # noqa: B018 (the property loads it)
        if "topics" in names:
            self.topics  # noqa: B018
        elif "keyphrases" in names:
            self.shared  # noqa: B018

    def encode(self, batch: Batch) -> list:
        """The batch's shared model pass, computed once for every model stage."""
        from groundswell.models.sentiment import normalize_text

        if batch.encoded is None:
            batch.prepared = [normalize_text(t) for t in batch.texts]
            batch.encoded = self.shared.encode(batch.prepared)
        return batch.encoded

    def predict_sentiment(self, texts: list[str]) -> list:
        """The sentiment ``tag`` stores for each text (what ``groundswell eval`` checks)."""
        size = self.config.model.batch_size
        stage = STAGES["sentiment"](self)
        results = []
        for start in range(0, len(texts), size):
            batch = Batch(mentions=[], texts=texts[start : start + size])
            stage(batch)
            results += batch.sentiments
        return results

    def tag(self, mentions: list[dict]) -> TaggedBatch:
        return next(self.tag_batches([mentions]))

    def tag_batches(self, batches: Iterable[list[dict]]) -> Iterator[TaggedBatch]:
        """``tag`` each batch, in order, reading one batch ahead: the next batch's shared model
        pass runs in the model thread (ONNX Runtime leaves the GIL while it computes) while the
        stages read this batch. So the pass and the Python stages share the cores."""
        ahead = None
        for mentions in batches:
            batch = Batch(mentions=mentions, texts=[mention_text(m) for m in mentions])
            started = (batch, self.start_model_pass(batch))
            if ahead is not None:
                yield self.run_stages(*ahead)
            ahead = started
        if ahead is not None:
            yield self.run_stages(*ahead)

    def start_model_pass(self, batch: Batch) -> Future | None:
        """The batch's shared model pass, started in the model thread (None when no configured
        stage reads it)."""
        if not any(s.model for s in self.stages) or self.shared is None:
            return None
        return self.model_thread.submit(self.encode, batch)

    def run_stages(self, batch: Batch, model_pass: Future | None) -> TaggedBatch:
        """Every configured stage over ``batch``: the others while its model pass runs, then
        the model stages."""
        for other in self.stages:
            if not other.model:
                other(batch)
        if model_pass is not None:
            model_pass.result()
        # spans of a few dozen tokens: a second BLAS thread only spins beside ONNX Runtime
        with threadpool_limits(limits=1, user_api="blas"):
            for model_stage in self.stages:
                if model_stage.model:
                    model_stage(batch)
        return tagged_batch(batch, utc_now())


def tagged_batch(batch: Batch, now: str) -> TaggedBatch:
    """What the stages found, as the rows ``save_tags`` writes."""
    from groundswell.tagging.stages import out_of_domain_flags

    results = []
    unread = out_of_domain_flags(batch)
    for i, mention in enumerate(batch.mentions):
        mention_id = mention["id"]
        columns = {"tagged_at": now, "rating_sentiment": rating_sentiment(mention.get("rating"))}
        if batch.langs is not None:
            columns["lang"] = batch.langs[i]
            columns["out_of_domain"] = int(unread[i])
        if batch.sentiments is not None:
            columns.update(unread_sentiment_columns(mention.get("rating")) if unread[i] else
                           sentiment_columns(batch.sentiments[i], mention.get("rating")))  # fmt: skip
        if batch.intents is not None:
            columns["intent"], columns["intent_confidence"] = batch.intents[i]
        topics = [{"mention_id": mention_id, "topic": h.name, "score": round(h.score, 4),
                   "sentiment": None if unread[i] else h.sentiment}
                  for h in (batch.topics or [[]] * len(batch.mentions))[i]]  # fmt: skip
        phrases = [{"mention_id": mention_id, "phrase": p, "score": round(s, 4)}
                   for p, s in (batch.keyphrases or [[]] * len(batch.mentions))[i]]  # fmt: skip
        results.append(MentionTags(mention_id, columns, topics=topics, keyphrases=phrases,
                                   monitors=batch.monitors.get(mention_id, []),
                                   vector=batch.vectors.get(mention_id)))  # fmt: skip
    return TaggedBatch(results, batch.duplicates)


def sentiment_columns(sentiment, rating: float | None = None) -> dict:
    """The text model's result, and the sentiment shown (``shown_sentiment``): score and
    confidence are the text model's."""
    return {
        "sentiment": shown_sentiment(sentiment.label, rating),
        "text_sentiment": sentiment.label,
        "sentiment_disagrees": sentiment_disagrees(sentiment.label, rating),
        "sentiment_score": round(sentiment.score, 4),
        "sentiment_confidence": round(sentiment.confidence, 4),
        "sentiment_model": sentiment.model_version,
    }  # fmt: skip


def unread_sentiment_columns(rating: float | None = None) -> dict:
    """A text in a language the models do not read: no text sentiment (on 1-2 star reviews
    lingua was sure were not English, the English model read 24% negative), and the sentiment
    shown is what the stars say, or none without stars."""
    return {
        "sentiment": rating_sentiment(rating),
        "text_sentiment": None,
        "sentiment_disagrees": None,
        "sentiment_score": None,
        "sentiment_confidence": None,
        "sentiment_model": None,
    }


# what the stages read of a stored mention (a tag worker gets these on its stream)
TAG_INPUT_COLUMNS = ("id, source, source_kind, kind, url, author, title, body, rating, "
                     "published_at, content_hash, is_question")  # fmt: skip


def untagged_batches(db: sqlite_utils.Database, batch_size: int) -> Iterator[list[dict]]:
    """Untagged mentions, oldest first, a batch at a time (re-queried: resumable). Each query
    leaves out the batch before, which ``Tagger.tag_batches`` reads ahead of saving it."""
    sql = f"""select {TAG_INPUT_COLUMNS} from mentions where tagged_at is null
             and id not in (select value from json_each(?))
             order by published_at, id limit ?"""
    previous: list[str] = []
    while True:
        batch = [dict(row) for row in db.query(sql, [json.dumps(previous), batch_size])]
        if not batch:
            return
        yield batch
        previous = [mention["id"] for mention in batch]


def mentions_to_tag(db: sqlite_utils.Database, mention_ids: list[str],
                    untagged_only: bool = True) -> list[dict]:  # fmt: skip
    """The stages' input (``TAG_INPUT_COLUMNS``) of the given mentions that are stored (and,
    with ``untagged_only``, not tagged yet), in ``mention_ids``' order."""
    found: dict[str, dict] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start : start + 500]
        sql = f"select {TAG_INPUT_COLUMNS} from mentions where id in ({','.join('?' * len(chunk))})"
        if untagged_only:
            sql += " and tagged_at is null"
        found.update((row["id"], dict(row)) for row in db.query(sql, chunk))
    return [found[i] for i in dict.fromkeys(mention_ids) if i in found]


def save_tags(db: sqlite_utils.Database, tagged: TaggedBatch, deduplicator=None) -> None:
    """Write one batch's tags (replacing earlier tags of these mentions).

    Duplicates first, then every other tag with ``tagged_at`` in one transaction: a kill in
    between leaves the batch untagged, and re-tagging it gives the same result."""
    from groundswell.community.vectors import delete_vectors, save_vectors
    from groundswell.tagging.dedupe import save_duplicates

    save_duplicates(db, tagged.duplicates, deduplicator)
    results = tagged.mentions
    ids = [r.mention_id for r in results]
    marks = ",".join("?" * len(ids))
    with transaction(db):
        for table in ("mention_topics", "keyphrases", "mention_monitors"):
            db.execute(f"delete from {table} where mention_id in ({marks})", ids)
        db["mention_topics"].insert_all(
            [t for r in results for t in r.topics], pk=("mention_id", "topic"), replace=True
        )
        db["keyphrases"].insert_all(
            [k for r in results for k in r.keyphrases], pk=("mention_id", "phrase"), replace=True
        )
        db["mention_monitors"].insert_all(
            [m for r in results for m in r.monitors], pk=("mention_id", "monitor"), replace=True
        )
        delete_vectors(db, [r.mention_id for r in results if "intent" in r.columns])
        save_vectors(db, [{"mention_id": r.mention_id, "space": r.vector[0], "vector": r.vector[1]}
                          for r in results if r.vector is not None])  # fmt: skip
        for result in results:
            db["mentions"].update(result.mention_id, result.columns)


def count_untagged(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from mentions where tagged_at is null").fetchone()[0]


def tag_untagged(db: sqlite_utils.Database, tagger: Tagger, batch_size: int = 64,
                 on_batch: Callable[[int], None] | None = None) -> int:  # fmt: skip
    """Tag every untagged mention; returns how many were tagged."""
    done = 0
    for tagged in tagger.tag_batches(untagged_batches(db, batch_size)):
        save_tags(db, tagged, tagger.deduplicator)
        done += len(tagged.mentions)
        if on_batch:
            on_batch(len(tagged.mentions))
    return done
