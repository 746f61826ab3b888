"""Fine-tune the served student on reviews, forum posts and tweets: ``make train-sentiment``.

    python -m training.tune_student [DATA_DIR] [--corrections groundswell.db] [--epochs 1]

The shipped student (``groundswell/models/student.py``) was distilled from a model trained on
tweets. This script carries on training it, from its saved adapters, on the broader data of
``training/sentiment_data.py`` (and on people's corrections from a groundswell database). Only
its top layers train (``--first-layer``: the last two of its four by default): one pass of the
shipped student caches, for every text, the hidden states entering them and its final token
states, so that an epoch runs two layers instead of four. Two losses:

* class-weighted cross-entropy on the labels (human labels, or star ratings as weak labels);
* an anchor on its token states: relative squared error + token cosine + text-embedding cosine
  to the states the shipped student gave before this training (computed once, cached), so that
  the embedding space the topic prototypes, heads and thresholds were calibrated in stays put.

Every ``--eval-every`` steps the dev split is scored (TweetEval dev half macro recall, forum
macro recall, star agreement on polar reviews, contrast pairs); the checkpoint with the best
mean is kept. Then class priors are calibrated on dev: one offset per class added to the
logits (folded into the head's bias), chosen by the same mean. Nothing here reads the held-out
review sources or the reported half of TweetEval val (``bench/review_sentiment.py`` does).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import time
from pathlib import Path

import numpy as np

from groundswell.models.encoder import padded_ids
from groundswell.models.evaluate import evaluate
from groundswell.models.sentiment import ADAPTER_FILE, LABELS, add_lora, cache_dir
from groundswell.models.student import STUDENT_DIR, build_student, read_student_config
from training.sentiment_data import LabelledText, correction_rows, load_sentiment_data
from training.train_sentiment import DEFAULT_DATA, class_weights, set_seeds, shuffled_batches
from training.train_student import make_optimizer, pooled, save_student

MAX_LENGTH = 128
FORUM_SOURCES = ("github_comments_novielli", "stackoverflow_senti4sd", "jira_comments_ortu",
                 "goemotions_reddit", "sanders_twitter")  # fmt: skip
SELECTION_GROUPS = ("tweets", "forums", "reviews")  # the dev score every choice maximises


# ---------------------------------------------------------------------------- data


class FlatRows:
    """Row i of a flat (tokens, dim) array cut at ``offsets`` (a memory-mapped cache)."""

    def __init__(self, flat: np.ndarray, offsets: np.ndarray) -> None:
        self.flat, self.offsets = flat, offsets

    def __getitem__(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i] : self.offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1


def cached_passes(net, ids: list[list[int]], first: int, cache: Path, key: str):
    """For every text, the shipped student's hidden states entering its layer ``first`` (what
    the trained top layers read) and its final token states (the anchor), from one pass,
    cached as two flat fp16 arrays."""
    import torch

    offsets = np.cumsum([0] + [len(row) for row in ids])
    paths = [cache / f"tune-{name}-{key}.npy" for name in (f"hidden{first}", "anchor")]
    if not all(p.exists() for p in paths):
        cache.mkdir(parents=True, exist_ok=True)
        tmps = [p.with_suffix(".tmp.npy") for p in paths]
        flats = [np.lib.format.open_memmap(t, "w+", np.float16, (int(offsets[-1]), 384))
                 for t in tmps]  # fmt: skip
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            for start in range(0, len(order), 128):
                batch = order[start : start + 128]
                input_ids, mask = (torch.from_numpy(a) for a in padded_ids([ids[i] for i in batch]))
                hidden = lower_layers(net, input_ids, mask, first)
                states, _ = upper_layers(net, hidden, mask, first)
                for row, i in enumerate(batch):
                    for flat, values in zip(flats, (hidden, states), strict=True):
                        flat[offsets[i] : offsets[i + 1]] = (
                            values[row, : len(ids[i])].half().numpy()
                        )
                if start % 12800 == 0:
                    print(f"  cached passes {start}/{len(ids)}", flush=True)
        for flat in flats:
            flat.flush()
        del flats
        for tmp, path in zip(tmps, paths, strict=True):
            os.replace(tmp, path)
    return [FlatRows(np.load(p, mmap_mode="r"), offsets) for p in paths]


def lower_layers(net, input_ids, mask, first: int):
    """The embeddings and the student's layers below ``first``."""
    from transformers.masking_utils import create_bidirectional_mask

    hidden = net.encoder.embeddings(input_ids=input_ids)
    attention = create_bidirectional_mask(config=net.encoder.config, inputs_embeds=hidden,
                                          attention_mask=mask)  # fmt: skip
    for layer in net.encoder.encoder.layer[:first]:
        hidden = layer(hidden, attention)
    return hidden


