"""Refit the served student's sentiment head on reviews, forum posts and tweets.

    python -m training.tune_head [DATA_DIR] [--out DIR] [--corrections groundswell.db]

The cheap part of ``training/tune_student.py`` that fits a shared 2-core CPU in minutes: the
student's layers, projection and token states stay exactly as shipped (so topic prototypes,
heads, thresholds and keyphrases do not move); only its 384->3 sentiment head and bias change.

The text's logits are the mean of its token logits plus the bias, and the head is linear, so
a change of head is a linear function of the text's mean token state. One pass of the served
int8 graph gives, for every text of ``training/sentiment_data.py``, its mean token state and its
current logits (cached). A correction ``D @ state + d`` is then fitted by class-weighted,
sample-weighted cross-entropy with an L2 penalty on ``D``, starting from the shipped logits:

* the penalty (and "bias only", ``D = 0``) is chosen on the dev split by the selection score
  of ``tune_student.dev_scores`` (TweetEval dev half macro recall, forum macro recall, star
  agreement on dev reviews);
* then one prior offset per class is calibrated on the same dev split (the neutral->negative
  tilt);
* the correction is folded into the head (``head += D @ projection``) and its bias.

Nothing here reads the held-out review sources or the reported half of TweetEval val;
``bench/review_sentiment.py --student DIR`` reports on them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import time
from pathlib import Path

import numpy as np

from groundswell.models.sentiment import ADAPTER_FILE, cache_dir
from groundswell.models.student import STUDENT_DIR, read_student_config
from training.sentiment_data import correction_rows, load_sentiment_data
from training.train_sentiment import DEFAULT_DATA, class_weights
from training.tune_student import calibrate_priors, dev_groups, dev_sample, dev_scores

PENALTIES = (1e-1, 1e-2, 1e-3, 1e-4)
UNTUNED = "untuned."  # the head and bias before refitting, in the adapter file


def served_features(texts: list[str], student_dir: Path, cache: Path, threads: int):
    """(mean token states (n, 384), logits with the bias (n, 3)) from the served int8 graph."""
    from groundswell.models.shared_encoder import build_shared_encoder

    version = read_student_config(student_dir)["version"]
    key = hashlib.sha256(json.dumps([texts, version]).encode()).hexdigest()[:16]
    path = cache / f"tune-head-{key}.npz"
    if path.exists():
        saved = np.load(path)
        return saved["states"], saved["logits"]
    shared = build_shared_encoder("student", threads, student_dir=student_dir)
    states = np.zeros((len(texts), 384), dtype=np.float32)
    logits = np.zeros((len(texts), 3), dtype=np.float32)
    for start in range(0, len(texts), 512):
        for i, encoded in enumerate(shared.encode(texts[start : start + 512]), start):
            states[i] = encoded.states.mean(0)
            logits[i] = encoded.logits.mean(0) + encoded.bias
        if start % 10240 == 0:
            print(f"  served pass {start}/{len(texts)}", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, states=states, logits=logits)
    return states, logits


def fit_correction(states, logits, labels, weights, penalty: float | None, steps: int = 300):
    """(D, d) minimising weighted cross-entropy of ``logits + states @ D.T + d`` plus
    ``penalty * |D|^2`` on standardised states; ``penalty=None`` fits the bias ``d`` only.
    Returned in raw state units."""
    import torch

    mean, scale = states.mean(0), states.std(0) + 1e-6
    x = torch.from_numpy((states - mean) / scale)
    base, y = torch.from_numpy(logits), torch.from_numpy(labels).long()
    w = torch.from_numpy(weights).float()
    matrix = torch.zeros(3, states.shape[1], requires_grad=penalty is not None)
    offset = torch.zeros(3, requires_grad=True)
    params = [offset] + ([matrix] if penalty is not None else [])
    optimizer = torch.optim.LBFGS(params, lr=1, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        out = base + x @ matrix.T + offset
        loss = (torch.nn.functional.cross_entropy(out, y, reduction="none") * w).sum() / w.sum()
        if penalty is not None:
            loss = loss + penalty * (matrix**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    raw = matrix.detach().numpy() / scale
    return raw.astype(np.float32), (offset.detach().numpy() - raw @ mean).astype(np.float32)


def corrected(states, logits, correction) -> np.ndarray:
    matrix, offset = correction
    return logits + states @ matrix.T + offset


def starting_student(student_dir: Path, work: Path) -> Path:
    """The student this script starts from: ``student_dir`` itself, or, when its head was
    refitted before, a copy in ``work`` with the head it had before (kept in the adapter file
    as ``untuned.*``), so that a rerun reproduces the shipped head instead of refitting it."""
    from safetensors.numpy import load_file, save_file

    state = load_file(str(student_dir / ADAPTER_FILE))
    if UNTUNED + "bias" not in state:
        return student_dir
    config = read_student_config(student_dir)
    for key in ("head.weight", "bias"):
        state[key] = state.pop(UNTUNED + key)
    config["version"] = config.pop("trained_from")
    config.pop("head_tuned", None)
    work.mkdir(parents=True, exist_ok=True)
    save_file(state, str(work / ADAPTER_FILE), metadata={"version": config["version"]})
    (work / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return work


def save_head(student_dir: Path, out: Path, correction, offsets, config: dict) -> None:
    """A copy of ``student_dir`` with the correction and prior offsets folded into its head
    (the head and bias it had are kept as ``untuned.*``, which serving does not read)."""
    from safetensors.numpy import load_file, save_file

    matrix, offset = correction
    state = load_file(str(student_dir / ADAPTER_FILE))
    state[UNTUNED + "head.weight"], state[UNTUNED + "bias"] = state["head.weight"], state["bias"]
    projection = state["projection.weight"].astype(np.float32)
    projection_bias = state["projection.bias"].astype(np.float32)
    head = state["head.weight"].astype(np.float32) + matrix @ projection
    bias = state["bias"].astype(np.float32) + matrix @ projection_bias + offset + offsets
    state["head.weight"], state["bias"] = head.astype(np.float16), bias.astype(np.float16)
    out.mkdir(parents=True, exist_ok=True)
    for extra in student_dir.iterdir():
        if extra.name not in (ADAPTER_FILE, "config.json") and extra.is_file():
            shutil.copy(extra, out / extra.name)
    save_file(state, str(out / ADAPTER_FILE), metadata={"version": config["version"]})
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def tune(args: argparse.Namespace) -> dict:
    t0 = time.time()
    student = starting_student(args.student, Path(args.cache) / "tune-head-start")
    data = load_sentiment_data(args.data, args.seed, args.contrast, tweets=args.tweets)
    train_rows = data.train
    if args.corrections:
        train_rows = train_rows + correction_rows(args.corrections)
    dev = dev_sample(data.dev, args.dev_per_source, args.seed)
    cache = Path(args.cache)
    print(f"train {len(train_rows)} texts, dev {len(dev)}", flush=True)
    x, base = served_features([r.text for r in train_rows], student, cache, args.threads)
    dev_x, dev_base = served_features([r.text for r in dev], student, cache, args.threads)
    print(f"served passes done ({time.time() - t0:.0f}s)", flush=True)
    labels = np.array([r.label for r in train_rows])
    label_weights = class_weights(list(labels), 1.0).numpy()
    weights = np.array([r.weight for r in train_rows]) * label_weights[labels]
    dev_labels, groups = np.array([r.label for r in dev]), dev_groups(dev)
    results = {"shipped": (dev_scores(dev_base, dev_labels, groups), None)}
    for penalty in (None, *PENALTIES):
        correction = fit_correction(x, base, labels, weights, penalty)
        scores = dev_scores(corrected(dev_x, dev_base, correction), dev_labels, groups)
        results["bias only" if penalty is None else f"penalty {penalty:g}"] = (scores, correction)
    for name, (scores, _) in results.items():
        print(f"  {name:<16} dev {scores}", flush=True)
    chosen = max((k for k in results if k != "shipped"), key=lambda k: results[k][0]["mean"])
    correction = results[chosen][1]
    dev_logits = corrected(dev_x, dev_base, correction)
    offsets = calibrate_priors(dev_logits, dev_labels, groups)
    calibrated = dev_scores(dev_logits + offsets, dev_labels, groups)
    print(f"chosen: {chosen}; prior offsets {offsets.tolist()}: dev {calibrated} "
          f"({time.time() - t0:.0f}s)", flush=True)  # fmt: skip
    config = read_student_config(student)
    config.update(
        version=args.version,
        trained_from=config["version"],
        head_tuned={
            "recipe": chosen, "train_texts": len(train_rows), "prior_offsets": offsets.tolist(),
            "dev_shipped": results["shipped"][0], "dev": calibrated,
        },
    )  # fmt: skip
    if not args.no_save:
        save_head(student, args.out, correction, offsets, config)
        print(f"saved {args.out}")
    return calibrated


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    p.add_argument("--student", type=Path, default=STUDENT_DIR, help="the student to start from")
    p.add_argument("--out", type=Path, default=STUDENT_DIR)
    p.add_argument("--corrections", help="a groundswell database whose corrections to learn")
    p.add_argument("--tweets", type=int, default=30000, help="TweetEval train tweets to use")
    p.add_argument("--contrast", type=int, default=4000, help="contrast pairs to train on")
    p.add_argument("--dev-per-source", type=int, default=200, help="dev texts per source")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--version", default="minilm4-student-2")
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--cache", default=str(cache_dir()), help="the served passes are cached here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    random.seed(args.seed)
    tune(args)


if __name__ == "__main__":
    main()
