"""Train the 4-layer student (``groundswell/models/student.py``) from the joint graph: ``make train-student``.

    python -m training.train_student [DATA_DIR] [--out groundswell/models/artifacts/student] [--epochs 2]

Texts: the sentiment model's training set (TweetEval train + airline tweets + Alexa reviews,
``training/train_sentiment.py``). The teacher is the fp32 joint graph of the shipped models:
the plain MiniLM's token states and the sentiment model's token logits, computed once and
cached. The student learns

* its token states from the teacher's (relative squared error + token cosine + the cosine of
  the mean-pooled text embeddings, the vector topics compare);
* its sentiment from the teacher's probabilities (KL) and from the gold labels (class-weighted
  cross-entropy, as the sentiment model was trained).

Every epoch prints TweetEval val macro recall and the student-to-teacher embedding cosine; the
last epoch is saved (the learning rate has decayed to 0 by then).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from groundswell.models.encoder import padded_ids
from groundswell.models.evaluate import evaluate
from groundswell.models.sentiment import (
    ADAPTER_FILE,
    ARTIFACT_DIR,
    CONFIG_FILE,
    LABELS,
    add_lora,
    cache_dir,
)
from groundswell.models.student import KEPT_LAYERS, STUDENT_DIR, build_student, student_state
from training.train_sentiment import (
    BASE_MODEL,
    DEFAULT_DATA,
    class_weights,
    length_batches,
    load_training_data,
    load_tweeteval,
    set_seeds,
    shuffled_batches,
)
from training.train_sentiment import parse_args as sentiment_args

MAX_LENGTH = 128  # the shared pass's window


# ---------------------------------------------------------------------------- teacher


def teacher_outputs(tokenizer, texts: list[str], cache: Path | None) -> tuple[list, list, list]:
    """(token ids, teacher token states fp16, teacher token logits) per text, cached on disk."""
    from groundswell.models.export import JOINT_GRAPH, artifact_hash

    ids = tokenizer(texts, truncation=True, max_length=MAX_LENGTH)["input_ids"]
    key = hashlib.sha256(
        json.dumps([texts, JOINT_GRAPH, artifact_hash(ARTIFACT_DIR)]).encode()
    ).hexdigest()[:16]
    path = cache / f"student-teacher-{key}.npz" if cache else None
    if path and path.exists():
        stored = np.load(path)
        flat_states, flat_logits, offsets = stored["states"], stored["logits"], stored["offsets"]
    else:
        flat_states, flat_logits, offsets = run_teacher(ids)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, states=flat_states, logits=flat_logits, offsets=offsets)
            os.replace(tmp, path)
    spans = list(zip(offsets[:-1], offsets[1:], strict=True))
    return ids, [flat_states[a:b] for a, b in spans], [flat_logits[a:b] for a, b in spans]


def run_teacher(ids: list[list[int]], batch_size: int = 64):
    """The fp32 joint graph over every text: flat fp16 states, flat logits, offsets."""
    from groundswell.models.export import export_joint_fp32
    from groundswell.models.shared_encoder import open_session

    states: list = [None] * len(ids)
    logits: list = [None] * len(ids)
    with tempfile.TemporaryDirectory() as tmp:
        session = open_session(export_joint_fp32(ARTIFACT_DIR, Path(tmp) / "joint-fp32.onnx"))
        for batch in length_batches(ids, batch_size):
            input_ids, mask = padded_ids([ids[i] for i in batch])
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            batch_states, batch_logits = session.run(["token_states", "token_logits"], feeds)
            for row, i in enumerate(batch):
                states[i] = batch_states[row, : len(ids[i])].astype(np.float16)
                logits[i] = batch_logits[row, : len(ids[i])]
    offsets = np.cumsum([0] + [len(row) for row in ids])
    return np.concatenate(states), np.concatenate(logits), offsets


# ---------------------------------------------------------------------------- student


def batch_tensors(batch: list[int], ids: list, states: list, logits: list):
    import torch

    input_ids, mask = (torch.from_numpy(a) for a in padded_ids([ids[i] for i in batch]))
    target_states = torch.zeros(len(batch), input_ids.shape[1], states[batch[0]].shape[-1])
    target_logits = torch.zeros(len(batch), input_ids.shape[1], logits[batch[0]].shape[-1])
    for row, i in enumerate(batch):
        target_states[row, : len(ids[i])] = torch.from_numpy(states[i].astype(np.float32))
        target_logits[row, : len(ids[i])] = torch.from_numpy(logits[i])
    return input_ids, mask, target_states, target_logits


def pooled(values, mask):
    weights = mask.unsqueeze(-1).to(values.dtype)
    return (values * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def init_outputs(net, teacher, teacher_head: dict, sample: int = 2000) -> None:
    """Projection: ridge regression of teacher states on the student's untrained hidden
    states (a linear start); head and bias: the teacher's (``teacher_head``)."""
    import torch

    ids = teacher[0]
    inputs, targets = [], []
    with torch.inference_mode():
        for batch in length_batches(ids[:sample], 64):
            input_ids, mask, target_states, _ = batch_tensors(batch, *teacher)
            keep = mask.bool()
            inputs.append(net.hidden(input_ids, mask)[keep].double())
            targets.append(target_states[keep].double())
    x, y = torch.cat(inputs), torch.cat(targets)
    x = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)
    solution = torch.linalg.solve(x.T @ x + torch.eye(x.shape[1], dtype=x.dtype), x.T @ y)
    with torch.no_grad():
        net.projection.weight.copy_(solution[:-1].T.float())
        net.projection.bias.copy_(solution[-1].float())
        net.head.weight.copy_(teacher_head["head.weight"].float())
        net.bias.copy_(teacher_head["head.bias"].float())


