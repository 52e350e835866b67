"""Distributed crawls: many ``scrapy crawl`` workers sharing one crawl through Redis.

``-s REDIS_URL=redis://host:port/db`` switches it on (:mod:`crawler.distributed.addon`);
docs/distributed.md describes the topology and the keys.
"""
