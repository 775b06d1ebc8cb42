-- Every recording of a call, in call order (seq 1 started first): the caller's own file
-- (recordings.pattern), the file MIXMONITOR_FILENAME names when the dialplan started another
-- MixMonitor on the caller.
-- Written by the worker once the files are closed; mp3_path is each file's conversion, so a retry
-- converts and uploads only what is missing.
CREATE TABLE call_recordings (
  call_id    BIGINT        NOT NULL,
  seq        INT           NOT NULL,
  name       VARCHAR(1024) NOT NULL,
  started_at DATETIME(3)   NULL,
  audio_ms   BIGINT        NULL,
  mp3_path   VARCHAR(1024) NULL,
  PRIMARY KEY (call_id, seq),
  CONSTRAINT fk_call_recordings_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
