"""Corrections of tags: one row per change, with who and when; a repeat writes nothing."""

from __future__ import annotations

import pytest

from groundswell.store import save_mentions
from groundswell.store.corrections import CorrectionError, corrections_of, save_correction
from tests.conftest import mention


def test_a_correction_keeps_the_old_value_and_a_repeat_writes_nothing(db):
    save_mentions(db, [mention("m1", "Never lets us down, support answers within the hour")])
    db["mentions"].update("m1", {"sentiment": "negative"})
    first = save_correction(db, "m1", "sentiment", "positive", who="dana")
    assert first is not None
    assert save_correction(db, "m1", "sentiment", "positive", who="dana") is None  # double click
    (row,) = db["corrections"].rows
    assert (row["old"], row["new"], row["who"]) == ("negative", "positive", "dana")
    assert row["at"].endswith("Z")
    save_correction(db, "m1", "sentiment", "neutral", who="sam")  # changed mind: a new row
    assert [(c["mention_id"], c["new"]) for c in corrections_of(db, "sentiment")] == [
        ("m1", "neutral")
    ]
    assert db["mentions"].get("m1")["sentiment"] == "negative"  # the model's label is kept


def test_topics_are_stored_as_a_sorted_list(db):
    save_mentions(db, [mention("m1")])
    save_correction(db, "m1", "topics", ["support", "pricing", "support"], who="dana")
    assert next(db["corrections"].rows)["new"] == '["pricing", "support"]'


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("sentiment", "angry", "sentiment must be one of"), ("rating", "5", "cannot be corrected"),
     ("topics", [""], "list of topic names")],
)  # fmt: skip
def test_bad_corrections_are_refused(db, field, value, message):
    save_mentions(db, [mention("m1")])
    with pytest.raises(CorrectionError, match=message):
        save_correction(db, "m1", field, value, who="dana")
    with pytest.raises(CorrectionError, match="no mention"):
        save_correction(db, "nope", "sentiment", "positive", who="dana")


def corrected_db(db):
    save_mentions(db, [
        mention("m1", "Never lets us down, support answers within the hour", kind="review", rating=5),
        mention("m2", "The app crashes every time I open it and support ignores me."),
        mention("m3", "The meeting is on Tuesday at noon."),
        mention("m4", "Way too expensive for a small team, and billing charged us twice."),
    ])  # fmt: skip
    save_correction(db, "m1", "sentiment", "positive", who="dana")
    save_correction(db, "m2", "sentiment", "negative", who="dana")
    save_correction(db, "m3", "sentiment", "neutral", who="sam")
    save_correction(db, "m4", "topics", ["pricing"], who="sam")
    return db


def test_eval_from_corrections_scores_sentiment_and_topics(db, tmp_path):
    from click.testing import CliRunner

    from groundswell.cli import cli

    corrected_db(db)
    args = ["eval", "--from-corrections", "--db", db.conn.execute("pragma database_list").fetchone()[2],
            "--config", str(tmp_path / "absent.toml")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "sentiment: 3 corrected mention(s)" in result.output
    # the report is the tagger's reading of the corrected texts against the corrections
    from groundswell.config import Config
    from groundswell.models.evaluate import evaluate
    from groundswell.tagging.tagger import Tagger

    texts = [r["body"] for r in corrections_of(db, "sentiment")]
    predicted = [r.label for r in Tagger(Config()).predict_sentiment(texts)]
    expected = evaluate(["positive", "negative", "neutral"], predicted)
    assert f"macro recall: {expected['macro_recall']:.4f}" in result.output
    assert "-- as shown (the stars decide" in result.output
    assert "topics: 1 corrected mention(s)" in result.output
    assert "pricing" in result.output and "micro" in result.output


def test_eval_needs_a_csv_or_the_corrections(tmp_path):
    from click.testing import CliRunner

    from groundswell.cli import cli

    result = CliRunner().invoke(cli, ["eval", "--config", str(tmp_path / "absent.toml")])
    assert result.exit_code == 2 and "--from-corrections" in result.output


def test_training_folds_the_corrections_in(db):
    from training.sentiment_data import CORRECTION_WEIGHT, correction_rows

    corrected_db(db)
    path = db.conn.execute("pragma database_list").fetchone()[2]
    rows = correction_rows(path)
    assert [(r.label, r.weight, r.source) for r in rows] == [
        (2, CORRECTION_WEIGHT, "corrections"), (0, CORRECTION_WEIGHT, "corrections"),
        (1, CORRECTION_WEIGHT, "corrections"),
    ]  # fmt: skip
    assert rows[0].text.startswith("Never lets us down") and rows[0].rating == 5
