-- Schema of the SQLite store. Every statement is idempotent: the store runs this script on first use.
-- Times are UTC ticks (INTEGER), money is exact: raw amounts as INTEGER cents, sums and rates as invariant TEXT.

CREATE TABLE IF NOT EXISTS job_id_counters (
    day  TEXT    NOT NULL PRIMARY KEY, -- yyyyMMdd
    last INTEGER NOT NULL              -- last number handed out for that day; never goes back
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS jobs (
    id                     TEXT    NOT NULL PRIMARY KEY,
    owner                  TEXT    NOT NULL,
    state                  TEXT    NOT NULL,
    stage                  TEXT    NOT NULL,
    transactions_imported  INTEGER NOT NULL,
    bytes_read             INTEGER NOT NULL,
    bytes_total            INTEGER NULL,
    aggregates_created     INTEGER NOT NULL,
    offers_generated       INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    completed_at           INTEGER NULL,
    error_kind             TEXT    NULL,
    error_message          TEXT    NULL,
    error_item_index       INTEGER NULL,
    error_byte_offset      INTEGER NULL,
    error_path             TEXT    NULL,
    credit_config_json     TEXT    NULL,
    aggregate_config_json  TEXT    NULL,
    trace_parent           TEXT    NULL,    -- W3C traceparent of the job's span, for stages run later or elsewhere
    cancel_requested_by    TEXT    NULL,    -- a cancellation request for the owner to act on, and who made it
    tenant                 TEXT    NULL     -- the owner key of the tenant the job belongs to; set once, at creation
);

-- Lists of jobs, newest first, page by page.
CREATE INDEX IF NOT EXISTS ix_jobs_created ON jobs (created_at, id);

CREATE INDEX IF NOT EXISTS ix_jobs_unfinished ON jobs (created_at) WHERE state NOT IN ('JOB_COMPLETE', 'FAILED');

CREATE TABLE IF NOT EXISTS job_events (
    job_id                 TEXT    NOT NULL,
    sequence               INTEGER NOT NULL,
    event_type             TEXT    NOT NULL,
    timestamp              INTEGER NOT NULL,
    state                  TEXT    NOT NULL,
    stage                  TEXT    NOT NULL,
    transactions_imported  INTEGER NOT NULL,
    bytes_read             INTEGER NOT NULL,
    bytes_total            INTEGER NULL,
    aggregates_created     INTEGER NOT NULL,
    offers_generated       INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    completed_at           INTEGER NULL,
    error_kind             TEXT    NULL,
    error_message          TEXT    NULL,
    error_item_index       INTEGER NULL,
    error_byte_offset      INTEGER NULL,
    error_path             TEXT    NULL,
    PRIMARY KEY (job_id, sequence)
) WITHOUT ROWID;

-- Raw rows are not kept here: each job's rows are in a database file of their own in the folder "<this file>.rows",
-- so imports of different jobs write in parallel and removing a job's rows is removing a file. Databases made by
-- earlier versions keep their unused transaction_jobs and transaction_rows tables.

CREATE TABLE IF NOT EXISTS results (
    job_id                  TEXT    NOT NULL PRIMARY KEY,
    transactions_processed  INTEGER NOT NULL,
    model_version           TEXT    NOT NULL,
    config_used_json        TEXT    NULL
);

CREATE TABLE IF NOT EXISTS aggregates (
    job_id             TEXT    NOT NULL,
    date               TEXT    NOT NULL, -- yyyy-MM-dd
    total_amount       TEXT    NOT NULL,
    revenue_amount     TEXT    NOT NULL,
    transaction_count  INTEGER NOT NULL,
    UNIQUE (job_id, date)
);

CREATE TABLE IF NOT EXISTS assessments (
    job_id        TEXT    NOT NULL,
    date          TEXT    NOT NULL,
    credit_score  INTEGER NOT NULL,
    risk_level    TEXT    NOT NULL,
    factors_json  TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_assessments_job ON assessments (job_id);

CREATE TABLE IF NOT EXISTS offers (
    job_id             TEXT    NOT NULL,
    date               TEXT    NOT NULL,
    offer_type         TEXT    NOT NULL,
    amount             TEXT    NOT NULL,
    interest_rate      TEXT    NOT NULL,
    credit_score       INTEGER NOT NULL,
    risk_level         TEXT    NOT NULL,
    transaction_count  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_offers_job ON offers (job_id);

-- Webhook subscriptions and how far each was delivered; events is a space-separated list of event types.
CREATE TABLE IF NOT EXISTS webhooks (
    id                 TEXT    NOT NULL PRIMARY KEY,
    job_id             TEXT    NOT NULL,
    url                TEXT    NOT NULL,
    events             TEXT    NOT NULL,
    secret             TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    delivered_through  INTEGER NOT NULL,
    finished           INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_webhooks_unfinished ON webhooks (created_at) WHERE finished = 0;

-- Idempotency-Key records of submit requests; a record without a fingerprint is an upload still being read.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    token        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    job_id       TEXT    NULL,
    fingerprint  TEXT    NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

-- Named leases, such as the retention sweeper's, held by one host at a time until they expire.
CREATE TABLE IF NOT EXISTS leases (
    name        TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
