"""Sentiment accuracy on TweetEval val: the shipped model (torch, ONNX fp32, ONNX int8), the
tagger's shared-pass graphs (the 4-layer student it serves by default, and the 8-layer joint
graph) and the frozen-MiniLM + logistic-regression baseline, each as measured, plus speed.

    python -m bench.sentiment_accuracy [DATA_DIR] [--backends torch onnx-fp32 onnx-int8]
        [--baseline-train N] [--no-baseline] [--shared [student] [joint]] [--threads 2]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/

import numpy as np

from groundswell.models.evaluate import evaluate, format_report
from groundswell.models.sentiment import ARTIFACT_DIR, BACKENDS, LABELS, cache_dir, shipped_model
from training.train_sentiment import DEFAULT_DATA, load_tweeteval


def set_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def bench_backend(
    artifacts: Path, backend: str, texts: list[str], labels: list[int], threads: int
) -> dict:
    model = shipped_model(artifacts, backend=backend, threads=threads)
    if model.backend.name != backend:
        print(f"[{backend}] unavailable, fell back to {model.backend.name}")
    model.predict(texts[:64])  # warm-up
    start = time.perf_counter()
    results = model.predict(texts)
    seconds = time.perf_counter() - start
    metrics = evaluate(labels, [r.label for r in results], LABELS)
    metrics["texts_per_s"] = len(texts) / seconds
    metrics["served_by"] = model.backend.name
    return metrics


def bench_shared(
    graph: str, artifacts: Path, texts: list[str], labels: list[int], threads: int
) -> dict:
    """A shared-pass graph as the tagger serves it (``groundswell/models/shared_encoder.py``), in batches
    of 256: ``student`` (the default) or ``joint``."""
    from groundswell.models.sentiment import normalize_text
    from groundswell.models.shared_encoder import build_shared_encoder

    shared = build_shared_encoder(graph, threads, artifacts)
    prepared = [normalize_text(t) for t in texts]
    shared.encode(prepared[:64])  # warm-up
    start = time.perf_counter()
    results = []
    for i in range(0, len(prepared), 256):
        results += shared.sentiments(shared.encode(prepared[i : i + 256]))
    seconds = time.perf_counter() - start
    metrics = evaluate(labels, [r.label for r in results], LABELS)
    metrics["texts_per_s"] = len(texts) / seconds
    return metrics


def embeddings(texts: list[str], tag: str) -> np.ndarray:
    """Frozen MiniLM sentence embeddings, cached in the groundswell cache dir."""
    from groundswell.models.encoder import load_encoder

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    path = cache_dir() / f"bench-minilm-{tag}-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = load_encoder().embed(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def bench_baseline(data: Path, val_texts: list[str], val_labels: list[int], n: int) -> dict:
    from sklearn.linear_model import LogisticRegression

    train_texts, train_labels = load_tweeteval(data, "train")
    if n and n < len(train_texts):
        order = np.random.default_rng(0).permutation(len(train_texts))[:n]
        train_texts = [train_texts[i] for i in order]
        train_labels = [train_labels[i] for i in order]
    clf = LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced")
    clf.fit(embeddings(train_texts, f"train{len(train_texts)}"), train_labels)
    predictions = clf.predict(embeddings(val_texts, "val"))
    result = evaluate(val_labels, predictions.tolist(), LABELS)
    result["train_size"] = len(train_texts)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS[::-1]), choices=BACKENDS)
    parser.add_argument("--baseline-train", type=int, default=0, help="0: all of train")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--shared",
        nargs="*",
        default=["student", "joint"],
        choices=["student", "joint"],
        help="the tagger's shared-pass graphs to measure (none: skip)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--artifacts", type=Path, default=ARTIFACT_DIR)
    args = parser.parse_args(argv)
    set_threads(args.threads)
    texts, labels = load_tweeteval(args.data, "val")
    for backend in args.backends:
        result = bench_backend(args.artifacts, backend, texts, labels, args.threads)
        print(f"\n=== shipped model, {backend} ({result['texts_per_s']:.0f} texts/s) ===")
        print(format_report(result))
    for graph in args.shared:
        result = bench_shared(graph, args.artifacts, texts, labels, args.threads)
        print(f"\n=== {graph} int8 graph as the tagger serves it "
              f"({result['texts_per_s']:.0f} texts/s) ===")  # fmt: skip
        print(format_report(result))
    if not args.no_baseline:
        result = bench_baseline(args.data, texts, labels, args.baseline_train)
        print(
            f"\n=== baseline: frozen MiniLM + logistic regression ({result['train_size']} train) ==="
        )
        print(format_report(result))


if __name__ == "__main__":
    main()
