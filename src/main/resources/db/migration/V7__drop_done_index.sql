-- ix_jobs_done (done_at) served the dashboard's deliveries per hour and day. A DONE job's
-- updated_at is its done_at (both set by the same update, and nothing updates a DONE job again),
-- so (state, updated_at) from V4 answers those queries; every job insert wrote one entry less.
DROP INDEX ix_jobs_done ON jobs;
