"""Train the intent head (``groundswell/models/artifacts/intent/``) on the maalej app reviews.

maalej's four labels are not our six intents; the mapping (see the model card):

    Bug → bug_report            Feature → feature_request
    Rating or UserExperience with 4-5 stars → praise, 1-2 stars → complaint, 3 stars → other
    question: no maalej label; a rule (groundswell.community.intent) decides it

Features: the mean and max of the default shared pass's token states (the 4-layer student,
``groundswell/models/shared_encoder.py``) and its sentiment probabilities. A hash of each review's
id puts 20% of the reviews in a test part that nothing is chosen on; the regularisation C,
then the minimum probability of a feature request, are chosen by 5-fold cross-validation on
the other 80% (C: macro F1; the threshold: F0.5 of feature requests, precision first because a
wrong request pollutes an idea), the head is fitted there and the test part is scored once.

    python -m training.train_intent [DATA_DIR] [--cache FEATURES.npz]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from groundswell.community.intent import (
    HEAD_FILE,
    INFO_FILE,
    INTENT_DIR,
    best_class,
    intent_features,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "topics" / "maalej_app_reviews"
FILES = ("Bug", "Feature", "Rating", "UserExperience")
CLASSES = ("feature_request", "bug_report", "praise", "complaint", "other")
C_GRID = (0.003, 0.01, 0.03, 0.1)
# minimum probability of a feature request (balanced class weights over-call the rare classes)
FEATURE_THRESHOLDS = (0.0, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
TEST_PERCENT = 20
VERSION = "intent-head-3"


def intent_label(label: str, stars: int) -> str:
    if label == "Bug":
        return "bug_report"
    if label == "Feature":
        return "feature_request"
    return "praise" if stars >= 4 else "complaint" if stars <= 2 else "other"


def load_reviews(folder: Path) -> list[dict]:
    reviews = []
    for name in FILES:
        for item in json.loads((folder / f"{name}.json").read_text(encoding="utf-8")):
            text = " ".join(
                part.strip()
                for part in (
                    (item.get("title") or ""),
                    (item.get("comment") or "").replace("\t", "\n"),
                )
                if part and part.strip()
            )
            key = f"{name}:{item.get('id')}:{item.get('reviewId')}"
            reviews.append({"key": key, "text": text, "stars": item["rating"],
                            "label": intent_label(name, item["rating"])})  # fmt: skip
    return reviews


def is_test(key: str) -> bool:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 100 < TEST_PERCENT


def featurise(texts: list[str]) -> np.ndarray:
    from groundswell.models.sentiment import normalize_text
    from groundswell.models.shared_encoder import build_shared_encoder

    encoder = build_shared_encoder("student", threads=2)
    rows = []
    for start in range(0, len(texts), 128):
        batch = [normalize_text(t) for t in texts[start : start + 128]]
        rows += [intent_features(e) for e in encoder.encode(batch)]
    return np.stack(rows)


def pipeline(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    head = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    return make_pipeline(StandardScaler(), head)


def choose_c(features: np.ndarray, labels: np.ndarray) -> tuple[float, dict]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = {}
    for c in C_GRID:
        predicted = cross_val_predict(pipeline(c), features, labels, cv=folds)
        scores[c] = float(f1_score(labels, predicted, average="macro"))
        print(f"C={c}: cross-validated macro F1 {scores[c]:.3f}", flush=True)
    return max(scores, key=scores.get), scores


def choose_threshold(features: np.ndarray, labels: np.ndarray, c: float) -> tuple[float, dict]:
    """The feature-request threshold with the best out-of-fold F0.5 of feature requests (same
    folds as C): a request wrongly taken for one pollutes an idea, a missed one only leaves it
    out, so precision weighs double."""
    from sklearn.metrics import fbeta_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    probabilities = cross_val_predict(pipeline(c), features, labels, cv=folds,
                                      method="predict_proba")  # fmt: skip
    classes = sorted(set(labels))  # predict_proba's column order
    scores = {}
    for threshold in FEATURE_THRESHOLDS:
        predicted = predict(classes, probabilities, {"feature_request": threshold})
        scores[threshold] = float(fbeta_score(labels == "feature_request",
                                              predicted == "feature_request", beta=0.5))  # fmt: skip
        print(f"feature_request >= {threshold}: out-of-fold F0.5 {scores[threshold]:.3f}")
    return max(scores, key=lambda t: (scores[t], -t)), scores


def predict(classes: list[str], probabilities: np.ndarray, thresholds: dict) -> np.ndarray:
    return np.array([classes[best_class(classes, p, thresholds)] for p in probabilities])


def report(truth: np.ndarray, predicted: np.ndarray) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=list(CLASSES),
                                                 zero_division=0)  # fmt: skip
    per_class = {c: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                     "f1": round(float(f[i]), 3), "support": int(n[i])}
                 for i, c in enumerate(CLASSES)}  # fmt: skip
    return {"per_class": per_class, "macro_f1": round(float(np.mean(f)), 3),
            "accuracy": round(float(np.mean(truth == predicted)), 3)}  # fmt: skip


def content_view(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """F1 of bug report / feature request / opinion (praise, complaint, other together)."""
    from sklearn.metrics import f1_score

    def collapse(labels):
        return np.where(np.isin(labels, ["praise", "complaint", "other"]), "opinion", labels)

    names = ["feature_request", "bug_report", "opinion"]
    scores = f1_score(collapse(truth), collapse(predicted), labels=names, average=None)
    return {name: round(float(s), 3) for name, s in zip(names, scores, strict=True)}


def save_head(model, chosen_c: float, info: dict, out: Path) -> None:
    scaler, head = model.steps[0][1], model.steps[1][1]
    order = [list(head.classes_).index(c) for c in CLASSES]
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / HEAD_FILE, classes=np.array(CLASSES), mean=scaler.mean_.astype(np.float32),
        scale=scaler.scale_.astype(np.float32), coef=head.coef_[order].astype(np.float32),
        intercept=head.intercept_[order].astype(np.float32),
    )  # fmt: skip
    info = {"version": VERSION, "C": chosen_c, **info}
    (out / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def train(data: Path, out: Path = INTENT_DIR, cache: Path | None = None) -> dict:
    reviews = load_reviews(data)
    if cache and cache.exists():
        features = np.load(cache)["features"]
    else:
        features = featurise([r["text"] for r in reviews])
        if cache:
            np.savez(cache, features=features)
    labels = np.array([r["label"] for r in reviews])
    test = np.array([is_test(r["key"]) for r in reviews])
    chosen, scores = choose_c(features[~test], labels[~test])
    threshold, threshold_scores = choose_threshold(features[~test], labels[~test], chosen)
    thresholds = {"feature_request": threshold}
    model = pipeline(chosen).fit(features[~test], labels[~test])
    predicted = predict(list(model.classes_), model.predict_proba(features[test]), thresholds)
    result = report(labels[test], predicted)
    result["content_f1"] = content_view(labels[test], predicted)
    counts = {c: {"train": int(((labels == c) & ~test).sum()), "test": int(((labels == c) & test).sum())}
              for c in CLASSES}  # fmt: skip
    info = {"features": "mean + max of student token states, sentiment probabilities",
            "thresholds": thresholds,
            "cv_macro_f1": {str(c): round(s, 3) for c, s in scores.items()},
            "threshold_oof_feature_f05": {str(t): round(s, 3) for t, s in threshold_scores.items()},
            "counts": counts, "test": result}  # fmt: skip
    save_head(model, chosen, info, out)
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="keep the features here between runs")
    args = parser.parse_args()
    info = train(args.data, cache=args.cache)
    print(json.dumps(info["test"], indent=2))


if __name__ == "__main__":
    main()
