-- ix_jobs_state_created (state, created_at) served one query: the dashboard's oldest waiting call.
-- That figure now comes from the counts-by-state query, which reads every job anyway; the index
-- cost every job insert a sixth secondary index entry (a Master.csv backfill writes a million).
DROP INDEX ix_jobs_state_created ON jobs;
