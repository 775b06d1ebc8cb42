-- One row per finished call, whichever path (AGI or Master.csv) saw it first.
-- Times are UTC; the CDR's local times are converted with cdr.timezone on the way in.
CREATE TABLE calls (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  uniqueid      VARCHAR(150) NOT NULL,
  linkedid      VARCHAR(150) NULL,
  channel       VARCHAR(255) NULL,
  dst_channel   VARCHAR(255) NULL,
  caller_number VARCHAR(80)  NULL,
  caller_name   VARCHAR(255) NULL,
  extension     VARCHAR(80)  NULL,
  context       VARCHAR(80)  NULL,
  start_time    DATETIME(3)  NULL,
  answer_time   DATETIME(3)  NULL,
  end_time      DATETIME(3)  NULL,
  duration_s    INT          NULL,
  billsec_s     INT          NULL,
  disposition   VARCHAR(32)  NULL,
  dial_status   VARCHAR(32)  NULL,
  recording     VARCHAR(1024) NULL,
  accountcode   VARCHAR(80)  NULL,
  userfield     VARCHAR(255) NULL,
  source        VARCHAR(8)   NOT NULL,
  received_at   DATETIME(3)  NOT NULL,
  UNIQUE KEY uq_calls_uniqueid (uniqueid),
  KEY ix_calls_caller (caller_number),
  KEY ix_calls_start (start_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The delivery job of a call. state: PENDING → CLAIMED → DONE | PENDING (retry later) | FAILED.
-- stage is the next step to run; the progress columns (mp3_path, objectref, attached_at) are what
-- makes a retry resume instead of starting over.
CREATE TABLE jobs (
  id              BIGINT AUTO_INCREMENT PRIMARY KEY,
  call_id         BIGINT       NOT NULL,
  state           VARCHAR(16)  NOT NULL,
  stage           VARCHAR(16)  NOT NULL,
  attempts        INT          NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3)  NOT NULL,
  lease_owner     VARCHAR(120) NULL,
  lease_until     DATETIME(3)  NULL,
  version         BIGINT       NOT NULL DEFAULT 0,
  mp3_path        VARCHAR(1024) NULL,
  objectref       VARCHAR(255) NULL,
  attached_at     DATETIME(3)  NULL,
  last_error      TEXT         NULL,
  failed_stage    VARCHAR(16)  NULL,
  discarded_by    VARCHAR(120) NULL,
  discard_reason  TEXT         NULL,
  created_at      DATETIME(3)  NOT NULL,
  updated_at      DATETIME(3)  NOT NULL,
  done_at         DATETIME(3)  NULL,
  UNIQUE KEY uq_jobs_call (call_id),
  KEY ix_jobs_claim (state, next_attempt_at),
  KEY ix_jobs_lease (state, lease_until),
  KEY ix_jobs_done (done_at),
  CONSTRAINT fk_jobs_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every attempt's outcome, for the admins' history view.
CREATE TABLE job_events (
  id       BIGINT AUTO_INCREMENT PRIMARY KEY,
  job_id   BIGINT       NOT NULL,
  at       DATETIME(3)  NOT NULL,
  attempt  INT          NOT NULL,
  stage    VARCHAR(16)  NOT NULL,
  outcome  VARCHAR(16)  NOT NULL,
  message  TEXT         NULL,
  KEY ix_job_events_job (job_id, at),
  CONSTRAINT fk_job_events_job FOREIGN KEY (job_id) REFERENCES jobs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
