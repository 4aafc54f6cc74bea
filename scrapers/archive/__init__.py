"""The archive: the source of truth the warehouse is derived from.

WARC files written by the crawl (one per run and start point) and by local folders
(``local.py``), each with its index (``index.py``); the loader in ``scrapers.load.archives``
turns them into the raw tables.
"""
