-- A waiter (kind 'waiter', an acquire waiting in the queue) is inserted waiting and deleted when it
-- is granted or leaves: it never changes state and never backs off. Two indexes held every waiter
-- for nothing, and a hand-off writes a waiter row twice (in, then out), so each cost two index
-- writes per grant: jobs_by_state, read only for jobs by state (listing, purge), and jobs_backoff,
-- read only for jobs whose retry or delay has not ended. Both now hold jobs only; the queries that
-- read them say kind = 'job'. Waiters stay in jobs_queue, jobs_waiting_kinds and jobs_waiter_deadline.
-- Writes to jobs wait while the two indexes are rebuilt.
DROP INDEX jobs_by_state;
CREATE INDEX jobs_by_state ON jobs (semaphore, state, seq) WHERE kind = 'job';
DROP INDEX jobs_backoff;
CREATE INDEX jobs_backoff ON jobs (available_at) WHERE state = 'waiting' AND kind = 'job';
