"""The items spiders yield: a mention (review, post, comment, question, answer, article), and
the crawl frontier's changes (``FrontierItem``).

Parsers return plain dicts with these keys; spiders wrap them in ``MentionItem``.
Item pipelines (``groundswell/crawl/pipelines/``) validate, normalise and store them.
"""

from __future__ import annotations

import scrapy

MENTION_KINDS = ("review", "post", "comment", "question", "answer", "article")

MENTION_FIELDS = (
    "site_id",  # the site's own id for the mention (str), when it has one
    "kind",  # one of MENTION_KINDS
    "url",  # permalink of the mention (absolute)
    "thread_url",  # the thread / product / page the mention belongs to
    "parent_site_id",  # site id of the mention this one replies to
    "author",
    "title",
    "body",  # plain text: parsers turn the site's HTML into text (groundswell.crawl.parsers.text)
    "rating",  # as the site gives it; normalised to 0..5 by the pipeline with rating_scale
    "rating_scale",  # best rating on the site's scale (default 5)
    "published_at",  # datetime, ISO string or unix seconds; normalised to ISO 8601 UTC
    "is_question",
    "answered",
    "vendor_responded",
    "vendor_response",  # text of the business/vendor reply, if any
    "raw",  # what the site gave for this mention (JSON-serialisable)
)


class MentionItem(scrapy.Item):
    id = scrapy.Field()  # stable id, set by the normalize pipeline
    parent_id = scrapy.Field()  # id of parent_site_id's mention, set by the normalize pipeline
    source = scrapy.Field()  # the configured source name
    source_kind = scrapy.Field()  # the spider kind that produced it
    fetched_at = scrapy.Field()
    site_id = scrapy.Field()
    kind = scrapy.Field()
    url = scrapy.Field()
    thread_url = scrapy.Field()
    parent_site_id = scrapy.Field()
    author = scrapy.Field()
    title = scrapy.Field()
    body = scrapy.Field()
    rating = scrapy.Field()
    rating_scale = scrapy.Field()
    published_at = scrapy.Field()
    is_question = scrapy.Field()
    answered = scrapy.Field()
    vendor_responded = scrapy.Field()
    vendor_response = scrapy.Field()
    raw = scrapy.Field()
    content_hash = scrapy.Field()  # set by the normalize pipeline


class FrontierItem(scrapy.Item):
    """A change to the source's crawl frontier (``groundswell.store.frontier``): threads and
    pages listed, fetched completely, or failed. The store pipeline writes it after every
    mention yielded before it, so a thread is never marked fetched before its mentions are
    stored."""

    action = scrapy.Field()  # listed, requested, fetched or failed
    source = scrapy.Field()
    rows = scrapy.Field()  # dicts of crawl_frontier columns (see the store functions)
