-- The search's indexes carry every column a filter checks besides the one they are looked up by:
-- the page order (start, id), the outcome, the agent and both numbers' digits. Whatever filter
-- drives, the others are checked in the index instead of in a row read per candidate
-- (docs/benchmarks.md, "Call search"). The agent's index is ordered by start, not by outcome: an
-- agent's calls are one newest-first walk whatever status is asked for.
-- Re-runnable: MariaDB DDL is not transactional, so a migration cut short is finished by running it again.
ALTER TABLE calls
  DROP INDEX IF EXISTS ix_calls_agent_outcome_start,
  DROP INDEX IF EXISTS ix_calls_outcome_start,
  DROP INDEX IF EXISTS ix_calls_caller_digits_start,
  DROP INDEX IF EXISTS ix_calls_called_digits_start,
  ADD KEY IF NOT EXISTS ix_calls_agent_search (agent, start_time, id, outcome, caller_digits, called_digits),
  ADD KEY IF NOT EXISTS ix_calls_outcome_search (outcome, start_time, id, caller_digits, called_digits),
  ADD KEY IF NOT EXISTS ix_calls_caller_search (caller_digits, start_time, id, outcome, agent),
  ADD KEY IF NOT EXISTS ix_calls_called_search (called_digits, start_time, id, outcome, agent);
