"""Threads planted in the demo for the community pass to find (texts in ``content``):

- a defender: ``content.DEFENDER`` answers a negative Reddit post about Acme Helpdesk with a
  positive reply, and praised it in a post of their own before (a candidate advocate);
- one idea asked for in different words on four sites (a dark mode) and another on three
  (replying to tickets from Slack);
- an open Discourse question about SLA escalations, like one ``content.SLA_EXPERT``
  answered weeks before (the expert to invite).

Dates come from their own random stream, in the weeks before the trend week (the open
question: in it), so the rest of the demo is drawn as before.
"""

from __future__ import annotations

import random
from datetime import timedelta

from groundswell.demo import content
from groundswell.demo.content import ACME, TICKETTIGER

COMMUNITY = "community"  # Unit.special of the planted units: their texts are written here


def planted_units(cal, seed: int) -> list:
    """The planted units (``groundswell.demo.site.Unit``), texts and dates set."""
    from groundswell.demo.site import Draft, Unit, random_moment

    rng = random.Random(f"groundswell-demo-community:{seed}:{cal.today.isoformat()}")

    def week(before: int):
        return random_moment(rng, cal, cal.trend_week - timedelta(days=7 * before))

    def unit(platform: str, form: str, topic: str, drafts: list) -> Unit:
        return Unit(platform, form, ACME, TICKETTIGER, drafts, special=COMMUNITY, topic=topic)

    def later(draft: Draft, minutes: int) -> object:
        return draft.when + timedelta(minutes=minutes)

    units = []
    critic = Draft("opinion", week(2), content.CRITIC, None, *content.CRITIC_POST)
    defence = Draft("answer", later(critic, 95), content.DEFENDER, 0, body=content.DEFENCE)
    followup = Draft("followup", later(critic, 240), content.CRITIC, 1,
                     body=content.CRITIC_FOLLOWUP)  # fmt: skip
    units.append(unit("reddit", "post", "support", [critic, defence, followup]))
    praise = Draft("opinion", week(4), content.DEFENDER, None, *content.DEFENDER_POST)
    units.append(unit("reddit", "post", "features", [praise]))
    for number, requests in enumerate((content.DARK_MODE_REQUESTS, content.SLACK_REQUESTS)):
        for index, (platform, title, body, rating) in enumerate(requests):
            author = f"{'night_owl' if number == 0 else 'slack_fan'}_{index + 1}"
            if platform in ("reviewhub-acme", "saasgrid-acme"):
                author = content.person_name(rng)
            draft = Draft("question" if platform == "discourse" else "review", week(1 + index % 3),
                          author, None, title, body, rating)  # fmt: skip
            form = {"appstore": "app_review", "reddit": "post", "discourse": "topic"}.get(
                platform, "review"
            )
            if form == "post":
                draft.role = "opinion"
            units.append(unit(platform, form, "features", [draft]))
    title, body, answer, thanks = content.SLA_ANSWERED
    asked = Draft("question", week(3), "tidy_maple", None, title, body)
    answered = Draft("answer", later(asked, 70), content.SLA_EXPERT, 0, body=answer)
    thanked = Draft("followup", later(asked, 180), "tidy_maple", 1, body=thanks)
    units.append(unit("discourse", "topic", "features", [asked, answered, thanked]))
    open_question = Draft("question", week(0), "sunny_widget", None, *content.SLA_OPEN)
    units.append(unit("discourse", "topic", "features", [open_question]))
    return units
