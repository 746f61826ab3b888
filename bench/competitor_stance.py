"""Which product a real review passed over or preferred: the stance reader on real text.

No labelled set of "who was left for whom" exists offline, so this bench prints every stance it
finds in the real reviews and posts of ../shared/data/sentiment/reviews for monitor sets of
real rival products (airlines, team chat, memory cards, streaming, AI assistants, note apps,
point-of-sale), with the sentence it read, for a person to judge; and how many texts named a
monitor at all. The cues were corrected on what the default sources showed; ``--fresh`` reads
other sources (social and payment apps, car rental, banks, shops, food delivery, hotels) that
were read only after. docs/tagging.md has the counts a reading of both gave.

    python bench/competitor_stance.py [DATA_DIR] [--limit N] [--fresh]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.config import MonitorConfig  # noqa: E402
from groundswell.tagging.monitors import MonitorMatcher  # noqa: E402
from groundswell.tagging.text_spans import sentence_spans  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RIVALS = {
    "british_airways_skytrax": [
        "British Airways OR BA", "Virgin", "Emirates", "Qatar", "Ryanair", "easyJet",
        "Lufthansa", "KLM", "Iberia", "American Airlines", "Aer Lingus", "Air France",
    ],
    "slack_capterra": ["Slack", "Skype", "HipChat", "Microsoft Teams", "Discord", "Flowdock"],
    "amazon_memory_card": ["SanDisk", "Samsung", "Lexar", "PNY", "Kingston", "Transcend"],
    "netflix_playstore": ["Netflix", "Prime Video", "Hulu", "Disney", "YouTube", "HBO"],
    "chatgpt_appstore": ["ChatGPT", "Bard", "Gemini", "Claude", "Copilot", "Bing"],
    "notes_apps_appstore": ["Evernote", "Notion", "OneNote", "Apple Notes", "Google Keep",
                            "Bear", "Obsidian"],
    "shopify_pos_appstore": ["Shopify", "Square", "Lightspeed", "Clover", "Vend"],
    "shopify_apps_appstore": ["Shopify", "Square", "Lightspeed", "Clover", "Vend"],
    "g2_epm_planning": ["Anaplan", "Excel", "Adaptive", "Planful", "Pigment"],
}  # fmt: skip
# sources read only after the cues were last changed: the fresh check
FRESH = {
    "playstore_7apps": ["Facebook", "Instagram", "Spotify", "Apple Music", "Zoom",
                        "Google Meet", "Microsoft Teams", "TikTok", "YouTube", "Snapchat"],
    "moniepoint_playstore": ["Moniepoint", "Opay", "Palmpay", "Kuda", "Paystack"],
    "trustpilot_rental_platforms": ["Turo", "Getaround", "Outdoorsy", "RVshare", "Hertz",
                                    "Enterprise", "Avis"],
    "eth_bank_apps_playstore": ["CBE", "BOA", "Dashen", "Telebirr", "Awash"],
    "flipkart_products": ["Flipkart", "Amazon", "Myntra", "Meesho"],
    "zomato_hyderabad": ["Zomato", "Swiggy", "Uber Eats"],
    "trustpilot_fanatics": ["Fanatics", "Amazon", "eBay", "Lids", "NFL Shop"],
    "tripadvisor_hotels": ["Marriott", "Hilton", "Hyatt", "Airbnb", "Barcelo", "Booking.com",
                           "Expedia"],
}  # fmt: skip


def matcher_for(names: list[str]) -> MonitorMatcher:
    monitors = []
    for spec in names:
        forms = [form.strip() for form in spec.split(" OR ")]
        query = " OR ".join(f'"{form}"' if " " in form else form for form in forms)
        monitors.append(MonitorConfig(name=forms[0], query=query))
    return MonitorMatcher(monitors)


def read_source(path: Path, matcher: MonitorMatcher, limit: int) -> tuple[int, int, list[str]]:
    named = found = 0
    lines = []
    with path.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            mention = {"id": str(n), "title": None, "body": row["text"]}
            rows = [r for r in matcher.match([mention]) if r["stance"]]
            named += bool(matcher.match([mention]))
            if not rows:
                continue
            found += 1
            if len(lines) < limit:
                said = ", ".join(f"{r['monitor']}: {r['stance']}" for r in rows)
                lines.append(f"  [{said}] {cue_sentences(row['text'], rows, matcher)}")
    return named, found, lines


def cue_sentences(text: str, rows: list[dict], matcher: MonitorMatcher) -> str:
    """The sentences that name a monitor with a stance (what a reader needs to judge it)."""
    patterns = [matcher.name_patterns[r["monitor"]] for r in rows]
    picked = [text[a:b] for a, b in sentence_spans(text)
              if any(p.search(text[a:b]) for p in patterns)]  # fmt: skip
    return " ... ".join(picked)[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=40, help="stances printed per source")
    parser.add_argument("--fresh", action="store_true",
                        help="the sources read only after the cues were last changed")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    total_named = total_found = 0
    for stem, names in (FRESH if args.fresh else RIVALS).items():
        path = args.data / "sentiment" / "reviews" / f"{stem}.csv"
        named, found, lines = read_source(path, matcher_for(names), args.limit)
        total_named += named
        total_found += found
        print(f"{stem}: {named} texts name a monitor, {found} with a stance")
        print("\n".join(lines))
    print(f"\nall: {total_named} texts name a monitor, {total_found} with a stance "
          f"({time.perf_counter() - started:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
