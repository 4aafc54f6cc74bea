"""Crawl the district portals' 年报 columns into the raw schema (entry point: scrapers.crawl.run.crawl)."""
