"""The Scrapy project: settings, items, spiders, item pipelines, middlewares and the parsers
they share (``parsers/``), plus the crawl launcher (``launch``), ``ingest`` and ``replay``."""
