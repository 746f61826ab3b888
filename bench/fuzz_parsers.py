"""Parser fuzzing: mutated recorded pages through every parser; prints per-parser counts.

Every page of tests/fixtures is mutated (tests/page_mutations.py: truncation, byte flips,
dropped and doubled tags, other charsets, 5 and 20 MB pages, JSON and HTML nested 10^5 deep,
empty and binary bodies, another page's body, impossible dates, ratings and links, JSON
values of the wrong type) and handed to its own parser (the one that reads the original) and,
one page in three, to another parser, round robin, so every parser sees every kind of body.
Each call is ``parse`` plus the link functions a crawl calls (``follow_urls``,
``thread_urls``); its mentions then go through the crawl's validation step
(``groundswell/crawl/pipelines/validate.py``), as in a crawl.

Per parser it prints: calls, pages read (mentions out), ParseErrors, **unhandled** exceptions
(anything but ParseError), "shape": pages refused with a ParseError because a field had an
unexpected type (the guard in groundswell/crawl/parsers/limits.py; a record-level skip would
keep the rest of the page), calls **over the CPU limit** (2 s for a page of at most 5 MB; the
over-cap pages must be refused at once), fields the validation nulled, and **garbage stored**:
a field that passed validation and still is impossible (a date before 1995 or more than a day
ahead, a rating off 0..5, a URL that is not absolute http(s)). Exits 1 unless unhandled, over
the CPU limit and garbage are all 0.

    nice -n 10 python bench/fuzz_parsers.py [--pages 10000] [--seed 19] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import random
import signal
import sys
import time
import traceback
import warnings
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from itemadapter import ItemAdapter  # noqa: E402

from groundswell.crawl.items import MentionItem  # noqa: E402
from groundswell.crawl.parsers import ParseError  # noqa: E402
from groundswell.crawl.parsers.limits import UnexpectedShapeError  # noqa: E402
from groundswell.crawl.parsers.registry import (  # noqa: E402
    FALLBACK_MODULES,
    PARSER_MODULES,
    detect_parser,
    parser_for_kind,
)
from groundswell.crawl.pipelines.validate import validate_mention  # noqa: E402
from tests.page_mutations import fixture_pages, mutate  # noqa: E402

CPU_LIMIT_S = 2.0
SMALL_PAGE = 5 * 1024 * 1024  # pages up to this size must parse within CPU_LIMIT_S
HANG_S = 60  # a call still running after this is stopped (and counted over the limit)
KINDS = PARSER_MODULES + FALLBACK_MODULES  # module names are their KINDs


class Hang(BaseException):
    """Raised by the alarm in a call that runs past HANG_S."""


def on_alarm(signum, frame):
    raise Hang()


def own_kind(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", errors="replace")
    url = page_url(path)
    module = detect_parser(url, "", text)
    if module is not None:
        return module.KIND
    from groundswell.crawl.parsers.fallback import parse_unrecognised

    return parse_unrecognised(text, url)[0].KIND


def page_url(path: Path) -> str:
    return f"https://fixtures.example/{path.parent.name}/{path.name}"


def garbage(adapter: ItemAdapter, now: datetime) -> list[str]:
    """The impossible fields left in a validated mention."""
    found = []
    for name in ("published_at", "fetched_at"):
        value = adapter.get(name)
        if value and not ("1995-01-01" <= value <= (now + timedelta(days=1)).isoformat()):
            found.append(f"{name}={value!r}")
    rating = adapter.get("rating")
    if rating is not None and not (isinstance(rating, float) and 0 <= rating <= 5):
        found.append(f"rating={rating!r}")
    for name in ("url", "thread_url"):
        value = adapter.get(name)
        if value and (urlsplit(value).scheme not in ("http", "https") or
                      not urlsplit(value).hostname):  # fmt: skip
            found.append(f"{name}={value!r}")
    return found


def where_raised(error: BaseException | None) -> str:
    """file:line of the deepest groundswell frame an exception passed through."""
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    ours = [f for f in frames if "groundswell" in f.filename] or frames
    return f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"


def run_call(kind: str, body: bytes, url: str) -> dict:
    """One page through one parser, as a crawl reads it: the outcome and its CPU time."""
    module = parser_for_kind(kind)
    text = body.decode("utf-8", errors="replace")
    outcome = {"kind": kind, "size": len(body), "nulled": 0, "garbage": [], "mentions": 0}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(HANG_S)
    start = time.process_time()
    try:
        mentions = module.parse(text, url)
        for name in ("follow_urls", "thread_urls", "older_page_urls"):
            if hasattr(module, name):
                getattr(module, name)(text, url)
        outcome["result"] = "read"
    except ParseError as error:
        # a page lost to one field of unexpected shape (the guard's ParseError) is "shape"
        shape = isinstance(error, UnexpectedShapeError)
        outcome["result"] = "shape" if shape else "parse_error"
        if shape:
            outcome["detail"] = f"{where_raised(error.__cause__)}: {error}"[:140]
        mentions = []
    except Hang:
        outcome["result"] = "hang"
        mentions = []
    except Exception as error:  # noqa: BLE001 - counting exactly these is the point
        where = where_raised(error)
        outcome["result"] = f"unhandled {type(error).__name__} at {where}: {str(error)[:80]}"
        mentions = []
    finally:
        signal.alarm(0)
    outcome["cpu_s"] = time.process_time() - start
    now = datetime.now(timezone.utc)
    for found in mentions:
        item = MentionItem(source="fuzz", source_kind=kind, fetched_at=now.isoformat())
        for key, value in found.items():
            if key in MentionItem.fields:
                item[key] = value
        adapter = ItemAdapter(item)
        report = validate_mention(adapter)
        outcome["nulled"] += len(report.fields)
        if not report.dropped:
            outcome["mentions"] += 1
            outcome["garbage"] += garbage(adapter, now)
    return outcome


def planned_calls(pages: int, seed: int) -> list[tuple[str, str, int, str]]:
    """(kind, fixture path, mutation seed, page url) for each call."""
    paths = fixture_pages()
    owners = {str(path): own_kind(path) for path in paths}
    rng = random.Random(seed)
    calls, other = [], 0
    for n in range(pages):
        path = paths[n % len(paths)]
        page_seed = rng.randrange(2**32)
        calls.append((owners[str(path)], str(path), page_seed, page_url(path)))
        if n % 3 == 0:
            calls.append((KINDS[other % len(KINDS)], str(path), page_seed, page_url(path)))
            other += 1
    return calls


_OTHERS: list[bytes] = []


def warm_up() -> None:
    """Each worker imports every parser (and trafilatura, htmldate) before its first timed call:
    an import is not a page's CPU time."""
    logging.disable(logging.WARNING)  # skipped records are counted, not printed
    warnings.simplefilter("ignore")
    for kind in KINDS:
        try:
            parser_for_kind(kind).parse("<html><body><p>warm up</p></body></html>", "https://a.b/")
        except ParseError:
            pass
    _OTHERS.extend(p.read_bytes() for p in fixture_pages())


