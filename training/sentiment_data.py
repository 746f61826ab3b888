"""The served model's sentiment training data, with its dev and held-out splits.

Sources (``../shared/data``; see its MANIFEST.md and ``sentiment/reviews/MANIFEST.md``):

* TweetEval train; the airline tweets and Alexa reviews the first model used;
* ``sentiment/reviews/``: human polarity labels where a source has them, else the star rating
  as a weak label (1-2 negative, 4-5 positive; 3 and the fractional ratings between 2 and 4
  are left out: a middling rating says "mixed", which is not the model's "neutral");
* SemEval-2014 ABSA train sentences whose aspects all share one polarity (restaurants: only
  the sentences ``bench/topic_accuracy.py`` does not evaluate on);
* contrast pairs built from short one-polarity texts ("<A>, but <B>" takes B's polarity);
* people's corrections from a groundswell database (``--corrections``).

Splits (fixed by hashes of ids, never by what a model scored):

* ``HELD_OUT_SOURCES``: whole review files kept out of training and out of every choice, so
  that a source the model never saw can be reported on (``bench/review_sentiment.py``);
* dev: ``DEV_PERCENT`` of every other review file and of the airline tweets, and half of
  TweetEval val (``tweeteval_halves``): the figures every choice (recipe, epochs, class
  priors) was made on;
* the other half of TweetEval val: reported, not chosen on (the first model's recipe was
  chosen on all of val, so it is not clean either; the model card says so).
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from groundswell.models.sentiment import LABELS, normalize_text

REVIEWS = Path("sentiment") / "reviews"
HELD_OUT_SOURCES = (
    "shopify_pos_appstore",  # B2B software (merchants), 1-5 stars, both polarities
    "g2_marketing_solutions",  # B2B software, G2 stars
    "notes_apps_appstore",  # productivity apps (Notion, OneNote, ...), App Store stars
    "amazon_in_scrapes",  # products, Amazon.in stars
    "tripadvisor_restaurant",  # restaurants, TripAdvisor bubbles
    "premo_pull_requests",  # forum: GitHub pull requests, human labels
)
DEV_PERCENT = 10
CORRECTION_WEIGHT = 2.0  # a text a person corrected counts twice
RESTAURANT_BENCH_FILE = Path("topics") / "semeval2014" / "Restaurants_Train_v2.xml"
LAPTOP_FILE = Path("topics") / "semeval2014" / "Laptop_Train_v2.xml"
CONTRAST_MAX_WORDS = 18
# review sources whose short one-sentence texts make contrast pairs (not tweets or forum posts)
CONTRAST_SOURCES = (
    "amazon_india_vfl", "amazon_memory_card", "chatgpt_appstore", "datafiniti_hotel_titles",
    "flipkart_products", "moniepoint_playstore", "netflix_playstore", "tripadvisor_hotels",
    "trustpilot_rental_platforms", "yelp_1and5", "zomato_hyderabad", "alexa",
)  # fmt: skip
_CONTRAST_WORD = re.compile(r"\b(but|although|though|however|yet|except)\b", re.IGNORECASE)


@dataclass
class LabelledText:
    text: str
    label: int  # index into LABELS
    source: str
    weight: float = 1.0
    rating: float | None = None


@dataclass
class SentimentData:
    train: list[LabelledText] = field(default_factory=list)
    dev: list[LabelledText] = field(default_factory=list)
    held_out: list[LabelledText] = field(default_factory=list)  # reported, never chosen on
    report: list[LabelledText] = field(default_factory=list)  # TweetEval val, other half


def hash_percent(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 100


def is_dev(key: str) -> bool:
    return hash_percent(f"dev:{key}") < DEV_PERCENT


def rating_label(rating: float) -> int | None:
    """1-2 stars negative, 4-5 positive, anything between: no label."""
    if rating <= 2:
        return 0
    if rating >= 4:
        return 2
    return None


def review_rows(data_dir: Path) -> dict[str, list[LabelledText]]:
    """Every review file's labelled rows (human label first, else stars), by file stem."""
    out: dict[str, list[LabelledText]] = {}
    for path in sorted((Path(data_dir) / REVIEWS).glob("*.csv")):
        rows = []
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rating = float(row["rating"]) if row["rating"] else None
                if row["label"] in LABELS:
                    label = LABELS.index(row["label"])
                elif rating is not None:
                    label = rating_label(rating)
                else:
                    label = None
                text = normalize_text(row["text"])
                if label is not None and text:
                    item = LabelledText(text, label, path.stem, rating=rating)
                    item.key = row["source_id"]  # type: ignore[attr-defined]
                    rows.append(item)
        out[path.stem] = rows
    return out


