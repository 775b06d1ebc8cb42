-- Master.csv's view of a call's start next to the uploaded one: a call that rang out and went on
-- (several CDR parts) was uploaded with its last part's start before the AGI path knew better.
ALTER TABLE call_corrections
  ADD COLUMN old_start DATETIME(3) NULL,
  ADD COLUMN new_start DATETIME(3) NULL;
