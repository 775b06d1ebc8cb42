-- Every call belongs to the PBX that saw it (pbx.id): Asterisk's uniqueids are only unique per PBX,
-- so two PBXs' calls with the same uniqueid are two calls. Existing rows get the one PBX this
-- database knew (pbx_nodes); without exactly one, '' — which the first PBX node to register on
-- its own adopts at start (PbxRegistry), so an old single-PBX database needs no new setting.
-- Re-runnable: MariaDB DDL is not transactional, so a migration cut short is finished by running it again.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS pbx_id VARCHAR(64) NOT NULL DEFAULT '' AFTER id;
UPDATE calls SET pbx_id = (SELECT MIN(pbx_id) FROM pbx_nodes)
  WHERE pbx_id = '' AND (SELECT COUNT(*) FROM pbx_nodes) = 1;
-- No default from now on: a statement that forgets the PBX fails instead of filing the call under ''.
ALTER TABLE calls
  DROP INDEX IF EXISTS uq_calls_uniqueid,
  ADD UNIQUE KEY IF NOT EXISTS uq_calls_pbx_uniqueid (pbx_id, uniqueid),
  ALTER COLUMN pbx_id DROP DEFAULT;

ALTER TABLE call_corrections ADD COLUMN IF NOT EXISTS pbx_id VARCHAR(64) NOT NULL DEFAULT '' AFTER call_id;
UPDATE call_corrections k JOIN calls c ON c.id = k.call_id SET k.pbx_id = c.pbx_id WHERE k.pbx_id = '';
ALTER TABLE call_corrections
  DROP INDEX IF EXISTS ix_call_corrections_uniqueid,
  ADD KEY IF NOT EXISTS ix_call_corrections_pbx_uniqueid (pbx_id, uniqueid);

UPDATE call_conflicts SET pbx_id = (SELECT MIN(pbx_id) FROM pbx_nodes)
  WHERE pbx_id = '' AND (SELECT COUNT(*) FROM pbx_nodes) = 1;
