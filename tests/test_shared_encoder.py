"""The shared ONNX pass: one forward per text serving sentiment, topics and keyphrases."""

from __future__ import annotations

import numpy as np
import pytest

from groundswell.config import Config
from groundswell.models.shared_encoder import EncodedText, load_shared_encoder, serves_config
from groundswell.tagging.keyphrases import candidate_spans, extract_keyphrases
from groundswell.tagging.tagger import Tagger
from training.train_sentiment import DEFAULT_DATA

VAL_DIR = DEFAULT_DATA / "sentiment" / "tweeteval"
SAMPLE_TEXTS = [
    "I love this app, it works perfectly!",
    "Worst update ever, everything is broken and support ignores me.",
    "The meeting is at 3pm on Tuesday.",
    "Support was slow but the price is fair.",
    "The app crashes every time I log in.",
    "Great onboarding, the docs walked us through the Salesforce integration.",
]
LONG_REVIEW = " ".join(
    ["The pasta was rich and the bread came warm from the oven."] * 25
    + ["Customer support never answered the ticket I opened about my invoice."]
)


@pytest.fixture(scope="module")
def shared():
    encoder = load_shared_encoder()
    if encoder is None:
        pytest.skip("ONNX Runtime could not build the student graph here (see the log warning)")
    return encoder


@pytest.fixture(scope="module")
def joint():
    encoder = load_shared_encoder("joint")
    if encoder is None:
        pytest.skip("ONNX Runtime could not build the joint graph here (see the log warning)")
    return encoder


def encoded_by_hand(offsets: list[tuple[int, int]], special: list[bool]) -> EncodedText:
    rng = np.random.default_rng(0)
    n = len(offsets)
    return EncodedText(
        states=rng.normal(size=(n, 4)).astype(np.float32),
        logits=rng.normal(size=(n, 3)).astype(np.float32),
        offsets=np.asarray(offsets),
        special=np.asarray(special),
        bias=np.zeros(3, dtype=np.float32),
    )


def test_span_means_match_a_token_by_token_reading():
    #         [CLS]   "good"  "food"   "but"    "slow"   "service" [SEP]
    offsets = [(0, 0), (0, 4), (5, 9), (10, 13), (14, 18), (19, 26), (0, 0)]
    tokens = encoded_by_hand(offsets, [True, False, False, False, False, False, True])
    spans = [(0, 9), (10, 26), (6, 15), (26, 26)]
    got = tokens.span_embeddings(spans)
    for row, (start, end) in zip(got, spans, strict=True):
        inside = [i for i, (b, e) in enumerate(offsets) if 0 < i < 6 and b < end and e > start]
        if not inside:
            assert not row.any()
            continue
        mean = tokens.states[inside].mean(0)
        np.testing.assert_allclose(row, mean / np.linalg.norm(mean), rtol=1e-5)
    whole = tokens.span_embeddings([(0, 26)], with_special=True)[0]
    np.testing.assert_allclose(whole, tokens.embedding(), rtol=1e-5)


def test_sentiment_agrees_with_the_sentiment_model(shared):
    from groundswell.models.sentiment import load_sentiment_model, normalize_text

    texts = [
        "I love this app, it works perfectly!",
        "Worst update ever, everything is broken and support ignores me.",
        "The meeting is at 3pm on Tuesday.",
        "@bob thanks so much, you made my day http://t.co/x",
    ]
    joint = shared.sentiments(shared.encode([normalize_text(t) for t in texts]))
    alone = load_sentiment_model().predict(texts)
    assert [r.label for r in joint] == [r.label for r in alone]
    assert [r.label for r in joint] == ["positive", "negative", "neutral", "positive"]
    for a, b in zip(joint, alone, strict=True):
        assert abs(a.score - b.score) < 0.2


def test_the_joint_graph_embeds_like_the_torch_encoder(joint):
    from groundswell.models.encoder import load_encoder

    texts = ["Support was slow but the price is fair.", "The app crashes every time I log in."]
    cosines = (joint.embed(texts) * load_encoder().embed(texts)).sum(1)
    assert cosines.min() > 0.97


def test_the_student_stays_near_the_joint_graph_it_was_distilled_from(shared, joint):
    from groundswell.models.sentiment import normalize_text

    texts = [normalize_text(t) for t in SAMPLE_TEXTS]
    cosines = (shared.embed(texts) * joint.embed(texts)).sum(1)
    assert cosines.mean() > 0.85
    student = [r.label for r in shared.sentiments(shared.encode(texts))]
    teacher = [r.label for r in joint.sentiments(joint.encode(texts))]
    assert sum(a == b for a, b in zip(student, teacher, strict=True)) >= len(texts) - 1


