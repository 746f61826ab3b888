"""Tagging throughput: the full pipeline (language, duplicates, monitors, sentiment, topics,
keyphrases, intent) over TweetEval texts on this machine's CPUs, against a plain per-item
``transformers`` pipeline on the same texts in the same run. Prints mentions/s and peak memory.

    python bench/tag_throughput.py [--texts 10000] [--baseline 1000] [--batch-size 256]
                                   [--batch-at-a-time]

The pipeline runs as ``groundswell tag`` runs it (``Tagger.tag_batches``: the next batch's model
pass beside this batch's stages); ``--batch-at-a-time`` calls ``Tagger.tag`` per batch instead.

With the shipped models every model stage reads one int8 ONNX pass per text
(``groundswell/models/shared_encoder.py``); ``GROUNDSWELL_SENTIMENT_BACKEND=torch`` measures the stages run
separately instead.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TWEETEVAL = ROOT.parent / "shared" / "data" / "sentiment" / "tweeteval"


def load_texts(count: int) -> list[str]:
    lines = []
    for name in ("val_text.txt", "train_text.txt"):
        lines += (TWEETEVAL / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()][:count]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def full_pipeline_rate(
    texts: list[str], batch_size: int, read_ahead: bool = True
) -> tuple[float, float]:
    """(mentions/s, seconds) for the whole tagging pipeline, models loaded before timing:
    ``Tagger.tag_batches`` as ``groundswell tag`` runs it (the next batch's model pass beside
    this batch's stages), or ``Tagger.tag`` a batch at a time without ``read_ahead``."""
    from groundswell.config import Config, MonitorConfig
    from groundswell.tagging.tagger import Tagger

    config = Config(monitor=[MonitorConfig(name="Apple", query="apple OR iphone")])
    tagger = Tagger(config)
    tagger.tag([{"id": "warm", "body": "warm up the models"}])
    served = "one shared int8 ONNX pass per text" if tagger.shared else "stages run separately"
    print(f"model stages: {served}")
    mentions = [{"id": f"t{i}", "body": text} for i, text in enumerate(texts)]
    batches = [mentions[i : i + batch_size] for i in range(0, len(mentions), batch_size)]
    start = time.perf_counter()
    if read_ahead:
        for _ in tagger.tag_batches(batches):
            pass
    else:
        for batch in batches:
            tagger.tag(batch)
    seconds = time.perf_counter() - start
    return len(texts) / seconds, seconds


def per_item_baseline_rate(texts: list[str]) -> tuple[float, float]:
    """A plain per-item transformers pipeline: one text at a time through the same encoder."""
    from transformers import pipeline

    from groundswell.models.encoder import packaged_model_path

    extractor = pipeline("feature-extraction", model=str(packaged_model_path()), device="cpu")
    extractor("warm up")
    start = time.perf_counter()
    for text in texts:
        extractor(text, truncation=True, max_length=128)
    seconds = time.perf_counter() - start
    return len(texts) / seconds, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000, help="texts for the baseline")
    parser.add_argument("--batch-size", type=int, default=256, help="[model] batch_size default")
    parser.add_argument(
        "--batch-at-a-time", action="store_true", help="Tagger.tag per batch, no read-ahead"
    )
    args = parser.parse_args()
    if not TWEETEVAL.is_dir():
        sys.exit(f"TweetEval not found at {TWEETEVAL} (../shared/data is absent)")
    import torch

    texts = load_texts(args.texts)
    print(f"texts: {len(texts)} TweetEval val+train; torch threads: {torch.get_num_threads()}")
    base_rate, base_s = per_item_baseline_rate(texts[: args.baseline])
    print(f"per-item transformers pipeline (encoder only), {args.baseline} texts: "
          f"{base_rate:.1f} mentions/s ({base_s:.1f} s)")  # fmt: skip
    rate, seconds = full_pipeline_rate(texts, args.batch_size, not args.batch_at_a_time)
    how = "a batch at a time" if args.batch_at_a_time else "reading a batch ahead"
    print(f"groundswell full tagging, {len(texts)} texts, batch {args.batch_size}, {how}: "
          f"{rate:.1f} mentions/s ({seconds:.1f} s)")  # fmt: skip
    print(f"speed-up over per-item: {rate / base_rate:.2f}x")
    print(f"peak memory (max RSS): {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