def upper_layers(net, hidden, mask, first: int):
    """The student's layers from ``first`` up, then (token states, token logits)."""
    from transformers.masking_utils import create_bidirectional_mask

    attention = create_bidirectional_mask(config=net.encoder.config, inputs_embeds=hidden,
                                          attention_mask=mask)  # fmt: skip
    for layer in net.encoder.encoder.layer[first:]:
        hidden = layer(hidden, attention)
    return net.projection(hidden), net.head(hidden)


def batch_tensors(batch: list[int], ids: list, hidden: FlatRows, anchors: FlatRows):
    """(cached hidden states, attention mask, anchor states) of a batch, padded."""
    import torch

    width = max(len(ids[i]) for i in batch)
    mask = torch.zeros(len(batch), width, dtype=torch.long)
    inputs = torch.zeros(len(batch), width, hidden.flat.shape[1])
    target = torch.zeros(len(batch), width, anchors.flat.shape[1])
    for row, i in enumerate(batch):
        n = len(ids[i])
        mask[row, :n] = 1
        inputs[row, :n] = torch.from_numpy(hidden[i].astype(np.float32))
        target[row, :n] = torch.from_numpy(anchors[i].astype(np.float32))
    return inputs, mask, target


# ---------------------------------------------------------------------------- model


def trainable_student(rank: int, alpha: float, first: int, student_dir: Path = STUDENT_DIR):
    """The shipped student with the LoRA factors of its layers from ``first`` up as trainable
    parameters (not merged), and its projection, head and bias; the layers below stay as
    they were."""
    import torch
    from safetensors.torch import load_file

    from groundswell.models.sentiment import _get_module, load_base_encoder

    config = read_student_config(student_dir)
    if (rank, alpha) != (config["rank"], config["alpha"]):
        raise ValueError(f"the shipped student has rank {config['rank']}, alpha {config['alpha']}")
    _, encoder = load_base_encoder(config.get("base_model"))
    net = build_student(encoder, tuple(config["kept_layers"]), len(config["labels"]))
    add_lora(net, 0, rank, alpha)
    state = load_file(str(student_dir / ADAPTER_FILE))
    with torch.no_grad():
        for key, value in state.items():
            kind, _, name = key.partition(".")
            if kind == "untuned":  # the head before training/tune_head.py refitted it
                continue
            if kind == "lora":
                module, factor = name.rsplit(".", 1)
                target = _get_module(net.encoder, module)
                getattr(target, f"lora_{factor}").copy_(value.float())
            elif kind == "ln":
                _get_module(net.encoder, name).copy_(value.float())
            else:
                _get_module(net, key).copy_(value.float())
    for name, p in net.encoder.named_parameters():
        if p.requires_grad and int(name.split(".")[2]) < first:  # encoder.layer.<i>....
            p.requires_grad_(False)
    for p in [*net.projection.parameters(), *net.head.parameters(), net.bias]:
        p.requires_grad_(True)
    return net, config


