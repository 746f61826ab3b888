"""Write ``bench/restaurant_topics.toml`` (SemEval-2014 categories) and
``bench/restaurant16_topics.toml`` (SemEval-2016 ENTITY#ATTRIBUTE, two levels): restaurant
taxonomies with few-shot examples.

    python -m training.restaurant_examples [DATA_DIR]

The taxonomy (descriptions, keywords, a few hand-written examples) is written here; the example
sentences added to each topic are SemEval-2014 restaurant *train* sentences with that aspect
category, taken only from the part of the file ``bench/topic_accuracy.py`` does not evaluate on
(its 30% calibration part, ``training/train_topics.py: is_calibration``), at most
``PER_TOPIC`` per topic in a fixed hash order. So the bench measures this very file on
sentences none of its examples come from. Sentences labelled anecdotes/miscellaneous are the
examples of the fallback topic of that name (a sentence with no other topic).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from training.train_topics import DEFAULT_DATA, is_calibration

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = REPO_ROOT / "bench" / "restaurant_topics.toml"
SEMEVAL_FILE = Path("semeval2014") / "Restaurants_Train_v2.xml"
# Every calibration sentence of a category (food, the largest, has 361). Chosen on a dev part
# of the calibration part (training/choose_restaurant_examples.py): five-category F1
# 0.765 / 0.790 / 0.804 / 0.810 with 50 / 100 / 150 / all examples per topic.
PER_TOPIC = 400
MISCELLANEOUS = "anecdotes/miscellaneous"

HEADER = """\
# A restaurant taxonomy for bench/topic_accuracy.py: SemEval-2014 restaurant aspect categories
# (food, service, price, ambience, and anecdotes/miscellaneous as the fallback topic a sentence
# with no other topic gets) as groundswell topics.
#
# Written by training/restaurant_examples.py (do not edit by hand): the descriptions, keywords
# and first examples were written for the bench; the other examples are SemEval-2014 restaurant
# train sentences, only from the part of that file the bench does not evaluate on, so that the
# few-shot heads fitted on them are measured on sentences they never saw.
"""

TOPICS = [
    {
        "name": "food",
        "description": "The food and drinks: taste, quality, freshness, portions, dishes, the "
        "menu and its choices.",
        "keywords": [
            "food", "dish", "dishes", "meal", "menu", "taste", "tasty", "delicious", "flavor",
            "flavour", "fresh", "portion", "portions", "pizza", "sushi", "pasta", "dessert",
            "appetizer", "entree", "wine", "drinks", "cocktail", "chef", "cooked", "bland",
            "salad", "chicken", "fish", "steak",
        ],
        "examples": [
            "The food was delicious and the portions were generous.",
            "The sushi was fresh and perfectly prepared.",
            "My steak was overcooked and bland.",
            "They have a great selection of wines and desserts.",
            "The pizza here is the best in the city.",
            "The menu has plenty of vegetarian options.",
        ],
    },
    {
        "name": "service",
        "description": "The service and staff: waiters, waitresses, hosts, the manager, how "
        "attentive, friendly, fast or rude they are, waiting for the table or the food.",
        "keywords": [
            "service", "staff", "waiter", "waiters", "waitress", "waitstaff", "server", "servers",
            "host", "hostess", "manager", "bartender", "attentive", "rude", "friendly", "served",
            "reservation", "waited", "wait",
        ],
        "examples": [
            "The service was fast and friendly.",
            "Our waiter was rude and ignored us all night.",
            "The staff were very attentive.",
            "We waited an hour for our food to arrive.",
            "The hostess seated us right away even without a reservation.",
        ],
    },
    {
        "name": "price",
        "description": "Prices and value: how cheap or expensive the restaurant is, the bill, "
        "and value for money.",
        "keywords": [
            "price", "prices", "priced", "pricey", "expensive", "cheap", "inexpensive",
            "affordable", "overpriced", "value", "bill", "cost", "costs", "money", "worth", "$",
            "bucks", "reasonable",
        ],
        "examples": [
            "The prices are very reasonable.",
            "It is way overpriced for what you get.",
            "Great value for the money.",
            "The bill came to over a hundred dollars for two.",
            "A cheap place to eat with good portions.",
        ],
    },
    {
        "name": "ambience",
        "description": "The ambience and atmosphere: decor, music, noise, lighting, space, "
        "seating, and how cozy, romantic, crowded or loud the place is.",
        "keywords": [
            "ambience", "ambiance", "atmosphere", "decor", "music", "noisy", "loud", "quiet",
            "cozy", "romantic", "crowded", "cramped", "lighting", "space", "seating", "interior",
            "setting", "view", "vibe", "garden", "patio",
        ],
        "examples": [
            "The atmosphere is cozy and romantic.",
            "It is too loud and crowded to have a conversation.",
            "The decor is beautiful and the music is great.",
            "The tables are cramped together in a tiny room.",
            "A nice place with a view of the river.",
        ],
    },
    {
        "name": MISCELLANEOUS,
        "fallback": True,
        "description": "The restaurant in general, the visit as a whole, and anything else: "
        "recommendations, occasions, who we went with, whether we would come back.",
        "keywords": [],
        "examples": [
            "We went there for my birthday last week.",
            "I would definitely recommend this place to anyone.",
            "We will never go back.",
        ],
    },
]  # fmt: skip


TARGET16 = REPO_ROOT / "bench" / "restaurant16_topics.toml"
SEMEVAL16_FILE = Path("semeval2016") / "ABSA16_Restaurants_Train_SB1_v2.xml"
PER_ATTRIBUTE = 60
NO_OPINION = "none"
HEADER16 = """\
# A two-level restaurant taxonomy for bench/topic_accuracy.py: the SemEval-2016 restaurant
# ENTITY#ATTRIBUTE categories (slot 1) as topics and their attributes: FOOD#PRICES is found as
# "food/prices". A sentence with no opinion gets the fallback topic "other".
#
# Written by training/restaurant_examples.py (do not edit by hand): the descriptions were
# written for the bench; the examples are SemEval-2016 restaurant train sentences, only from
# the reviews the bench does not evaluate on.
"""


def attribute(name: str, description: str, entity: str) -> dict:
    return {"name": name, "description": description,
            "category": f"{entity.upper()}#{name.upper()}"}  # fmt: skip


TOPICS16 = [
    {"name": "restaurant", "description": "The restaurant as a whole.", "attributes": [
        attribute("general", "The restaurant overall: recommending it, liking it, going back.",
                  "restaurant"),
        attribute("prices", "What a meal here costs overall, value for money.", "restaurant"),
        attribute("miscellaneous", "Other things about the restaurant: opening hours, "
                  "reservations, delivery, size, how busy it is.", "restaurant"),
    ]},
    {"name": "food", "description": "The food: dishes, the menu, the kitchen.", "attributes": [
        attribute("quality", "How good the food tastes: fresh, delicious, bland, overcooked.",
                  "food"),
        attribute("style_options", "The choice and kind of dishes: menu variety, portions, "
                  "presentation, vegetarian options.", "food"),
        attribute("prices", "What the dishes cost.", "food"),
    ]},
    {"name": "drinks", "description": "Drinks: wine, beer, cocktails, coffee.", "attributes": [
        attribute("quality", "How good the drinks taste.", "drinks"),
        attribute("style_options", "The choice of drinks: the wine list, the selection.",
                  "drinks"),
        attribute("prices", "What the drinks cost.", "drinks"),
    ]},
    {"name": "ambience", "description": "The ambience: decor, music, noise, seating.",
     "attributes": [attribute("general", "The atmosphere and decor of the place.", "ambience")]},
    {"name": "service", "description": "The service and the staff.",
     "attributes": [attribute("general", "Waiters, hosts, how attentive or rude, waiting.",
                              "service")]},
    {"name": "location", "description": "Where the restaurant is: the neighbourhood, the view.",
     "attributes": [attribute("general", "The location, the area and the view.", "location")]},
    {"name": "other", "fallback": True, "category": NO_OPINION,
     "description": "Anything that gives no opinion about the restaurant."},
]  # fmt: skip


def category_sentences(
    path: Path, is_example: Callable[[str], bool] = is_calibration
) -> dict[str, list[str]]:
    """Sentences that may be examples (``is_example`` of their id: the calibration part) by
    aspect category, in a fixed hash order; a text that the rest of the file also holds (it
    repeats a few, "Finally!") is left out."""
    sentences = list(ET.parse(path).getroot().iter("sentence"))
    evaluated = {" ".join((s.findtext("text") or "").split())
                 for s in sentences if not is_example(s.get("id"))}  # fmt: skip
    by_category: dict[str, list[tuple[str, str]]] = {}
    for sentence in sentences:
        text = " ".join((sentence.findtext("text") or "").split())
        if not is_example(sentence.get("id")) or text in evaluated:
            continue
        order = hashlib.sha256(f"example:{sentence.get('id')}".encode()).hexdigest()
        for category in {c.get("category") for c in sentence.iter("aspectCategory")}:
            by_category.setdefault(category, []).append((order, text))
    return {c: [t for _, t in sorted(rows)] for c, rows in by_category.items()}


def toml_list(values: list[str], indent: str = "    ") -> str:
    return "[\n" + "".join(f"{indent}{json.dumps(v, ensure_ascii=False)},\n" for v in values) + "]"


def topic_lines(topic: dict, sentences: dict[str, list[str]], per_topic: int,
                table: str = "[[topic]]") -> list[str]:  # fmt: skip
    """One topic's TOML: its fields, then its examples (written ones, then ``per_topic`` taken
    from ``sentences`` under its ``category``)."""
    written = list(topic.get("examples", []))
    category = topic.get("category", topic["name"])
    taken = [s for s in sentences.get(category, []) if s not in written][:per_topic]
    lines = [f"\n{table}", f"name = {json.dumps(topic['name'])}"]
    if topic.get("fallback"):
        lines.append("fallback = true")
    lines.append(f"description = {json.dumps(topic['description'])}")
    if topic.get("keywords"):
        lines.append(f"keywords = {json.dumps(topic['keywords'])}")
    lines.append(f"# {len(written)} written for the bench, then {len(taken)} SemEval train "
                 "sentences (calibration part)")  # fmt: skip
    lines.append(f"examples = {toml_list(written + taken)}")
    return lines


def taxonomy_toml(header: str, topics: list[dict], sentences: dict[str, list[str]],
                  per_topic: int) -> str:  # fmt: skip
    parts = [header]
    for topic in topics:
        parts += topic_lines(topic, sentences, per_topic)
        for attribute in topic.get("attributes", []):
            parts += topic_lines(attribute, sentences, per_topic, "[[topic.attributes]]")
    return "\n".join(parts) + "\n"


def loaded_taxonomy(sentences: dict[str, list[str]], per_topic: int) -> list:
    """The SemEval-2014 taxonomy ``taxonomy_toml`` writes for ``sentences``, loaded through the
    config as the bench loads ``bench/restaurant_topics.toml`` (for trying other examples)."""
    from groundswell.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        taxonomy = Path(folder) / "topics.toml"
        taxonomy.write_text(taxonomy_toml(HEADER, TOPICS, sentences, per_topic), encoding="utf-8")
        return load_config(taxonomy).topic


def opinion_sentences(path: Path) -> dict[str, list[str]]:
    """SemEval-2016 sentences of the calibration part (split by review) by ENTITY#ATTRIBUTE,
    in a fixed hash order; sentences with no opinion under ``NO_OPINION``; out-of-scope
    sentences and texts the evaluation part also holds left out."""
    sentences = [s for s in ET.parse(path).getroot().iter("sentence")
                 if s.get("OutOfScope") != "TRUE"]  # fmt: skip
    evaluated = {" ".join((s.findtext("text") or "").split())
                 for s in sentences if not is_calibration(review_id(s))}  # fmt: skip
    by_category: dict[str, list[tuple[str, str]]] = {}
    for sentence in sentences:
        text = " ".join((sentence.findtext("text") or "").split())
        if not is_calibration(review_id(sentence)) or text in evaluated:
            continue
        order = hashlib.sha256(f"example:{sentence.get('id')}".encode()).hexdigest()
        categories = {o.get("category") for o in sentence.iter("Opinion")} or {NO_OPINION}
        for category in categories:
            by_category.setdefault(category, []).append((order, text))
    return {c: [t for _, t in sorted(rows)] for c, rows in by_category.items()}


def review_id(sentence) -> str:
    return sentence.get("id").split(":")[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--per-topic", type=int, default=PER_TOPIC)
    args = parser.parse_args(argv)
    sentences = category_sentences(args.data / SEMEVAL_FILE)
    TARGET.write_text(taxonomy_toml(HEADER, TOPICS, sentences, args.per_topic), encoding="utf-8")
    print(f"wrote {TARGET}")
    sentences = opinion_sentences(args.data / SEMEVAL16_FILE)
    TARGET16.write_text(taxonomy_toml(HEADER16, TOPICS16, sentences, PER_ATTRIBUTE),
                        encoding="utf-8")  # fmt: skip
    print(f"wrote {TARGET16}")


if __name__ == "__main__":
    main()
