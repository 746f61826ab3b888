"""Scale-out on Redis: crawl workers share one scrapy-redis queue and duplicate filter, items
travel on a Redis stream, one writer stores them in SQLite (docs/scale-out.md)."""
