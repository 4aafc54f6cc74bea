"""Assets in the order the data flows: documents -> parses -> dbt models -> exports."""