def test_the_student_graph_gives_what_the_torch_student_gives(shared):
    import torch

    from groundswell.models.student import load_student_net

    tokenizer, net, _ = load_student_net()
    text = SAMPLE_TEXTS[1]
    batch = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        states, logits = net(batch["input_ids"], batch["attention_mask"])
        probabilities = torch.softmax(logits[0].mean(0) + net.bias, -1).numpy()
    (tokens,) = shared.encode([text])
    expected = states[0].mean(0).numpy()
    cosine = tokens.embedding() @ expected / np.linalg.norm(expected)
    assert cosine > 0.98  # int8 against fp32
    assert tokens.sentiment_probabilities().argmax() == probabilities.argmax()


def test_the_configured_shared_graph_is_the_one_the_tagger_takes(shared, joint):
    assert Tagger(Config()).shared is shared
    assert Tagger(Config.model_validate({"model": {"shared_graph": "joint"}})).shared is joint
    with pytest.raises(ValueError, match="shared_graph"):
        Config.model_validate({"model": {"shared_graph": "eight-layers"}})


def test_a_long_text_is_read_to_its_end_in_windows(shared):
    (tokens,) = shared.encode([LONG_REVIEW])
    assert tokens.states.shape[0] > 128  # several windows
    assert tokens.offsets[~tokens.special, 1].max() == len(LONG_REVIEW)
    config = Config()
    tagged = Tagger(config).tag([{"id": "long", "body": LONG_REVIEW}]).mentions[0]
    topics = {t["topic"]: t["sentiment"] for t in tagged.topics}
    assert topics.get("support") == "negative"


def test_keyphrases_come_from_the_text(shared):
    text = "The Salesforce integration keeps failing, and the sync with HubSpot drops contacts."
    (phrases,) = extract_keyphrases([text], 5, encoded=shared.encode([text]))
    assert phrases
    assert {p for p, _ in phrases} <= set(candidate_spans(text))
    assert any("salesforce" in p or "hubspot" in p for p, _ in phrases)
    for phrase, (start, end) in candidate_spans(text).items():
        assert text[start:end].lower() == phrase


def test_the_tagger_takes_the_shared_pass_only_for_the_shipped_models(shared, monkeypatch):
    assert Tagger(Config()).shared is shared
    assert serves_config(Config().model)
    custom = Config.model_validate({"model": {"sentiment": "/models/my-own"}})
    assert not serves_config(custom.model)
    monkeypatch.setenv("GROUNDSWELL_SENTIMENT_BACKEND", "torch")
    assert not serves_config(Config().model)


def test_contrasting_aspects_keep_their_own_sentiment():
    # read in the text's context, "the price is good" came out negative (0.84)
    text = "The app crashes all the time and I hate it, but the price is good"
    tagged = Tagger(Config()).tag([{"id": "m", "body": text}]).mentions[0]
    topics = {t["topic"]: t["sentiment"] for t in tagged.topics}
    assert topics.get("pricing") == "positive"
    assert topics.get("reliability") in ("negative", "neutral")  # "neutral": both segments carry it


def test_eval_checks_the_sentiment_the_tagger_stores(shared, tmp_path):
    from click.testing import CliRunner

    from groundswell.cli import cli

    rows = [
        (SAMPLE_TEXTS[0], "positive"),
        (SAMPLE_TEXTS[1], "negative"),
        (SAMPLE_TEXTS[2], "neutral"),
    ]
    sample = tmp_path / "sample.csv"
    sample.write_text("text,label\n" + "".join(f'"{t}",{label}\n' for t, label in rows))
    config = ["--config", str(tmp_path / "absent.toml")]
    result = CliRunner().invoke(cli, ["eval", str(sample), *config])
    assert result.exit_code == 0, result.output
    assert "macro recall: 1.0000" in result.output
    assert [r.label for r in Tagger(Config()).predict_sentiment([t for t, _ in rows])] == [
        label for _, label in rows
    ]


@pytest.mark.slow
@pytest.mark.skipif(
    not (VAL_DIR / "val_text.txt").exists(), reason=f"TweetEval val not found under {VAL_DIR}"
)
def test_the_student_clears_the_tweeteval_val_sanity_floor(shared):
    from groundswell.models.evaluate import evaluate, format_report
    from training.train_sentiment import load_tweeteval

    texts, labels = load_tweeteval(VAL_DIR.parents[1], "val")
    predicted = [r.label for r in Tagger(Config()).predict_sentiment(texts[:300])]
    result = evaluate(labels[:300], predicted)
    assert result["macro_recall"] >= 0.66, format_report(result)


