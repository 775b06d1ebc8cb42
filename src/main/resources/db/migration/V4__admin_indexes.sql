-- The admins' failed-upload queue (issue 5): newest failures first, optionally by failed stage,
-- without a filesort over the whole queue; dashboards count by state. job_events is already
-- indexed by (job_id, at) for the history view.
CREATE INDEX ix_jobs_state_updated ON jobs (state, updated_at);
CREATE INDEX ix_jobs_state_failed_stage ON jobs (state, failed_stage, updated_at);
CREATE INDEX ix_jobs_state_created ON jobs (state, created_at);
