-- Waiting entries by kind and availability, per semaphore: dispatch counts the waiting acquires and
-- asks whether a job backs off without reading the queue (SemaphoreMachine.dispatch), at any depth.
CREATE INDEX jobs_waiting_kinds ON jobs (semaphore, kind, available_at) WHERE state = 'waiting';
