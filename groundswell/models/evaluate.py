"""Sentiment evaluation: macro-averaged recall (TweetEval's metric), accuracy, confusion matrix.

``normalize_labels`` maps what users put in a CSV (negative/neutral/positive, neg/neu/pos,
0/1/2 or -1/0/1) to our label words, so ``groundswell eval FILE.csv`` can compare them.
"""

from __future__ import annotations

from collections.abc import Sequence

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

_WORDS = {
    "negative": "negative",
    "neg": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "none": "neutral",
    "positive": "positive",
    "pos": "positive",
}


def _label_word(value, scheme: str) -> str:
    text = str(value).strip().lower()
    if text in _WORDS:
        return _WORDS[text]
    try:
        number = int(float(text))
    except ValueError as exc:
        raise ValueError(f"unknown sentiment label {value!r}") from exc
    offset = 1 if scheme == "signed" else 0
    if not 0 <= number + offset <= 2:
        raise ValueError(f"sentiment label {value!r} is outside the {scheme} scheme")
    return LABELS[number + offset]


def normalize_labels(values: Sequence, scheme: str | None = None) -> list[str]:
    """Label words for ``values`` (words, 0/1/2 or -1/0/1).

    Numbers follow ``scheme`` ("index": 0/1/2, "signed": -1/0/1); by default they are read as
    signed when any is negative, else as indexes.
    """
    if scheme is None:
        numbers = []
        for v in values:
            try:
                numbers.append(int(float(str(v).strip())))
            except ValueError:
                continue
        scheme = "signed" if any(n < 0 for n in numbers) else "index"
    if scheme not in ("index", "signed"):
        raise ValueError(f"unknown label scheme {scheme!r}: use 'index' or 'signed'")
    return [_label_word(v, scheme) for v in values]


def evaluate(y_true: Sequence, y_pred: Sequence, labels: Sequence = LABELS) -> dict:
    """Macro recall, accuracy, per-class recall and confusion (rows true, columns predicted).

    ``y_true`` / ``y_pred`` hold either members of ``labels`` or their indexes.
    """
    labels = list(labels)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    index = {label: i for i, label in enumerate(labels)}

    def to_index(v) -> int:
        return index[v] if v in index else int(v)

    confusion = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred, strict=True):
        confusion[to_index(t)][to_index(p)] += 1
    support = [sum(row) for row in confusion]
    recall = {
        str(label): (confusion[i][i] / support[i] if support[i] else float("nan"))
        for i, label in enumerate(labels)
    }
    present = [r for i, r in enumerate(recall.values()) if support[i]]
    correct = sum(confusion[i][i] for i in range(len(labels)))
    return {
        "macro_recall": sum(present) / len(present) if present else float("nan"),
        "accuracy": correct / len(y_true) if len(y_true) else float("nan"),
        "recall": recall,
        "support": {str(label): support[i] for i, label in enumerate(labels)},
        "labels": [str(label) for label in labels],
        "confusion": confusion,
        "n": len(y_true),
    }


def format_report(result: dict) -> str:
    """A plain-text report of ``evaluate()``'s result."""
    labels = result["labels"]
    width = max(9, *(len(label) for label in labels)) + 1
    lines = [
        f"n = {result['n']}",
        f"macro recall: {result['macro_recall']:.4f}",
        f"accuracy:     {result['accuracy']:.4f}",
        "recall per class: "
        + ", ".join(f"{label} {result['recall'][label]:.4f}" for label in labels),
        "",
        "confusion (rows: true, columns: predicted)",
        " " * width + "".join(f"{label:>{width}}" for label in labels),
    ]
    for label, row in zip(labels, result["confusion"], strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{count:>{width}}" for count in row))
    return "\n".join(lines)
