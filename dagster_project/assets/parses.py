"""Parses into raw: every document version without a parse of the current parser version."""

import dagster as dg

from dagster_project.assets.documents import WRITER_POOL, raw_documents
from dagster_project.resources import Warehouse
from scrapers.load.parses import parse_pending


@dg.asset(group_name="parse", deps=[raw_documents], pool=WRITER_POOL, kinds={"python", "duckdb"})
def parsed_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Tables 二, 三 and 四 (or pre-2019 statements) of every new document version, read into
    raw.parses, raw.cells and raw.checks with the identity checks of each report."""
    summary = parse_pending(warehouse.path)
    context.log.info(f"parsed {summary.parsed} document versions: {dict(summary.by_status)}")
    return dg.MaterializeResult(metadata={
        "parsed": summary.parsed,
        "cells": summary.cells,
        "failed_identity_checks": summary.failed_checks,
        "by_status": dg.MetadataValue.json(dict(summary.by_status)),
        "by_template": dg.MetadataValue.json(dict(summary.by_template)),
    })
