"""Parses into raw: every document version without a parse of the current parser version."""

import dagster as dg

from dagster_project.assets.documents import WRITER_POOL, raw_documents
from dagster_project.resources import Warehouse
from scrapers.load.parses import parse_pending
from scrapers.load.warehouse import transaction
from scrapers.offices import match_offices


@dg.asset(group_name="parse", deps=[raw_documents], pool=WRITER_POOL, kinds={"python", "duckdb"})
def parsed_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Tables 二, 三 and 四 (or pre-2019 statements) of every new document version, read into
    raw.parses, raw.cells and raw.checks with the identity checks of each report. Each document
    is parsed in a worker process with memory, CPU and wall-clock limits."""
    summary = parse_pending(warehouse.path)
    # the offices of what was loaded and parsed, matched once in Python; dbt joins the answer
    with transaction(warehouse.path) as con:
        matched = match_offices(con)
    context.log.info(f"parsed {summary.parsed} document versions: {dict(summary.by_status)}")
    for sha256, reason in summary.failures:
        context.log.warning(f"document {sha256[:12]}: parse failed: {reason}")
    return dg.MaterializeResult(metadata={
        "parsed": summary.parsed,
        "office_names_matched": matched,
        "cells": summary.cells,
        "failed_identity_checks": summary.failed_checks,
        "by_status": dg.MetadataValue.json(dict(summary.by_status)),
        "by_template": dg.MetadataValue.json(dict(summary.by_template)),
        # a hostile or broken document is a failed parse with its reason, never a failed step
        "failed_documents": dg.MetadataValue.json([{"sha256": s, "reason": r} for s, r in summary.failures[:100]]),
    })
