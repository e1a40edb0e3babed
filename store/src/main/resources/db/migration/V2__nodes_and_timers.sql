-- Several nodes on one store (PostgreSQL). The embedded store has one node and leaves these empty.

-- The nodes sharing the store. A node refreshes seen_at (the database's clock, epoch ms) every
-- few seconds; one not seen for a while is dead, and its waiting acquires leave the queue.
CREATE TABLE nodes (
    id         TEXT   PRIMARY KEY,
    started_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);

-- Timer work of a semaphore, claimed by one node at a time (FOR UPDATE SKIP LOCKED) while it
-- works through it. checked_at: retry backoffs that ended at or before it have been seen to.
CREATE TABLE timers (
    semaphore  TEXT   PRIMARY KEY,
    checked_at BIGINT NOT NULL
);

-- A node that lost its connection looks up the grants it may have missed by waiter id.
CREATE INDEX permits_by_holder ON permits (holder) WHERE holder IS NOT NULL;
