"""The tagging stages, registered by name (as spaCy's ``@Language.component`` registers
components), so ``Tagger`` runs the configured list (``[tagging] stages``) and ``classify``
can run a subset.

A stage is a class built once per process with the ``Tagger`` (which holds the loaded models)
and called with each ``Batch``; it writes its results into the batch. Model stages
(sentiment, topics, keyphrases, intent) read one shared model pass per text where the shipped
models serve them (``Batch.encoded``): the tagger runs the others while that pass runs in its
model thread, and the model stages after it (``Tagger.tag_batches``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from groundswell.tagging.problem_cues import read_problem_statements

STAGES: dict[str, type] = {}
DEFAULT_STAGES = (
    "language", "dedupe", "monitors", "sentiment", "topics", "keyphrases", "intent",
)  # fmt: skip


def stage(name: str, model: bool = False) -> Callable[[type], type]:
    """Register a stage class under ``name``; ``model`` stages run after the batch's model
    pass, the others beside it."""

    def register(cls: type) -> type:
        cls.name, cls.model = name, model
        STAGES[name] = cls
        return cls

    return register


def check_stage_names(names: list[str]) -> list[str]:
    """``names`` if each is a registered stage, else a ``ValueError`` naming the choices."""
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; stages: {', '.join(STAGES)}")
    return names


@dataclass
class Batch:
    """One batch of mentions on its way through the stages, with what each stage found."""

    mentions: list[dict]
    texts: list[str]
    prepared: list[str] | None = None  # the texts as the models read them
    encoded: list | None = None  # the shared model pass, when the shipped models serve it
    langs: list[str | None] | None = None
    unread: list[bool] | None = None  # in a language the models do not read (language stage)
    duplicates: dict[str, str | None] = field(default_factory=dict)
    monitors: dict[str, list[dict]] = field(default_factory=dict)
    sentiments: list[Any] | None = None
    topics: list[list[Any]] | None = None
    keyphrases: list[list[tuple[str, float]]] | None = None
    intents: list[tuple[str, float]] | None = None
    vectors: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id -> (space, vector)


class Stage:
    """A stage holds the ``Tagger`` whose loaded components it uses (models load lazily)."""

    name: str
    model: bool

    def __init__(self, tagger) -> None:
        self.tagger = tagger

    def __call__(self, batch: Batch) -> None:
        raise NotImplementedError


@stage("language")
class LanguageStage(Stage):
    def __call__(self, batch: Batch) -> None:
        from groundswell.tagging.language import detect_languages, unread_flags

        batch.langs = detect_languages(batch.texts)
        batch.unread = unread_flags(batch.texts, batch.langs)
        for mention, lang in zip(batch.mentions, batch.langs, strict=True):
            mention["lang"] = lang


@stage("dedupe")
class DedupeStage(Stage):
    def __call__(self, batch: Batch) -> None:
        batch.duplicates = self.tagger.deduplicator.assign(batch.mentions)


@stage("monitors")
class MonitorStage(Stage):
    def __call__(self, batch: Batch) -> None:
        for row in self.tagger.monitors.match(batch.mentions):
            batch.monitors.setdefault(row["mention_id"], []).append(row)


@stage("sentiment", model=True)
class SentimentStage(Stage):
    def __call__(self, batch: Batch) -> None:
        batch.sentiments = read_sentiments(self.tagger, batch)


def read_sentiments(tagger, batch: Batch) -> list:
    """The text sentiment the sentiment stage stores: the model's reading, with problem
    statements read negative unless ``[model] problem_cues`` is off."""
    shared = tagger.shared
    if shared is None:
        results = tagger.sentiment.predict(batch.texts)
    else:
        results = shared.sentiments(tagger.encode(batch))
    if tagger.config.model.problem_cues:
        results = read_problem_statements(batch.texts, results)
    return results


@stage("topics", model=True)
class TopicStage(Stage):
    def __call__(self, batch: Batch) -> None:
        topics = self.tagger.topics
        if self.tagger.shared is None:
            batch.topics = topics.tag(batch.texts)
        else:
            batch.topics = topics.tag(batch.prepared, self.tagger.encode(batch))


@stage("keyphrases", model=True)
class KeyphraseStage(Stage):
    def __call__(self, batch: Batch) -> None:
        from groundswell.tagging.keyphrases import extract_keyphrases, title_end

        if self.tagger.shared is None:
            texts, encoded = batch.texts, None
        else:
            encoded = self.tagger.encode(batch)
            texts = batch.prepared
        # a text the models do not read is left blank: no phrases, and no work to find them
        texts = ["" if skip else text
                 for text, skip in zip(texts, out_of_domain_flags(batch), strict=True)]  # fmt: skip
        mentions = batch.mentions or [{}] * len(texts)  # texts alone: no titles
        ends = [title_end(m.get("title"), text) for m, text in zip(mentions, texts, strict=True)]
        batch.keyphrases = extract_keyphrases(texts, encoded=encoded, title_ends=ends)


def out_of_domain_flags(batch: Batch) -> list[bool]:
    """Which texts are in a language the models do not read (all False without the language
    stage): their keyphrases would be another language's stopwords ("de cada", "en la"), and
    their sentiment, topic sentiments and intent are not guessed (``tagger.tagged_batch``)."""
    return batch.unread if batch.unread is not None else [False] * len(batch.texts)


@stage("intent", model=True)
class IntentStage:
    """Feature request, bug report, question, praise, complaint or other
    (``groundswell.community.intent``); keeps the embeddings of feature requests and of every
    mention that asks, for the community pass. Needs the shared pass: without it, no intents."""

    def __init__(self, tagger) -> None:
        self.tagger = tagger

    def __call__(self, batch: Batch) -> None:
        from groundswell.community.intent import (
            VECTOR_INTENTS,
            asks,
            load_intent_head,
            predict_intents,
            unread_intent,
        )

        shared = self.tagger.shared
        if shared is None or not batch.mentions:
            return
        encoded = self.tagger.encode(batch)
        sentiments = batch.sentiments or read_sentiments(self.tagger, batch)
        asked = [asks(mention) for mention in batch.mentions]
        vendors = self.tagger.config.vendor_accounts()
        batch.intents = predict_intents(
            load_intent_head(), encoded, batch.mentions, sentiments, asked, vendors
        )
        for i, unread in enumerate(out_of_domain_flags(batch)):
            if unread:
                batch.intents[i] = unread_intent(batch.mentions[i], asked[i], vendors)
        for mention, (intent, _), text, question in zip(
            batch.mentions, batch.intents, encoded, asked, strict=True
        ):
            if intent in VECTOR_INTENTS or question:
                batch.vectors[mention["id"]] = (shared.embedding_space, text.embedding())
