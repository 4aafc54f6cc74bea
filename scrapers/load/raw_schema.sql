-- The raw schema: what Python writes, append-only. dbt reads it as sources.
create schema if not exists raw;

-- Every distinct byte string ever fetched or ingested, stored once.
create table if not exists raw.blobs (
    sha256        varchar primary key,
    size          bigint not null,
    body          blob not null,
    first_seen_at timestamptz not null
);

-- Every HTTP response or failed request, one row per attempt that finished.
create table if not exists raw.fetches (
    fetch_id      varchar primary key,
    portal        varchar,
    district      varchar,
    request_url   varchar not null,
    final_url     varchar,
    status        integer,
    headers       json,
    content_type  varchar,
    charset       varchar,
    sha256        varchar,
    fetched_at    timestamptz not null,
    elapsed_ms    double,
    not_modified  boolean default false,
    error         varchar
);

-- Report documents: one row per version (distinct bytes) of a report.
-- report_url identifies the report (its detail page, or file:// for local files);
-- source_url is where the parsed bytes came from (the page itself or its attachment).
create table if not exists raw.documents (
    document_id    varchar primary key,
    report_url     varchar not null,
    source_url     varchar not null,
    sha256         varchar not null,
    origin         varchar not null,
    portal         varchar,
    district       varchar,
    district_code  varchar,
    category       varchar,
    title          varchar,
    office_hint    varchar,
    year_hint      integer,
    published_date date,
    media_type     varchar,
    fetched_at     timestamptz not null
);

-- One parse per distinct document bytes and parser version.
create table if not exists raw.parses (
    sha256         varchar not null,
    parser_version varchar not null,
    year           integer,
    office         varchar,
    template       varchar,
    status         varchar not null,
    format         varchar,
    problems       json,
    parsed_at      timestamptz not null,
    primary key (sha256, parser_version)
);

-- Every cell the parser read. table_name: requests | appeals | proactive | narrative | extra.
create table if not exists raw.cells (
    sha256           varchar not null,
    parser_version   varchar not null,
    table_name       varchar not null,
    row_code         varchar not null,
    column_code      varchar not null,
    value            decimal(20, 4),
    raw              varchar,
    unit             varchar,
    value_normalised decimal(24, 6),
    approximate      boolean default false,
    location         varchar
);

-- Every identity check of every parse, with both sides, as scrapers/parse/checks.py (the one
-- owner of the identities) evaluated it: dbt only reports these.
create table if not exists raw.checks (
    sha256         varchar not null,
    parser_version varchar not null,
    name           varchar not null,
    passed         boolean not null,
    left_value     decimal(20, 4),
    right_value    decimal(20, 4),
    identity       varchar,
    table_name     varchar,
    row_code       varchar,
    column_code    varchar,
    left_side      varchar,
    right_side     varchar
);
-- warehouses made before the checks said where they were evaluated (their old rows stay NULL
-- there until a re-parse or `xxgk rebuild`)
alter table raw.checks add column if not exists identity varchar;
alter table raw.checks add column if not exists table_name varchar;
alter table raw.checks add column if not exists row_code varchar;
alter table raw.checks add column if not exists column_code varchar;
alter table raw.checks add column if not exists left_side varchar;
alter table raw.checks add column if not exists right_side varchar;

-- Offices the crawler met in report titles that seeds/offices.csv does not hold (flagged as discovered).
create table if not exists raw.discovered_offices (
    district_code   varchar not null,
    normalised_name varchar not null,
    district        varchar,
    office_name     varchar,
    office_type     varchar,
    title           varchar,
    report_url      varchar,
    year            integer,
    portal          varchar,
    first_seen_at   timestamptz not null,
    primary key (district_code, normalised_name)
);

-- The office each (district, printed name, year) of the raw tables stands for, written by
-- scrapers/offices.py (match_offices) after each load; dbt joins it and matches nothing itself.
create table if not exists raw.office_matches (
    district_code          varchar,  -- the district the crawl found the report in; NULL for local files
    printed_name           varchar not null,  -- the office as the parse or the title names it
    year                   integer,
    office_id              varchar,  -- registry id, or discovered-<district>-<hash>
    is_registered          boolean not null,
    office_name            varchar,
    normalised_name        varchar,
    office_type            varchar,
    district               varchar,
    resolved_district_code varchar,
    method                 varchar not null,  -- name | stem | alias | discovered | unnamed
    registry_version       varchar not null,  -- fingerprint of seeds/offices.csv + office_aliases.csv
    matched_at             timestamptz not null
);

-- Every archive (WARC) file loaded, so that loading it again changes nothing.
create table if not exists raw.archive_files (
    name      varchar primary key,
    size      bigint not null,
    sha256    varchar not null,
    records   integer not null,
    loaded_at timestamptz not null
);

-- The pictures of report pages (tables printed as images), as the crawl found them: which page
-- (by its bytes) shows which picture (its <img src> as written), and the picture's bytes
-- (raw.blobs) or why there are none. The parse hands them to OCR with the page.
create table if not exists raw.document_pictures (
    sha256          varchar not null,  -- the page (raw.documents.sha256)
    src             varchar not null,
    url             varchar not null,
    picture_sha256  varchar,           -- null when it was not fetched
    error           varchar,           -- why it could not be fetched: the page is not read whole
    skipped         varchar,           -- why it was left out as page furniture (an icon, a logo)
    primary key (sha256, src)
);
-- When the row got its picture: a picture that failed once and came with a later crawl is newer
-- than the page's parse, which is then done again with it (load.parses.pending_documents).
alter table raw.document_pictures add column if not exists loaded_at timestamptz;