def student_losses(net, tensors, labels, sample_weights, label_weights, teacher_bias):
    """(state loss, distillation KL, label cross-entropy) for one batch."""
    import torch
    from torch.nn import functional

    input_ids, mask, target_states, target_logits = tensors
    states, logits = net(input_ids, mask)
    real = mask.to(states.dtype)
    squared = (((states - target_states) ** 2).sum(-1) * real).sum()
    relative = squared / ((target_states**2).sum(-1) * real).sum()
    token_cos = (
        functional.cosine_similarity(states, target_states, dim=-1) * real
    ).sum() / real.sum()
    text_cos = functional.cosine_similarity(
        pooled(states, mask), pooled(target_states, mask)
    ).mean()
    state_loss = relative + (1 - token_cos) + (1 - text_cos)
    text_logits = pooled(logits, mask) + net.bias
    teacher_probs = torch.softmax(pooled(target_logits, mask) + teacher_bias, -1)
    kd = functional.kl_div(torch.log_softmax(text_logits, -1), teacher_probs, reduction="batchmean")
    ce = functional.cross_entropy(text_logits, labels, weight=label_weights, reduction="none")
    ce = (ce * sample_weights).sum() / (sample_weights * label_weights[labels]).sum()
    return state_loss, kd, ce


def validate(net, ids, states, logits, labels) -> dict:
    """TweetEval val macro recall / accuracy and the embedding cosine to the teacher."""
    import torch
    from torch.nn import functional

    predictions = np.zeros(len(ids), dtype=np.int64)
    cosines = np.zeros(len(ids), dtype=np.float64)
    net.eval()
    with torch.inference_mode():
        for batch in length_batches(ids, 128):
            input_ids, mask, target_states, _ = batch_tensors(batch, ids, states, logits)
            student_states, student_logits = net(input_ids, mask)
            predictions[batch] = (pooled(student_logits, mask) + net.bias).argmax(-1).numpy()
            cos = functional.cosine_similarity(
                pooled(student_states, mask), pooled(target_states, mask)
            )
            cosines[batch] = cos.numpy()
    net.train()
    metrics = evaluate(labels, predictions, LABELS)
    return {
        "macro_recall": metrics["macro_recall"],
        "accuracy": metrics["accuracy"],
        "embedding_cosine_mean": float(cosines.mean()),
        "embedding_cosine_p5": float(np.percentile(cosines, 5)),
    }


