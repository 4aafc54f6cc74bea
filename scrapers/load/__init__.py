"""Load: write fetched documents and parses into the warehouse's raw schema."""
