"""Parse: read a report's rows into the cells of tables 二, 三, 四 (and pre-2019 statements)."""
