-- Webhook delivery and forwarding. Portable between SQLite and PostgreSQL; times are epoch milliseconds.

-- When the current (or last) attempt reached its processor: a claim, or a 2xx answer of the webhook.
-- NULL on an inflight job means a webhook delivery is owed (granted, not answered yet).
ALTER TABLE jobs ADD COLUMN delivered_at BIGINT;
-- Every inflight job of an older schema was claimed, so delivered.
UPDATE jobs SET delivered_at = updated_at WHERE state = 'inflight';
CREATE INDEX jobs_awaiting_delivery ON jobs (semaphore, seq) WHERE state = 'inflight' AND delivered_at IS NULL;

-- A job moved by retry.onExhausted {forward}: where it came from (on the target), where it went (on the source).
ALTER TABLE jobs ADD COLUMN forwarded_from TEXT;
ALTER TABLE jobs ADD COLUMN forwarded_to TEXT;
CREATE INDEX jobs_forwarding ON jobs (semaphore, seq) WHERE state = 'forwarding';

-- A forwarded job is finished on its source: housekeeping deletes it like the others.
DROP INDEX jobs_finished;
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('completed', 'failed', 'cancelled', 'forwarded');

-- The secrets a webhook semaphore signs with; write-only, never part of the config or a view.
CREATE TABLE webhook_secrets (
    semaphore      TEXT PRIMARY KEY,
    current        TEXT NOT NULL,
    previous       TEXT,
    previous_until BIGINT
);
