-- A hangup that disagreed with the call already stored under its uniqueid (a forged or misrouted
-- session), or a recording refused because it belongs to another call. The call stored first is
-- kept as it was; both versions are kept here for the admins and never merged.
-- pbx_id: '' until calls carry the PBX they came from (then the key is per PBX, as calls' will be).
-- fingerprint: SHA-256 of the rejected version, so a replay of the same event (spool drain) adds nothing.
CREATE TABLE call_conflicts (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  pbx_id       VARCHAR(64)  NOT NULL DEFAULT '',
  uniqueid     VARCHAR(150) NOT NULL,
  kind         VARCHAR(32)  NOT NULL,
  call_id      BIGINT       NULL,
  fields       VARCHAR(255) NOT NULL,
  kept         TEXT         NOT NULL,
  rejected     TEXT         NOT NULL,
  fingerprint  CHAR(64)     NOT NULL,
  detected_at  DATETIME(3)  NOT NULL,
  UNIQUE KEY uq_call_conflicts_event (pbx_id, uniqueid, fingerprint),
  KEY ix_call_conflicts_detected (detected_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Which call already has a recording: asked when a hangup names a recording not named after its
-- own uniqueid (a prefix: the column is longer than an index key may be).
ALTER TABLE calls ADD KEY ix_calls_recording (recording(191));
