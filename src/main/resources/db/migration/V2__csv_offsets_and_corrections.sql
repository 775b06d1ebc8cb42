-- Where the Master.csv tailer stands in each file it reads. One row per file *identity*
-- (device + inode), not per path: after logrotate renames Master.csv to Master.csv.1 the row
-- follows the file, so its rest is read under the new name. The fingerprint (SHA-256 of the
-- first fingerprint_len bytes) tells a reused inode or a copytruncate'd-and-refilled file from
-- the file we read. byte_offset always points just after a complete line; it is updated in the
-- same transaction as the calls those lines produced.
CREATE TABLE csv_offsets (
  file_key        VARCHAR(190)  NOT NULL PRIMARY KEY,
  path            VARCHAR(1024) NOT NULL,
  fingerprint     CHAR(64)      NOT NULL,
  fingerprint_len INT           NOT NULL,
  byte_offset     BIGINT        NOT NULL,
  line_no         BIGINT        NOT NULL,
  file_size       BIGINT        NOT NULL,
  updated_at      DATETIME(3)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Master.csv's final timing for a call that was already uploaded (or is being uploaded) with the
-- timing the AGI path read: kept for the admins and a later re-send instead of silently lost.
-- The unique key makes re-reading the same file (sweep, lost offsets) record it once.
CREATE TABLE call_corrections (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  call_id      BIGINT       NOT NULL,
  uniqueid     VARCHAR(150) NOT NULL,
  old_end      DATETIME(3)  NULL,
  old_duration INT          NULL,
  old_billsec  INT          NULL,
  new_end      DATETIME(3)  NULL,
  new_duration INT          NULL,
  new_billsec  INT          NULL,
  job_state    VARCHAR(16)  NULL,
  job_stage    VARCHAR(16)  NULL,
  recorded_at  DATETIME(3)  NOT NULL,
  UNIQUE KEY uq_call_corrections (call_id, new_end, new_duration, new_billsec),
  KEY ix_call_corrections_uniqueid (uniqueid),
  CONSTRAINT fk_call_corrections_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
