"""When the community pass counts a mention as speaking well of a brand.

Defences and candidate advocates are lists people act on (someone is invited into an advocacy
programme, or asked to answer a question), so a wrong entry costs more than a missing one.
A mention counts as positive when

* a person corrected its sentiment (the inbox, ``corrections``): their latest correction
  decides, whatever the model said;
* else it has stars: its shown sentiment, which the stars decide (docs/tagging.md); an
  untagged one with 4 or 5 stars counts;
* else the text model reads it ``positive`` with a score (P(positive) - P(negative)) of at
  least ``CONFIDENT_POSITIVE``.

``CONFIDENT_POSITIVE`` was chosen on the sentiment model's dev split
(``bench/community_positive.py``): on its forum posts and tweets, pooled, the texts the model
reads positive are positive 72% of the time, those at 0.7 or more 86%; 0.7 is the lowest
score with 85% or more.
"""

from __future__ import annotations

CONFIDENT_POSITIVE = 0.7


def reads_positive_sql(alias: str) -> str:
    """A SQL condition: the mention ``alias`` (a ``mentions`` row) counts as positive."""
    return f"""coalesce(
      (select fix.new from corrections fix where fix.mention_id = {alias}.id
       and fix.field = 'sentiment' order by fix.id desc limit 1),
      case when {alias}.sentiment is null and {alias}.rating >= 4 then 'positive'
           when {alias}.rating is not null or {alias}.sentiment_score >= {CONFIDENT_POSITIVE}
           then {alias}.sentiment end
    ) = 'positive'"""
