"""Train the shipped sentiment model: LoRA on all-MiniLM-L6-v2's top layers + a linear head.

    python -m training.train_sentiment [DATA_DIR] [--out groundswell/models/artifacts/sentiment]

DATA_DIR defaults to ``<repo>/../shared/data``. Trains on TweetEval train (+ airline tweets and
Alexa reviews as extra domain data), selects the epoch on TweetEval val and prints val macro
recall and accuracy per epoch. The frozen layers below ``--first-layer`` run once: their outputs
are cached, so each epoch only pays for the adapted top layers.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from groundswell.models.evaluate import evaluate, format_report
from groundswell.models.sentiment import (
    ADAPTER_FILE,
    ARTIFACT_DIR,
    CONFIG_FILE,
    LABELS,
    MAX_LENGTH,
    adapter_state,
    add_lora,
    build_net,
    cache_dir,
    load_base_encoder,
    normalize_text,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
BASE_MODEL = "all-MiniLM-L6-v2"


@dataclass
class Dataset:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # one per source, for caching

    def add(self, texts: list[str], labels: list[int], weight: float = 1.0) -> None:
        self.spans.append((len(self.texts), len(self.texts) + len(texts)))
        self.texts += texts
        self.labels += labels
        self.weights += [weight] * len(texts)


# ---------------------------------------------------------------------------- data


def load_tweeteval(data_dir: Path, split: str) -> tuple[list[str], list[int]]:
    folder = Path(data_dir) / "sentiment" / "tweeteval"
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (folder / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise ValueError(f"{split}: {len(texts)} texts but {len(labels)} labels")
    return [normalize_text(t) for t in texts], labels


def load_airline(data_dir: Path, limit: int, seed: int) -> tuple[list[str], list[int]]:
    """Airline tweets (a random ``limit`` of them when ``limit`` > 0)."""
    path = Path(data_dir) / "sentiment" / "airline" / "Tweets.csv"
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = normalize_text(row["text"])
            if text and row["airline_sentiment"] in LABELS:
                texts.append(text)
                labels.append(LABELS.index(row["airline_sentiment"]))
    if 0 < limit < len(texts):
        keep = sorted(random.Random(seed).sample(range(len(texts)), limit))
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    return texts, labels


def load_alexa(data_dir: Path, max_positive: int, seed: int) -> tuple[list[str], list[int]]:
    """Alexa reviews: 1-2 stars negative, 3 neutral, 4-5 positive (positives subsampled)."""
    path = Path(data_dir) / "sentiment" / "amazon_alexa" / "amazon_alexa.tsv"
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            text = normalize_text(row["verified_reviews"])
            if len(text) > 1:
                rating = int(row["rating"])
                rows.append((text, 0 if rating <= 2 else 1 if rating == 3 else 2))
    positives = [r for r in rows if r[1] == 2]
    random.Random(seed).shuffle(positives)
    rows = [r for r in rows if r[1] != 2] + positives[:max_positive]
    return [r[0] for r in rows], [r[1] for r in rows]


def load_training_data(args: argparse.Namespace) -> Dataset:
    data = Dataset()
    data.add(*load_tweeteval(args.data, "train"))
    if args.airline_weight > 0:
        airline = load_airline(args.data, args.airline_max, args.seed)
        data.add(*airline, weight=args.airline_weight)
    if args.alexa_weight > 0:
        data.add(*load_alexa(args.data, args.alexa_max_positive, args.seed), args.alexa_weight)
    if args.limit:
        order = random.Random(args.seed).sample(range(len(data.texts)), args.limit)
        data = Dataset(
            [data.texts[i] for i in order],
            [data.labels[i] for i in order],
            [data.weights[i] for i in order],
            [(0, len(order))],
        )
    return data


# ---------------------------------------------------------------------------- model


def set_seeds(seed: int, threads: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def tokenize(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    return tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]


def pad(rows: list, value=0):
    """Right-pad a list of 1-d tensors / lists; returns (padded, attention_mask)."""
    import torch

    width = max(len(r) for r in rows)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        mask[i, : len(r)] = 1
    return width, mask


def cache_hidden(net, ids: list[list[int]], first_layer: int, batch_size: int = 128) -> list:
    """Hidden states entering layer ``first_layer`` for every text (fp16, unpadded)."""
    import torch

    out: list = [None] * len(ids)
    net.eval()
    with torch.inference_mode():
        for batch in length_batches(ids, batch_size):
            width, mask = pad([ids[i] for i in batch])
            input_ids = torch.zeros(len(batch), width, dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
            hidden = net.hidden_at_layer(input_ids, mask, first_layer).half()
            for row, i in enumerate(batch):
                out[i] = hidden[row, : len(ids[i])].clone()
    return out


def cached_hidden(net, tokenizer, texts: list[str], args: argparse.Namespace) -> list:
    """``cache_hidden`` for ``texts``, kept on disk (``--cache``) so reruns skip the forward."""
    import torch

    key = hashlib.sha256(
        json.dumps([texts, args.first_layer, args.max_length, BASE_MODEL]).encode()
    ).hexdigest()[:16]
    path = Path(args.cache) / f"sentiment-hidden-{key}.npz" if args.cache else None
    if path and path.exists():
        stored = np.load(path)
        flat, offsets = torch.from_numpy(stored["flat"]), stored["offsets"]
        return [flat[offsets[i] : offsets[i + 1]] for i in range(len(texts))]
    hidden = cache_hidden(net, tokenize(tokenizer, texts, args.max_length), args.first_layer)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        offsets = np.cumsum([0] + [len(h) for h in hidden])
        flat = torch.cat(hidden).numpy()
        np.savez(path.with_suffix(".tmp.npz"), flat=flat, offsets=offsets)
        os.replace(path.with_suffix(".tmp.npz"), path)
    return hidden


def length_batches(ids: list[list[int]], batch_size: int) -> list[list[int]]:
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def shuffled_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Random batches of similar lengths: shuffle, sort within pools of 50 batches, shuffle."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(hidden: list, batch: list[int]):
    import torch

    width, mask = pad([hidden[i] for i in batch])
    x = torch.zeros(len(batch), width, hidden[batch[0]].shape[-1])
    for row, i in enumerate(batch):
        x[row, : len(hidden[i])] = hidden[i].float()
    return x, mask


def predict_cached(net, hidden: list, first_layer: int, batch_size: int = 256) -> np.ndarray:
    import torch

    preds = np.zeros(len(hidden), dtype=np.int64)
    net.eval()
    with torch.inference_mode():
        for batch in length_batches(hidden, batch_size):
            x, mask = collate(hidden, batch)
            preds[batch] = net.forward_from_layer(x, mask, first_layer).argmax(-1).numpy()
    return preds


def class_weights(labels: list[int], power: float):
    import torch

    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    weights = (counts.sum() / (len(LABELS) * counts)) ** power
    return torch.tensor(weights, dtype=torch.float32)


def make_optimizer(net, args: argparse.Namespace, total_steps: int):
    import torch

    head = [p for p in net.head.parameters()]
    body = [p for p in net.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
        weight_decay=args.weight_decay,
    )
    warmup = max(1, int(0.06 * total_steps))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def train_epoch(net, data, hidden, optimizer, scheduler, loss_weights, args, rng) -> float:
    import torch

    net.train()
    labels = torch.tensor(data.labels)
    sample_w = torch.tensor(data.weights, dtype=torch.float32)
    lengths = [len(h) for h in hidden]
    total, seen, start = 0.0, 0, time.time()
    batches = shuffled_batches(lengths, args.batch_size, rng)
    for step, batch in enumerate(batches):
        x, mask = collate(hidden, batch)
        logits = net.forward_from_layer(x, mask, args.first_layer)
        losses = torch.nn.functional.cross_entropy(
            logits, labels[batch], weight=loss_weights, reduction="none"
        )
        w = sample_w[batch] * loss_weights[labels[batch]]
        loss = (losses * sample_w[batch]).sum() / w.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(
            [p for p in net.parameters() if p.requires_grad], args.max_grad_norm
        )
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        total += loss.item() * len(batch)
        seen += len(batch)
        if step % 200 == 0:
            rate = seen / max(time.time() - start, 1e-9)
            print(f"  step {step}/{len(batches)} loss {total / seen:.4f} {rate:.0f} texts/s")
    return total / max(seen, 1)


def save_artifacts(net, config: dict, out: Path) -> None:
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.to(torch.float16).contiguous() for k, v in adapter_state(net, config).items()}
    save_file(state, str(out / ADAPTER_FILE), metadata={"version": config["version"]})
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")


def train(args: argparse.Namespace) -> dict:
    set_seeds(args.seed, args.threads)
    t0 = time.time()
    data = load_training_data(args)
    val_texts, val_labels = load_tweeteval(args.data, "val")
    print(f"train {len(data.texts)} texts, val {len(val_texts)}; labels {np.bincount(data.labels)}")

    tokenizer, encoder = load_base_encoder(None)
    net = build_net(encoder)
    hidden = [
        h for a, b in data.spans for h in cached_hidden(net, tokenizer, data.texts[a:b], args)
    ]
    val_hidden = cached_hidden(net, tokenizer, val_texts, args)
    print(f"cached layer-{args.first_layer} states in {time.time() - t0:.0f}s")

    set_seeds(args.seed, args.threads)
    add_lora(net, args.first_layer, args.rank, args.alpha)
    steps = args.epochs * ((len(hidden) + args.batch_size - 1) // args.batch_size)
    optimizer, scheduler = make_optimizer(net, args, steps)
    loss_weights = class_weights(data.labels, args.class_weight_power)
    rng = random.Random(args.seed)
    config = {
        "base_model": BASE_MODEL,
        "labels": list(LABELS),
        "max_length": args.max_length,
        "first_layer": args.first_layer,
        "rank": args.rank,
        "alpha": args.alpha,
        "version": args.version,
    }
    best: dict = {"macro_recall": -1.0}
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(net, data, hidden, optimizer, scheduler, loss_weights, args, rng)
        metrics = evaluate(val_labels, predict_cached(net, val_hidden, args.first_layer), LABELS)
        print(
            f"epoch {epoch}: loss {loss:.4f} val macro recall {metrics['macro_recall']:.4f} "
            f"accuracy {metrics['accuracy']:.4f} ({time.time() - t0:.0f}s)",
            flush=True,
        )
        if metrics["macro_recall"] > best["macro_recall"]:
            best = {**metrics, "epoch": epoch}
            config["val"] = {
                "epoch": epoch,
                **{k: metrics[k] for k in ("macro_recall", "accuracy")},
            }
            if not args.no_save:
                save_artifacts(net, config, args.out)
    print(f"best epoch {best['epoch']} ({time.time() - t0:.0f}s total)")
    print(format_report(best))
    return best


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    p.add_argument("--out", type=Path, default=ARTIFACT_DIR)
    p.add_argument("--first-layer", type=int, default=4, help="first layer that gets LoRA")
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--alpha", type=float, default=32.0)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--head-lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--max-grad-norm", type=float, default=1.0)
    p.add_argument("--max-length", type=int, default=MAX_LENGTH)
    p.add_argument("--class-weight-power", type=float, default=1.0)
    p.add_argument("--airline-weight", type=float, default=0.5, help="0 drops the airline data")
    p.add_argument("--airline-max", type=int, default=5000, help="0: all 14,640 tweets")
    p.add_argument("--alexa-weight", type=float, default=0.5, help="0 drops the Alexa data")
    p.add_argument("--alexa-max-positive", type=int, default=300)
    p.add_argument("--limit", type=int, default=0, help="train on a random subset (timing runs)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--version", default="minilm-lora-sentiment-1")
    p.add_argument("--no-save", action="store_true")
    p.add_argument(
        "--cache",
        default=str(cache_dir()),
        help="where cached hidden states are kept between runs ('' to disable)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    train(parse_args(argv))


if __name__ == "__main__":
    main()
