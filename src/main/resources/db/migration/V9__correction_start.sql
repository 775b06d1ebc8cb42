-- Master.csv's view of a call's start next to the uploaded one: a call that rang out and went on
-- (several CDR parts) was uploaded with its last part's start before the AGI path knew better.
ALTER TABLE call_corrections
  ADD COLUMN old_start DATETIME(3) NULL,
  ADD COLUMN new_start DATETIME(3) NULL;

-- The moment the tailer first met a Master.csv with content and started at its end
-- (csv.start-at=end): calls that started before it are the PBX's history, imported only on purpose
-- (postcall backfill), never by the nightly sweep. One row, written once.
CREATE TABLE csv_history (
  id        TINYINT     NOT NULL PRIMARY KEY,
  tail_from DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
