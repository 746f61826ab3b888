"""Print each mention as one JSON line on stdout (``groundswell extract``); nothing is stored."""

from __future__ import annotations

import json
import sys

from itemadapter import ItemAdapter

from groundswell.crawl.items import MentionItem

HIDDEN_FIELDS = ("raw", "rating_scale", "content_hash")


class JsonLinesPipeline:
    def process_item(self, item, spider=None):
        if not isinstance(item, MentionItem):
            return item
        row = {k: v for k, v in ItemAdapter(item).asdict().items() if k not in HIDDEN_FIELDS}
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
        return item