def text_logits(net, input_ids, mask):
    states, logits = net(input_ids, mask)
    return states, pooled(logits, mask) + net.bias


def losses(net, tensors, labels, sample_weights, label_weights, first: int):
    """(anchor loss on token states, class-weighted cross-entropy) for one batch."""
    from torch.nn import functional

    hidden, mask, target = tensors
    states, token_logits = upper_layers(net, hidden, mask, first)
    logits = pooled(token_logits, mask) + net.bias
    real = mask.to(states.dtype)
    squared = (((states - target) ** 2).sum(-1) * real).sum()
    relative = squared / ((target**2).sum(-1) * real).sum()
    token_cos = (functional.cosine_similarity(states, target, dim=-1) * real).sum() / real.sum()
    text_cos = functional.cosine_similarity(pooled(states, mask), pooled(target, mask)).mean()
    ce = functional.cross_entropy(logits, labels, weight=label_weights, reduction="none")
    ce = (ce * sample_weights).sum() / (sample_weights * label_weights[labels]).sum()
    return relative + (1 - token_cos) + (1 - text_cos), ce


# ---------------------------------------------------------------------------- dev


def dev_logits(net, ids: list[list[int]]) -> np.ndarray:
    import torch

    out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
    by_length = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    net.eval()
    with torch.inference_mode():
        for start in range(0, len(ids), 128):
            order = by_length[start : start + 128]
            input_ids, mask = (torch.from_numpy(a) for a in padded_ids([ids[i] for i in order]))
            out[order] = text_logits(net, input_ids, mask)[1].numpy()
    net.train()
    return out


