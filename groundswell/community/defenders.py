"""Customer defenders: someone who steps in when a brand is run down in a thread.

A defence (docs/community.md) is a ``reply`` or ``answer`` interaction whose reply is
positive (``groundswell.community.positive``: a confident reading, or a person's correction)
under a parent negative about a monitor it matches (its sentiment toward that monitor,
``mention_monitors.mention_sentiment``, is ``negative``, or a rating of 2 or less), where the
reply matches the same monitor, without passing it over, or none at all (a reply in the
thread, about what the thread is about). A reply that names only another
brand is not a defence of this one, and neither is an answer to a post that was addressed to
its author (the asker thanking whoever answered them): a defender steps in. Vendor accounts
never count (``staff`` interactions are left out), nor does anyone answering themselves.
``build_defences`` rebuilds the table.
"""

from __future__ import annotations

import sqlite_utils

from groundswell.community.positive import reads_positive_sql
from groundswell.community.tables import replace_rows
from groundswell.tagging.stance import PASSED_OVER

DEFENCES_SQL = f"""
select i.mention_id, pm.monitor, i.platform, i.from_author as defender,
       i.target_id as parent_id, i.to_author as critic, i.at,
       c.sentiment_score, p.sentiment_score as parent_sentiment_score, c.url
from interactions i
join mentions c on c.id = i.mention_id
join mentions p on p.id = i.target_id
join mention_monitors pm on pm.mention_id = p.id
where i.kind in ('reply', 'answer') and coalesce(i.staff, 0) = 0
  and {reads_positive_sql("c")} and c.duplicate_of is null
  and (coalesce(pm.mention_sentiment, p.sentiment) = 'negative' or p.rating <= 2)
  and (exists (select 1 from mention_monitors cm where cm.mention_id = c.id
               and cm.monitor = pm.monitor and coalesce(cm.stance, '') != '{PASSED_OVER}')
       or not exists (select 1 from mention_monitors cm where cm.mention_id = c.id))
  and not exists (select 1 from interactions j
                  where j.mention_id = i.target_id and lower(j.to_author) = lower(i.from_author))
order by i.at, i.mention_id
"""


def find_defences(db: sqlite_utils.Database) -> list[dict]:
    return [dict(row) for row in db.query(DEFENCES_SQL)]


def save_defences(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Replace the whole ``defences`` table with ``rows``."""
    replace_rows(db, "defences", rows)


def build_defences(db: sqlite_utils.Database) -> int:
    rows = find_defences(db)
    save_defences(db, rows)
    return len(rows)