def test_thresholds_follow_the_encoders_embedding_space(shared, joint):
    from groundswell.config import TopicConfig
    from groundswell.tagging.topics import (
        DEFAULT_THRESHOLD,
        STUDENT_DEFAULT_THRESHOLD,
        STUDENT_TOPIC_THRESHOLDS,
        TopicTagger,
        default_topic_tagger,
    )

    custom = [TopicConfig(name="billing", description="invoices, refunds and charges")]
    assert TopicTagger(custom, shared).thresholds[0] == pytest.approx(STUDENT_DEFAULT_THRESHOLD)
    assert TopicTagger(custom, joint).thresholds[0] == pytest.approx(DEFAULT_THRESHOLD)
    tagger = default_topic_tagger(shared)
    reliability = [t.name for t in tagger.topics].index("reliability")
    assert tagger.thresholds[reliability] == pytest.approx(STUDENT_TOPIC_THRESHOLDS["reliability"])


def test_a_text_scores_the_same_whatever_it_is_batched_with(shared):
    # int8 activations quantised with each batch's range moved scores by up to 0.18 (29 of
    # 2,000 TweetEval val labels flipped); fixed (calibrated) ranges make each text's its own
    texts = SAMPLE_TEXTS + [LONG_REVIEW, "ok", "meh " * 40]
    together = shared.encode(texts)
    for i, text in enumerate(texts):
        alone = shared.encode([text])[0]
        np.testing.assert_array_equal(alone.logits, together[i].logits)
        np.testing.assert_array_equal(alone.states, together[i].states)
    reordered = shared.encode(texts[::-1] + ["an unrelated text with LOUD WORDS!!! " * 9])
    np.testing.assert_array_equal(reordered[0].logits, together[-1].logits)


def test_the_int8_graph_stays_close_to_fp32(shared, tmp_path):
    # fixed activation ranges cost no accuracy: int8 token states stay at cosine > 0.99 to fp32
    # (a per-token quantisation tried first fell to 0.88 inside a fused kernel that reads one
    # scale per batch)
    from groundswell.models.export import export_student_fp32
    from groundswell.models.shared_encoder import SharedEncoder, open_session
    from groundswell.models.student import STUDENT_DIR

    fp32_path = export_student_fp32(STUDENT_DIR, tmp_path / "student-fp32.onnx")
    fp32 = SharedEncoder(open_session(fp32_path), shared.tokenizer, shared.bias, "fp32", "student")
    for quantised, exact in zip(
        shared.encode(SAMPLE_TEXTS), fp32.encode(SAMPLE_TEXTS), strict=True
    ):
        a, b = quantised.states, exact.states
        cosine = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        assert cosine.mean() > 0.99


def test_reading_a_batch_ahead_tags_as_a_batch_at_a_time(shared):
    texts = [f"{o} {t}".strip() for o in ("Update:", "") for t in SAMPLE_TEXTS] + [LONG_REVIEW]
    mentions = [{"id": f"m{i:02d}", "body": text} for i, text in enumerate(texts)]
    batches = [mentions[i : i + 3] for i in range(0, len(mentions), 3)]

    def rows(tagged_batches) -> list:
        return [(t.mention_id, t.columns | {"tagged_at": None}, t.topics, t.keyphrases)
                for tagged in tagged_batches for t in tagged.mentions]  # fmt: skip

    one_at_a_time = Tagger(Config())
    ahead = rows(Tagger(Config()).tag_batches(batches))
    assert ahead == rows(one_at_a_time.tag(batch) for batch in batches)
    assert len(ahead) == len(mentions) and all(r[1]["intent"] for r in ahead)


def test_tagging_one_set_in_two_batchings_gives_the_same_tags(shared, tmp_path):
    from groundswell.store import open_db, save_mentions
    from groundswell.tagging.tagger import tag_untagged
    from tests.conftest import mention

    openers = ["Honestly,", "After a month:", "Update:", "Quick note -", ""]
    texts = [f"{o} {t}".strip() for o in openers for t in SAMPLE_TEXTS] + [LONG_REVIEW]
    rows = [mention(f"m{i:02d}", body=text) for i, text in enumerate(texts)]

    def tags(name: str, batch_size: int) -> tuple[list, list, list]:
        db = open_db(tmp_path / name)
        save_mentions(db, rows)
        tag_untagged(db, Tagger(Config(), db=db), batch_size=batch_size)
        return (
            list(db.query("select id, sentiment, sentiment_score from mentions order by id")),
            list(db.query("select * from mention_topics order by mention_id, topic")),
            list(db.query("select * from keyphrases order by mention_id, phrase")),
        )

    assert tags("one-batch.db", 64) == tags("batches-of-4.db", 4)