def tweeteval(data_dir: Path, split: str) -> list[LabelledText]:
    folder = Path(data_dir) / "sentiment" / "tweeteval"
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (folder / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise ValueError(f"tweeteval {split}: {len(texts)} texts but {len(labels)} labels")
    return [LabelledText(normalize_text(t), y, f"tweeteval_{split}") for t, y in zip(texts, labels, strict=True)]  # fmt: skip


def tweeteval_halves(data_dir: Path) -> tuple[list[LabelledText], list[LabelledText]]:
    """TweetEval val cut in two by line number's hash: (dev half, reported half)."""
    rows = tweeteval(data_dir, "val")
    dev = [r for i, r in enumerate(rows) if hash_percent(f"tweeteval-val:{i}") < 50]
    report = [r for i, r in enumerate(rows) if hash_percent(f"tweeteval-val:{i}") >= 50]
    return dev, report


def airline(data_dir: Path) -> list[LabelledText]:
    path = Path(data_dir) / "sentiment" / "airline" / "Tweets.csv"
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = normalize_text(row["text"])
            if text and row["airline_sentiment"] in LABELS:
                item = LabelledText(text, LABELS.index(row["airline_sentiment"]), "airline")
                item.key = row["tweet_id"]  # type: ignore[attr-defined]
                rows.append(item)
    return rows


def alexa(data_dir: Path) -> list[LabelledText]:
    """Alexa reviews by stars: 1-2 negative, 4-5 positive (3 left out, as for the reviews)."""
    path = Path(data_dir) / "sentiment" / "amazon_alexa" / "amazon_alexa.tsv"
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            text, label = normalize_text(row["verified_reviews"]), rating_label(int(row["rating"]))
            if len(text.split()) >= 3 and label is not None:
                item = LabelledText(text, label, "alexa", rating=float(row["rating"]))
                item.key = str(i)  # type: ignore[attr-defined]
                rows.append(item)
    return rows


def semeval_sentences(path: Path, keep=lambda sentence_id: True) -> list[LabelledText]:
    """SemEval-2014 sentences whose aspect terms and categories share one polarity."""
    rows = []
    for sentence in ET.parse(path).getroot().iter("sentence"):
        if not keep(sentence.get("id")):
            continue
        polarities = {
            node.get("polarity")
            for node in [*sentence.iter("aspectTerm"), *sentence.iter("aspectCategory")]
        } - {None}
        text = normalize_text(sentence.findtext("text") or "")
        if len(polarities) == 1 and polarities <= set(LABELS) and text:
            item = LabelledText(text, LABELS.index(polarities.pop()), f"semeval14_{path.stem}")
            item.key = sentence.get("id")  # type: ignore[attr-defined]
            rows.append(item)
    return rows


def restaurant_fit_part(sentence_id: str) -> bool:
    """The part of SemEval-2014 restaurants train that ``bench/topic_accuracy.py`` does not
    evaluate on (its calibration part): the only restaurant sentences training may see."""
    from training.train_topics import is_calibration

    return is_calibration(sentence_id)


_SENTENCE = re.compile(r"^[A-Z][^.!?]*[.!]?$")


def contrast_pairs(pool: list[LabelledText], count: int, seed: int) -> list[LabelledText]:
    """``count`` texts "<A>, but <b>" / "Although <a>, <b>" from two short one-polarity
    sentences of one source and opposite polarity; each takes the polarity of B, the clause
    the contrast leads to. Half negative, half positive."""
    short = [
        r for r in pool
        if r.label != 1 and 3 <= len(r.text.split()) <= CONTRAST_MAX_WORDS
        and _SENTENCE.match(r.text) and not _CONTRAST_WORD.search(r.text)
    ]  # fmt: skip
    groups: dict[tuple[str, int], list[LabelledText]] = {}
    for row in short:
        groups.setdefault((row.source, row.label), []).append(row)
    sources = sorted({s for s, _ in groups if (s, 0) in groups and (s, 2) in groups})
    rng = random.Random(seed)
    out = []
    for i in range(count):
        source, label = rng.choice(sources), (0, 2)[i % 2]
        first, second = rng.choice(groups[(source, 2 - label)]), rng.choice(groups[(source, label)])
        a, b = first.text.rstrip(".!"), second.text.rstrip(".!")
        lower_a, lower_b = a[0].lower() + a[1:], b[0].lower() + b[1:]
        text = f"{a}, but {lower_b}." if i % 4 < 2 else f"Although {lower_a}, {lower_b}."
        out.append(LabelledText(text, label, "contrast"))
    return out


def load_sentiment_data(data_dir: Path, seed: int = 13, contrast: int = 4000,
                        cap: int = 3000, tweets: int = 30000) -> SentimentData:  # fmt: skip
    """Every source, split into train / dev / held-out / reported (see the module doc); the
    training part holds at most ``cap`` texts of a source and ``tweets`` TweetEval tweets (a
    random sample), so that one CPU epoch stays well under an hour."""
    data = SentimentData()
    data.train += random.Random(seed).sample(tweeteval(data_dir, "train"), tweets)
    data.dev, data.report = tweeteval_halves(data_dir)
    split_into(data, airline(data_dir), weight=0.5)
    split_into(data, alexa(data_dir), weight=0.5)
    for stem, rows in review_rows(data_dir).items():
        if stem in HELD_OUT_SOURCES:
            data.held_out += rows
        else:
            split_into(data, rows, weight=1.0)
    restaurants = semeval_sentences(Path(data_dir) / RESTAURANT_BENCH_FILE, restaurant_fit_part)
    laptops = semeval_sentences(Path(data_dir) / LAPTOP_FILE)
    split_into(data, restaurants + laptops, weight=1.0)
    data.train = [r for r in data.train if r.source == "tweeteval_train"] + capped_per_source(
        [r for r in data.train if r.source != "tweeteval_train"], cap, seed
    )
    for part, size in ((data.train, contrast), (data.dev, contrast // 8)):
        pool = [r for r in part if r.source in CONTRAST_SOURCES or r.source.startswith("semeval")]
        for row in contrast_pairs(pool, size, seed):
            row.weight = 0.5
            part.append(row)
    return data


def capped_per_source(rows: list[LabelledText], cap: int, seed: int) -> list[LabelledText]:
    """At most ``cap`` texts of each source, the rarer labels kept first: a source of 4,000
    five-star and 300 one-star reviews keeps its 300 and 2,700 of the others."""
    by_source: dict[str, list[LabelledText]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    rng = random.Random(seed)
    out = []
    for _, members in sorted(by_source.items()):
        if len(members) <= cap:
            out += members
            continue
        by_label: dict[int, list[LabelledText]] = {}
        for row in members:
            by_label.setdefault(row.label, []).append(row)
        left, labels = cap, sorted(by_label, key=lambda label: len(by_label[label]))
        for n, label in enumerate(labels):
            share = left // (len(labels) - n)
            chosen = (
                by_label[label]
                if len(by_label[label]) <= share
                else rng.sample(by_label[label], share)
            )
            out += chosen
            left -= len(chosen)
    return out


def split_into(data: SentimentData, rows: list[LabelledText], weight: float) -> None:
    for row in rows:
        row.weight = weight
        key = f"{row.source}:{getattr(row, 'key', row.text)}"
        (data.dev if is_dev(key) else data.train).append(row)


def correction_rows(db_path: str) -> list[LabelledText]:
    """People's sentiment corrections in a groundswell database, as training texts."""
    from groundswell.store import open_db
    from groundswell.store.corrections import corrections_of
    from groundswell.tagging.tagger import mention_text

    rows = []
    for row in corrections_of(open_db(db_path), "sentiment"):
        text = normalize_text(mention_text(row))
        if text:
            rows.append(LabelledText(text, LABELS.index(row["new"]), "corrections",
                                     CORRECTION_WEIGHT, row["rating"]))  # fmt: skip
    return rows
