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
