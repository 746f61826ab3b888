"""Tagging throughput: the full pipeline (language, duplicates, monitors, sentiment, topics,
keyphrases) over TweetEval texts on this machine's CPUs, against a plain per-item
``transformers`` pipeline on the same texts in the same run. Prints mentions/s and peak memory.

    python bench/tag_throughput.py [--texts 10000] [--baseline 1000] [--batch-size 256]

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


def full_pipeline_rate(texts: list[str], batch_size: int) -> tuple[float, float]:
    """(mentions/s, seconds) for the whole tagging pipeline, models loaded before timing."""
    from groundswell.config import Config, MonitorConfig
    from groundswell.tagging.tagger import Tagger

    config = Config(monitor=[MonitorConfig(name="Apple", query="apple OR iphone")])
    tagger = Tagger(config)
    tagger.tag([{"id": "warm", "body": "warm up the models"}])
    served = "one shared int8 ONNX pass per text" if tagger.shared else "stages run separately"
    print(f"model stages: {served}")
    mentions = [{"id": f"t{i}", "body": text} for i, text in enumerate(texts)]
    start = time.perf_counter()
    for i in range(0, len(mentions), batch_size):
        tagger.tag(mentions[i : i + batch_size])
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
    args = parser.parse_args()
    if not TWEETEVAL.is_dir():
        sys.exit(f"TweetEval not found at {TWEETEVAL} (../shared/data is absent)")
    import torch

    texts = load_texts(args.texts)
    print(f"texts: {len(texts)} TweetEval val+train; torch threads: {torch.get_num_threads()}")
    base_rate, base_s = per_item_baseline_rate(texts[: args.baseline])
    print(f"per-item transformers pipeline (encoder only), {args.baseline} texts: "
          f"{base_rate:.1f} mentions/s ({base_s:.1f} s)")  # fmt: skip
    rate, seconds = full_pipeline_rate(texts, args.batch_size)
    print(f"groundswell full tagging, {len(texts)} texts, batch {args.batch_size}: "
          f"{rate:.1f} mentions/s ({seconds:.1f} s)")  # fmt: skip
    print(f"speed-up over per-item: {rate / base_rate:.2f}x")
    print(f"peak memory (max RSS): {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
