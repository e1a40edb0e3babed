-- PostgreSQL only (the embedded store has no autovacuum; SQLite frees index entries at once).
-- jobs and permits churn like queue tables: every job and permit is inserted, updated and deleted,
-- and one semaphore's rows can grow from none to thousands between two ANALYZEs. Left to the
-- defaults (vacuum after 20 % of the table changed, analyze after 10 %), dead rows pile up in the
-- indexes the hot queries read, and a semaphore whose rows came after the last ANALYZE looks empty
-- to the planner, which may then look a job up by id through any index that starts with its
-- semaphore and read every row it has (seen: 0.8 ms and 400 pages a lookup instead of 0.01 ms
-- and 4). So both are vacuumed and analyzed after a fixed number of changes; autovacuum_naptime
-- (a server setting: docs/deploy.md) still bounds how soon.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                      autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
ALTER TABLE permits SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                         autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
