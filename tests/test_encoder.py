from __future__ import annotations

import numpy as np

from groundswell.models.encoder import length_sorted_batches, load_encoder


def test_length_sorted_batches_cover_every_text_once():
    texts = ["a" * n for n in (5, 1, 9, 3, 7)]
    batches = length_sorted_batches(texts, 2)
    assert sorted(i for b in batches for i in b) == list(range(5))
    assert [len(texts[b[0]]) for b in batches] == [1, 5, 9]


def test_embeddings_are_normalised_cached_and_order_preserving():
    encoder = load_encoder()
    texts = [
        "the support team never answered",
        "pricing is fair",
        "the support team never answered",
    ]
    vectors = encoder.embed(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2])
    fresh = encoder.compute(texts[:2], 64)
    assert np.allclose(vectors[:2], fresh, atol=1e-5)  # the cache gives what a fresh pass gives
    assert (
        float(vectors[0] @ vectors[1])
        < 0.5
        < float(vectors[0] @ encoder.embed(["support never replied"])[0])
    )
