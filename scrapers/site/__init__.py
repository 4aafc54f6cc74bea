"""The marts for readers: a static site of charts and report pages, and the data release."""