def train_epoch(net, data, teacher, teacher_bias, optimizer, scheduler, args, rng) -> np.ndarray:
    """One pass over the training texts; returns the mean (state, KL, CE) losses."""
    import torch

    ids, states, logits = teacher
    labels = torch.tensor(data.labels)
    sample_weights = torch.tensor(data.weights, dtype=torch.float32)
    label_weights = class_weights(data.labels, 1.0)
    params = [p for p in net.parameters() if p.requires_grad]
    totals, start = np.zeros(3), time.time()
    batches = shuffled_batches([len(row) for row in ids], args.batch_size, rng)
    for step, batch in enumerate(batches, 1):
        tensors = batch_tensors(batch, ids, states, logits)
        parts = student_losses(
            net, tensors, labels[batch], sample_weights[batch], label_weights, teacher_bias
        )
        loss = args.state_weight * parts[0] + args.kd_weight * parts[1] + args.ce_weight * parts[2]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        totals += [part.item() for part in parts]
        if step % 300 == 0:
            rate = step * args.batch_size / (time.time() - start)
            print(f"  step {step}/{len(batches)} losses {np.round(totals / step, 4)} "
                  f"{rate:.0f} texts/s", flush=True)  # fmt: skip
    return totals / max(len(batches), 1)


def make_optimizer(net, args: argparse.Namespace, total_steps: int):
    import torch

    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(0.06 * total_steps))

    def schedule(step: int) -> float:
        return min(1.0, (step + 1) / warmup) * max(0.0, (total_steps - step) / total_steps)

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def save_student(net, config: dict, out: Path) -> None:
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.to(torch.float16).contiguous() for k, v in student_state(net).items()}
    save_file(state, str(out / ADAPTER_FILE), metadata={"version": config["version"]})
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")


def train(args: argparse.Namespace) -> dict:
    from safetensors.torch import load_file

    from groundswell.models.export import JOINT_GRAPH
    from groundswell.models.sentiment import load_base_encoder, read_config

    set_seeds(args.seed, args.threads)
    t0 = time.time()
    data = load_training_data(sentiment_args([str(args.data), "--seed", str(args.seed)]))
    val_texts, val_labels = load_tweeteval(args.data, "val")
    tokenizer, encoder = load_base_encoder(None)
    cache = Path(args.cache) if args.cache else None
    teacher = teacher_outputs(tokenizer, data.texts, cache)
    val_teacher = teacher_outputs(tokenizer, val_texts, cache)
    print(f"train {len(data.texts)} texts, val {len(val_texts)}; teacher outputs "
          f"in {time.time() - t0:.0f}s", flush=True)  # fmt: skip

    net = build_student(encoder, KEPT_LAYERS, len(LABELS))
    add_lora(net, 0, args.rank, args.alpha)
    teacher_head = load_file(str(ARTIFACT_DIR / ADAPTER_FILE))
    teacher_bias = teacher_head["head.bias"].float()
    init_outputs(net, teacher, teacher_head)
    print(f"start: {validate(net, *val_teacher, val_labels)}", flush=True)
    steps = args.epochs * ((len(data.texts) + args.batch_size - 1) // args.batch_size)
    optimizer, scheduler = make_optimizer(net, args, steps)
    rng = random.Random(args.seed)
    config = {
        "base_model": BASE_MODEL,
        "labels": list(LABELS),
        "kept_layers": list(KEPT_LAYERS),
        "rank": args.rank,
        "alpha": args.alpha,
        "max_length": MAX_LENGTH,
        "teacher": f"{read_config()['version']}+{JOINT_GRAPH}",
        "version": args.version,
    }
    for epoch in range(1, args.epochs + 1):
        losses = train_epoch(net, data, teacher, teacher_bias, optimizer, scheduler, args, rng)
        metrics = validate(net, *val_teacher, val_labels)
        print(f"epoch {epoch}: losses {np.round(losses, 4)} val {metrics} "
              f"({time.time() - t0:.0f}s)", flush=True)  # fmt: skip
    config["val"] = {"epoch": args.epochs, **{k: round(v, 4) for k, v in metrics.items()}}
    if not args.no_save:
        save_student(net, config, args.out)
    return metrics


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    p.add_argument("--out", type=Path, default=STUDENT_DIR)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--rank", type=int, default=64)
    p.add_argument("--alpha", type=float, default=128.0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--state-weight", type=float, default=2.0)
    p.add_argument("--kd-weight", type=float, default=1.0)
    p.add_argument("--ce-weight", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--version", default="minilm4-student-1")
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--cache", default=str(cache_dir()), help="teacher outputs ('' to disable)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    train(parse_args(argv))


if __name__ == "__main__":
    main()
