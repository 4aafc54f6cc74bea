"""xxgk's Python side: crawl portals, fetch documents, extract text and tables, parse reports, load raw."""
