-- Permits had two indexes by holder: permits_holder (semaphore, holder) over every permit, and
-- permits_by_holder (holder) over the permits granted to a job or a waiting acquire (V2). Both
-- lookups by holder (of one semaphore, or of any) use the second, so the first was written for
-- every permit twice (granted, then released) and never read. A permit of an immediate acquire
-- (no holder) now has two index entries besides its row, not three.
DROP INDEX permits_holder;