def dev_sample(rows: list[LabelledText], per_source: int, seed: int) -> list[LabelledText]:
    """At most ``per_source`` dev texts of each source (TweetEval's dev half whole)."""
    by_source: dict[str, list[LabelledText]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    rng = random.Random(seed)
    out = []
    for source, members in sorted(by_source.items()):
        keep = source.startswith("tweeteval") or len(members) <= per_source
        out += members if keep else rng.sample(members, per_source)
    return out


def dev_groups(rows: list[LabelledText]) -> dict[str, np.ndarray]:
    """Row indexes of each dev group the selection score averages over."""
    groups: dict[str, list[int]] = {"tweets": [], "forums": [], "reviews": [], "contrast": []}
    for i, row in enumerate(rows):
        if row.source.startswith("tweeteval"):
            groups["tweets"].append(i)
        elif row.source in FORUM_SOURCES:
            groups["forums"].append(i)
        elif row.source == "contrast":
            groups["contrast"].append(i)
        elif row.rating is not None:
            groups["reviews"].append(i)
    return {k: np.asarray(v) for k, v in groups.items()}


def dev_scores(logits: np.ndarray, labels: np.ndarray, groups: dict) -> dict[str, float]:
    """Macro recall (tweets, forums), agreement with the stars (polar reviews), contrast
    accuracy, and the selection score: the mean of the first three. The contrast pairs are
    made up and all polar (as are the reviews): counted in, they would push every choice
    towards fewer neutral labels, which unrated tweets and forum posts need."""
    predicted = logits.argmax(1)
    scores = {}
    for name in ("tweets", "forums"):
        rows = groups[name]
        scores[name] = evaluate(labels[rows], predicted[rows], range(3))["macro_recall"]
    for name in ("reviews", "contrast"):
        rows = groups[name]
        scores[name] = float((predicted[rows] == labels[rows]).mean())
    scores["mean"] = float(np.mean([scores[k] for k in SELECTION_GROUPS]))
    return {k: round(v, 4) for k, v in scores.items()}


def calibrate_priors(logits: np.ndarray, labels: np.ndarray, groups: dict) -> np.ndarray:
    """Per-class offsets (neutral fixed at 0) maximising the dev mean score."""
    grid = np.round(np.arange(-1.5, 1.51, 0.1), 2)
    best, best_offsets = -1.0, np.zeros(3, dtype=np.float32)
    for negative in grid:
        for positive in grid:
            offsets = np.array([negative, 0.0, positive], dtype=np.float32)
            score = dev_scores(logits + offsets, labels, groups)["mean"]
            if score > best + 1e-9:
                best, best_offsets = score, offsets
    return best_offsets


# ---------------------------------------------------------------------------- training


def train(args: argparse.Namespace) -> dict:
    import torch

    from groundswell.models.sentiment import load_tokenizer, normalize_text

    set_seeds(args.seed, args.threads)
    t0 = time.time()
    data = load_sentiment_data(args.data, args.seed, args.contrast)
    train_rows = data.train
    if args.corrections:
        corrections = correction_rows(args.corrections)
        print(f"{len(corrections)} corrections from {args.corrections}")
        train_rows = train_rows + [
            LabelledText(normalize_text(r.text), r.label, r.source, r.weight, r.rating)
            for r in corrections
        ]
    if args.limit:
        train_rows = random.Random(args.seed).sample(train_rows, args.limit)
    tokenizer = load_tokenizer(None)
    ids = tokenizer([r.text for r in train_rows], truncation=True, max_length=MAX_LENGTH)[
        "input_ids"
    ]
    dev = dev_sample(data.dev, args.dev_per_source, args.seed)
    dev_ids = tokenizer([r.text for r in dev], truncation=True, max_length=MAX_LENGTH)["input_ids"]
    dev_labels = np.array([r.label for r in dev])
    groups = dev_groups(dev)
    net, config = trainable_student(args.rank, args.alpha, args.first_layer, args.student)
    key = hashlib.sha256(
        json.dumps([[r.text for r in train_rows], config["version"]]).encode()
    ).hexdigest()[:16]
    hidden, anchors = cached_passes(net.eval(), ids, args.first_layer, Path(args.cache), key)
    print(f"train {len(ids)} texts, dev {len(dev_ids)} ({time.time() - t0:.0f}s)", flush=True)
    start = dev_scores(dev_logits(net, dev_ids), dev_labels, groups)
    print(f"start: dev {start}", flush=True)

    labels = torch.tensor([r.label for r in train_rows])
    sample_weights = torch.tensor([r.weight for r in train_rows], dtype=torch.float32)
    label_weights = class_weights([r.label for r in train_rows], 1.0)
    rng = random.Random(args.seed)
    batches = [
        b for _ in range(args.epochs)
        for b in shuffled_batches([len(row) for row in ids], args.batch_size, rng)
    ]  # fmt: skip
    optimizer, scheduler = make_optimizer(net, args, len(batches))
    params = [p for p in net.parameters() if p.requires_grad]
    best = {"mean": start["mean"], "step": 0, "scores": start}
    best_state = copy.deepcopy(trainable_state(net))
    totals, tick = np.zeros(2), time.time()
    net.train()
    for step, batch in enumerate(batches, 1):
        anchor, ce = losses(net, batch_tensors(batch, ids, hidden, anchors), labels[batch],
                            sample_weights[batch], label_weights, args.first_layer)  # fmt: skip
        (args.anchor_weight * anchor + ce).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        totals += [anchor.item(), ce.item()]
        if step % 200 == 0:
            rate = 200 * args.batch_size / (time.time() - tick)
            print(f"  step {step}/{len(batches)} anchor/ce {np.round(totals / 200, 4)} "
                  f"{rate:.0f} texts/s", flush=True)  # fmt: skip
            totals, tick = np.zeros(2), time.time()
        if step % args.eval_every == 0 or step == len(batches):
            scores = dev_scores(dev_logits(net, dev_ids), dev_labels, groups)
            print(f"step {step}: dev {scores} ({time.time() - t0:.0f}s)", flush=True)
            if scores["mean"] > best["mean"]:
                best = {"mean": scores["mean"], "step": step, "scores": scores}
                best_state = copy.deepcopy(trainable_state(net))
            tick = time.time()
    load_trainable_state(net, best_state)
    logits = dev_logits(net, dev_ids)
    offsets = calibrate_priors(logits, dev_labels, groups)
    calibrated = dev_scores(logits + offsets, dev_labels, groups)
    print(f"best step {best['step']}: dev {best['scores']}; prior offsets {offsets.tolist()}: "
          f"dev {calibrated}", flush=True)  # fmt: skip
    with torch.no_grad():
        net.bias += torch.from_numpy(offsets)
    config.update(
        version=args.version,
        trained_from=config["version"],
        dev={"step": best["step"], "steps": len(batches), "prior_offsets": offsets.tolist(),
             **calibrated},
    )  # fmt: skip
    if not args.no_save:
        save_student(net, config, args.out)
        print(f"saved {args.out} ({time.time() - t0:.0f}s)")
    return calibrated


def recalibrate(args: argparse.Namespace) -> dict:
    """Calibrate the class priors of the student in ``--out`` again, on the same dev split:
    its dev logits without the offsets it was saved with, new offsets, saved in place."""
    import torch

    from groundswell.models.sentiment import load_tokenizer

    set_seeds(args.seed, args.threads)
    data = load_sentiment_data(args.data, args.seed, args.contrast)
    dev = dev_sample(data.dev, args.dev_per_source, args.seed)
    ids = load_tokenizer(None)([r.text for r in dev], truncation=True, max_length=MAX_LENGTH)
    labels, groups = np.array([r.label for r in dev]), dev_groups(dev)
    net, config = trainable_student(args.rank, args.alpha, args.first_layer, args.out)
    with torch.no_grad():
        net.bias -= torch.tensor(config["dev"]["prior_offsets"], dtype=torch.float32)
    logits = dev_logits(net, ids["input_ids"])
    offsets = calibrate_priors(logits, labels, groups)
    scores = dev_scores(logits + offsets, labels, groups)
    print(f"before calibration: dev {dev_scores(logits, labels, groups)}; prior offsets "
          f"{offsets.tolist()}: dev {scores}")  # fmt: skip
    with torch.no_grad():
        net.bias += torch.from_numpy(offsets)
    config["dev"].update(prior_offsets=offsets.tolist(), **scores)
    save_student(net, config, args.out)
    return scores


def trainable_state(net) -> dict:
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def load_trainable_state(net, state: dict) -> None:
    net.load_state_dict(state)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    p.add_argument("--student", type=Path, default=STUDENT_DIR,
                   help="the student to start from (minilm4-student-3 started from "
                        "minilm4-student-2: git show d629adc:groundswell/models/artifacts/student/...)")  # fmt: skip
    p.add_argument("--out", type=Path, default=STUDENT_DIR)
    p.add_argument("--corrections", help="a groundswell database whose corrections to learn")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--first-layer", type=int, default=2,
                   help="the student's layers from this one (of 4) up are trained")  # fmt: skip
    p.add_argument("--rank", type=int, default=64)
    p.add_argument("--alpha", type=float, default=128.0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--anchor-weight", type=float, default=2.0)
    p.add_argument("--contrast", type=int, default=4000, help="contrast pairs to train on")
    p.add_argument("--eval-every", type=int, default=1500)
    p.add_argument("--dev-per-source", type=int, default=200, help="dev texts per source")
    p.add_argument("--limit", type=int, default=0, help="train on a random subset (timing runs)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--version", default="minilm4-student-3")
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--recalibrate", action="store_true",
                   help="only calibrate the priors of the student in --out again")  # fmt: skip
    p.add_argument("--cache", default=str(cache_dir()),
                   help="the lower layers' outputs and the anchor states are cached here")  # fmt: skip
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    recalibrate(args) if args.recalibrate else train(args)


if __name__ == "__main__":
    main()
