"""The community pass: vendor posts → interactions → ties → defences → advocates → experts →
ideas.

Each step rebuilds its table from the mentions and tags (ideas are the exception: they grow
incrementally, see ``groundswell.community.ideas``), so running the pass twice changes
nothing. ``groundswell tag`` runs it after tagging something; ``groundswell community`` runs it
on its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from groundswell.community.advocates import build_advocates
from groundswell.community.defenders import build_defences
from groundswell.community.experts import build_experts
from groundswell.community.ideas import build_ideas
from groundswell.community.interactions import build_interactions
from groundswell.community.ties import build_ties
from groundswell.community.vendor_posts import mark_vendor_posts


@dataclass
class CommunityReport:
    interactions: int
    ties: int
    defences: int
    advocates: int
    experts: int
    ideas: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step
    vendor_posts: int = 0  # mentions by vendor accounts (mentions.by_vendor)

    def summary(self) -> str:
        return (
            f"community: {self.interactions} interactions, {self.ties} ties, "
            f"{self.defences} defences, {self.advocates} candidate advocates, "
            f"{self.experts} expert suggestions, {self.ideas} ideas, "
            f"{self.vendor_posts} vendor post{'' if self.vendor_posts == 1 else 's'} "
            f"({self.seconds:.1f} s)"
        )


def run_community_pass(db: sqlite_utils.Database, config,
                       now: datetime | None = None) -> CommunityReport:  # fmt: skip
    settings = config.community
    vendors = config.vendor_accounts()
    now = now or datetime.now(timezone.utc)
    steps: dict[str, float] = {}

    def timed(name: str, build, *args) -> int:
        started = time.perf_counter()
        done = build(db, *args)
        steps[name] = round(time.perf_counter() - started, 3)
        return done

    vendor_posts = timed("vendor posts", mark_vendor_posts, vendors)
    counts = [
        timed("interactions", build_interactions, vendors),
        timed("ties", build_ties, now, settings.half_life_days),
        timed("defences", build_defences),
        timed("advocates", build_advocates, vendors, settings.min_advocate_mentions),
        timed("experts", build_experts, vendors, settings.expert_similarity,
              settings.experts_per_question),
        timed("ideas", build_ideas, settings.idea_distance, settings.idea_linkage),
    ]  # fmt: skip
    return CommunityReport(*counts, seconds=sum(steps.values()), steps=steps,
                           vendor_posts=vendor_posts)  # fmt: skip
