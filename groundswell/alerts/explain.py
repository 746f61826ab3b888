"""Why an alert cycle sent nothing, in one line a user can act on.

A dry run that says "would send 0" and nothing else leaves the user guessing; the reasons, in
the order they are checked: no advocate to send to, no mention matching a rule (and perhaps
untagged mentions), matches that no advocate's routing takes, alerts already in the outbox.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from groundswell.alerts.messages import utc
from groundswell.alerts.rules import configured_rules, find_candidates, route
from groundswell.config import Config


def why_nothing_sent(db: sqlite_utils.Database, config: Config, now: datetime | None = None) -> str:
    """The reason a cycle over ``db`` has nothing to send (read-only)."""
    if not config.advocate:
        return ("no [[advocate]] in the config: alerts have nobody to go to "
                "(see README, Alerts for advocates)")  # fmt: skip
    candidates = find_candidates(db, config, utc(now))
    if not candidates:
        return no_match_reason(db, config)
    routed = [c for c in candidates if route(c, config.advocate)]
    if not routed:
        return (f"{len(candidates)} mention(s) or incident(s) match a rule, but no advocate's "
                "filters (monitors, sources, topics, languages, ratings) take them; "
                "`fallback = true` on an advocate catches the rest")  # fmt: skip
    return (f"nothing new: the {len(routed)} alert(s) the rules raise are already in the "
            "outbox (`groundswell alerts list --status sent` shows those sent)")  # fmt: skip


def no_match_reason(db: sqlite_utils.Database, config: Config) -> str:
    rules = ", ".join(rule.name for rule in configured_rules(config))
    reason = (f"nothing new: no mention from the last {config.alerts.max_age_days:g} day(s) "
              f"([alerts] max_age_days) matches a rule ({rules})")  # fmt: skip
    untagged = db.execute("select count(*) from mentions where tagged_at is null").fetchone()[0]
    if untagged:
        reason += f"; {untagged} mention(s) are not tagged yet: run `groundswell tag`"
    return reason
