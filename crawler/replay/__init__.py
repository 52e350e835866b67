"""Archive replay: answering a crawl's requests from WARC files instead of the network.

* :mod:`crawler.replay.inputs` — which files are WARCs, what seed and run each belongs to;
* :mod:`crawler.replay.index` — the CDXJ index of the archive (read, or built when missing);
* :mod:`crawler.replay.records` — one record read at its offset, revisits resolved;
* :mod:`crawler.replay.progress` — records/s, bytes done of total, ETA.

The downloader middleware that wires these into Scrapy is
:mod:`crawler.middlewares.replay`; ``scrapy replay`` is :mod:`crawler.commands.replay`.
"""
