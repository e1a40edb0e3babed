-- Sluice schema, portable between SQLite and PostgreSQL. Times are epoch milliseconds.
CREATE TABLE semaphores (
    name               TEXT PRIMARY KEY,
    config             TEXT    NOT NULL,
    in_use             INTEGER NOT NULL,
    last_fencing_token BIGINT  NOT NULL,
    last_seq           BIGINT  NOT NULL,
    waiting            BIGINT  NOT NULL,
    inflight           BIGINT  NOT NULL,
    dead               BIGINT  NOT NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);

CREATE TABLE channels (
    semaphore TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    in_use    INTEGER NOT NULL,
    paused    BOOLEAN NOT NULL,
    PRIMARY KEY (semaphore, name)
);

CREATE TABLE permits (
    semaphore     TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    channel       TEXT   NOT NULL,
    fencing_token BIGINT NOT NULL,
    granted_at    BIGINT NOT NULL,
    lease_ms      BIGINT,
    expires_at    BIGINT,
    holder        TEXT,
    state         TEXT   NOT NULL,
    PRIMARY KEY (semaphore, id)
);
CREATE INDEX permits_due ON permits (expires_at) WHERE state = 'held';
CREATE INDEX permits_holder ON permits (semaphore, holder);
CREATE INDEX permits_tombstones ON permits (expires_at) WHERE state = 'expired';

CREATE TABLE jobs (
    semaphore       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    priority        INTEGER NOT NULL,
    seq             BIGINT  NOT NULL,
    original_seq    BIGINT  NOT NULL,
    state           TEXT    NOT NULL,
    payload         TEXT,
    idempotency_key TEXT,
    attempts        INTEGER NOT NULL,
    lease_ms        BIGINT,
    deadline        BIGINT,
    available_at    BIGINT  NOT NULL,
    permit_id       TEXT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (semaphore, id)
);
CREATE INDEX jobs_queue ON jobs (semaphore, priority DESC, seq) WHERE state = 'waiting';
CREATE INDEX jobs_by_state ON jobs (semaphore, state, seq);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (semaphore, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_backoff ON jobs (available_at) WHERE state = 'waiting';
CREATE INDEX jobs_waiter_deadline ON jobs (deadline) WHERE kind = 'waiter';
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('completed', 'failed', 'cancelled');
