"""Alert delivery under SIGKILL: the kill-at-each-step test, repeated.

For each repetition and each delivery step (claimed, intent_recorded, sent, delivery_recorded,
alert_recorded) a sender subprocess is killed the N-th time it reaches the step (N drawn at
random), then senders are restarted until the outbox is empty. A real SMTP server (aiosmtpd)
and a real webhook receiver, both on 127.0.0.1, count what arrived.

Prints, per step and in total: scenarios, deliveries due, losses, duplicates (one alert under
two keys: what a receiver deduping by Message-ID / Idempotency-Key would still show twice) and
wire redeliveries (the same key twice: what a receiver that does not dedupe would show twice).
Exits 1 on any loss or duplicate.

    python bench/alert_faults.py [--repeats 20] [--seed 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.alerts.delivery import STEPS  # noqa: E402
from tests.alert_fault_child import build_setup, run_fault_scenario, tally  # noqa: E402
from tests.alert_receivers import SmtpSink, WebhookSink  # noqa: E402

MAX_NTH = {"claimed": 6, "intent_recorded": 9, "sent": 9, "delivery_recorded": 9,
           "alert_recorded": 6}  # fmt: skip
FIELDS = ("scenarios", "kills", "due", "losses", "duplicates", "wire_redeliveries")


def run_step(step: str, nth: int, folder: Path, smtp: SmtpSink, hooks: WebhookSink) -> dict:
    smtp.clear()
    hooks.clear()
    setup = build_setup(folder, smtp.port, hooks.apprise_url())
    killed = run_fault_scenario(setup, step, nth)
    result = tally(setup, smtp, hooks)
    return {"scenarios": 1, "kills": killed, "due": result.due, "losses": result.losses,
            "duplicates": result.duplicates + result.unexpected,
            "wire_redeliveries": result.wire_redeliveries}  # fmt: skip


def add(total: dict, more: dict) -> None:
    for key in FIELDS:
        total[key] = total.get(key, 0) + more[key]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    smtp, hooks = SmtpSink().start(), WebhookSink().start()
    per_step: dict[str, dict] = {step: {} for step in STEPS}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for repeat in range(args.repeats):
                for step in STEPS:
                    nth = rng.randint(1, MAX_NTH[step])
                    folder = Path(tmp) / f"{repeat}-{step}"
                    add(per_step[step], run_step(step, nth, folder, smtp, hooks))
    finally:
        smtp.stop()
        hooks.stop()
    total: dict = {}
    print(f"{'kill after':<18}" + "".join(f"{f:>{len(f) + 2}}" for f in FIELDS))
    for step, counts in per_step.items():
        add(total, counts)
        print(f"{step:<18}" + "".join(f"{counts[f]:>{len(f) + 2}}" for f in FIELDS))
    print(f"{'total':<18}" + "".join(f"{total[f]:>{len(f) + 2}}" for f in FIELDS))
    print(f"{args.repeats} repeats x {len(STEPS)} steps in {time.perf_counter() - started:.0f} s")
    return 1 if total["losses"] or total["duplicates"] else 0


if __name__ == "__main__":
    sys.exit(main())