def run_planned(call: tuple[str, str, int, str]) -> dict:
    kind, path, page_seed, url = call
    rng = random.Random(page_seed)
    mutation, body = mutate(Path(path).read_bytes(), rng, _OTHERS)
    outcome = run_call(kind, body, url)
    outcome["mutation"], outcome["page"] = mutation, Path(path).name
    return outcome


def over_limit(outcome: dict) -> bool:
    return outcome["result"] == "hang" or (
        outcome["size"] <= SMALL_PAGE and outcome["cpu_s"] > CPU_LIMIT_S
    )


def report(outcomes: list[dict], pages: int, seconds: float) -> int:
    table: dict[str, Counter] = defaultdict(Counter)
    examples: list[str] = []
    shapes: Counter = Counter()
    for o in outcomes:
        row = table[o["kind"]]
        row["calls"] += 1
        row[o["result"] if not o["result"].startswith("unhandled") else "unhandled"] += 1
        row["over_cpu"] += over_limit(o)
        row["nulled"] += o["nulled"]
        row["garbage"] += len(o["garbage"])
        row["mentions"] += o["mentions"]
        if o["result"] == "shape":
            shapes[o["detail"]] += 1
        if o["result"].startswith("unhandled") or over_limit(o) or o["garbage"]:
            detail = o["result"] if o["result"] != "read" else f"{o['cpu_s']:.1f} s CPU"
            examples.append(f"{o['kind']} <- {o['page']} ({o['mutation']}, {o['size']} B): "
                            f"{detail} {o['garbage'][:2] if o['garbage'] else ''}")  # fmt: skip
    print(f"{pages} mutated pages, {len(outcomes)} parser calls, {seconds:.0f} s wall")
    cols = ["calls", "read", "parse_error", "shape", "unhandled", "over_cpu", "mentions", "nulled",
            "garbage"]  # fmt: skip
    print(f"{'parser':16s}" + "".join(f"{c:>12s}" for c in cols))
    total = Counter()
    for kind in sorted(table):
        total.update(table[kind])
        print(f"{kind:16s}" + "".join(f"{table[kind][c]:12d}" for c in cols))
    print(f"{'TOTAL':16s}" + "".join(f"{total[c]:12d}" for c in cols))
    slowest = max(outcomes, key=lambda o: o["cpu_s"] if o["size"] <= SMALL_PAGE else 0)
    print(f"slowest page <= 5 MB: {slowest['cpu_s']:.2f} s CPU ({slowest['kind']} <- "
          f"{slowest['page']}, {slowest['mutation']}, {slowest['size']} B)")  # fmt: skip
    for line in examples[:30]:
        print("  " + line)
    if shapes:
        print("pages refused for a field of unexpected shape (ParseError; most common):")
        for detail, count in shapes.most_common(20):
            print(f"  {count:5d}  {detail}")
    return 0 if total["unhandled"] == total["over_cpu"] == total["garbage"] == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    start = time.monotonic()
    calls = planned_calls(args.pages, args.seed)
    with multiprocessing.Pool(args.workers, warm_up, maxtasksperchild=500) as pool:
        outcomes = pool.map(run_planned, calls, chunksize=4)
    return report(outcomes, args.pages, time.monotonic() - start)


if __name__ == "__main__":
    sys.exit(main())
