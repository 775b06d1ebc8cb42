-- ix_jobs_lease (state, lease_until) served one query: the poller's look for CLAIMED jobs whose
-- lease ran out. CLAIMED rows are few (one per busy worker), and (state, updated_at) from V4 finds
-- them just as well — while every job insert (a million in a Master.csv backfill) paid for a
-- seventh secondary index entry.
DROP INDEX ix_jobs_lease ON jobs;
