"""The Dagster code location of xxgk and the `xxgk` command line."""
