-- Schema of the PostgreSQL store. Every statement is idempotent: on first use the store runs this script in one
-- transaction, under an advisory lock, with search_path set to the configured schema, so hosts that start together
-- do not race each other's CREATE statements. Times are timestamptz (microseconds), money is exact numeric.

-- The last number handed out per UTC day; a row is never deleted, so an id is never reused.
CREATE TABLE IF NOT EXISTS job_id_counters (
    day   date    NOT NULL PRIMARY KEY,
    last  integer NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
    id                     text        NOT NULL PRIMARY KEY,
    owner                  text        NOT NULL,
    event_count            bigint      NOT NULL, -- sequence of the job's last event
    state                  text        NOT NULL CHECK (state IN ('OPEN', 'IN_PROGRESS', 'JOB_COMPLETE', 'FAILED')),
    stage                  text        NOT NULL,
    transactions_imported  bigint      NOT NULL,
    bytes_read             bigint      NOT NULL,
    bytes_total            bigint      NULL,
    aggregates_created     integer     NOT NULL,
    offers_generated       integer     NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL, -- the owner's lease: another host may claim the job once it is stale
    completed_at           timestamptz NULL,
    error_kind             text        NULL,
    error_message          text        NULL,
    error_item_index       bigint      NULL,
    error_byte_offset      bigint      NULL,
    error_path             text        NULL,
    credit_config          json        NULL,
    aggregate_config       json        NULL,
    trace_parent           text        NULL, -- W3C traceparent of the job's span, for stages run later or elsewhere
    cancel_requested_by    text        NULL, -- a cancellation request for the owner to act on, and who made it
    tenant                 text        NULL  -- the owner key of the tenant the job belongs to; set once, at creation
);

-- Columns added after a schema was first made.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS trace_parent text NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cancel_requested_by text NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS tenant text NULL;

-- Lists of jobs, newest first, page by page.
CREATE INDEX IF NOT EXISTS ix_jobs_created ON jobs (created_at, id);

-- A tenant's lists, newest first.
CREATE INDEX IF NOT EXISTS ix_jobs_tenant_created ON jobs (tenant, created_at, id);

CREATE INDEX IF NOT EXISTS ix_jobs_unfinished ON jobs (created_at) WHERE state NOT IN ('JOB_COMPLETE', 'FAILED');

-- Append-only; each row repeats the job's status columns as they were when the event happened.
CREATE TABLE IF NOT EXISTS job_events (
    job_id                 text        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    sequence               bigint      NOT NULL,
    event_type             text        NOT NULL,
    timestamp              timestamptz NOT NULL,
    state                  text        NOT NULL,
    stage                  text        NOT NULL,
    transactions_imported  bigint      NOT NULL,
    bytes_read             bigint      NOT NULL,
    bytes_total            bigint      NULL,
    aggregates_created     integer     NOT NULL,
    offers_generated       integer     NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    completed_at           timestamptz NULL,
    error_kind             text        NULL,
    error_message          text        NULL,
    error_item_index       bigint      NULL,
    error_byte_offset      bigint      NULL,
    error_path             text        NULL,
    PRIMARY KEY (job_id, sequence)
);

-- Each job's raw rows carry a small integer key instead of the job id, and a sequence handed out per batch.
CREATE TABLE IF NOT EXISTS transaction_jobs (
    job_id    text   NOT NULL PRIMARY KEY,
    job_key   bigint NOT NULL GENERATED ALWAYS AS IDENTITY UNIQUE, -- never reused
    last_seq  bigint NOT NULL,                                     -- sequence of the job's last stored row
    row_tables integer NOT NULL DEFAULT 1                          -- how many COPY streams, each with a table of its own, wrote the rows
);

-- Only when missing: ALTER TABLE takes its lock even when the column is there, and would wait for every import in progress.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'transaction_jobs' AND column_name = 'row_tables') THEN
        ALTER TABLE transaction_jobs ADD COLUMN row_tables integer NOT NULL DEFAULT 1;
    END IF;
END $$;

-- The rows themselves are in a table per job, transaction_rows_<job_key>, plus transaction_rows_<job_key>_<n> for each
-- further COPY stream of its import, created by the job's first batch and dropped whole when its rows are deleted (see PostgreSqlStore.Transactions.cs). Schemas made by earlier versions keep their
-- unused shared transaction_rows table.

CREATE TABLE IF NOT EXISTS results (
    job_id                  text   NOT NULL PRIMARY KEY,
    transactions_processed  bigint NOT NULL,
    model_version           text   NOT NULL,
    config_used_json        text   NULL  -- verbatim as the request sent it
);

-- position keeps each list in the order it was saved. Sums may exceed 15 digits: plain numeric.
CREATE TABLE IF NOT EXISTS aggregates (
    job_id             text    NOT NULL,
    position           integer NOT NULL,
    date               date    NOT NULL,
    total_amount       numeric NOT NULL,
    revenue_amount     numeric NOT NULL,
    transaction_count  bigint  NOT NULL,
    PRIMARY KEY (job_id, position),
    UNIQUE (job_id, date)
);

CREATE TABLE IF NOT EXISTS assessments (
    job_id        text    NOT NULL,
    position      integer NOT NULL,
    date          date    NOT NULL,
    credit_score  integer NOT NULL,
    risk_level    text    NOT NULL,
    factors       json    NOT NULL,
    PRIMARY KEY (job_id, position)
);

CREATE TABLE IF NOT EXISTS offers (
    job_id             text    NOT NULL,
    position           integer NOT NULL,
    date               date    NOT NULL,
    offer_type         text    NOT NULL,
    amount             numeric NOT NULL,
    interest_rate      numeric NOT NULL,
    credit_score       integer NOT NULL,
    risk_level         text    NOT NULL,
    transaction_count  bigint  NOT NULL,
    PRIMARY KEY (job_id, position)
);

CREATE TABLE IF NOT EXISTS webhooks (
    id                 text        NOT NULL PRIMARY KEY,
    job_id             text        NOT NULL,
    url                text        NOT NULL,
    events             text[]      NOT NULL,
    secret             text        NOT NULL,
    created_at         timestamptz NOT NULL,
    delivered_through  bigint      NOT NULL,
    finished           boolean     NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_webhooks_unfinished ON webhooks (created_at) WHERE NOT finished;

-- Idempotency-Key records of submit requests; a record without a fingerprint is an upload still being read.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    token        text        NOT NULL,
    created_at   timestamptz NOT NULL,
    job_id       text        NULL,
    fingerprint  text        NULL,
    PRIMARY KEY (scope, key)
);

-- Named leases, such as the retention sweeper's, held by one host at a time until they expire.
CREATE TABLE IF NOT EXISTS leases (
    name        text        NOT NULL PRIMARY KEY,
    holder      text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
