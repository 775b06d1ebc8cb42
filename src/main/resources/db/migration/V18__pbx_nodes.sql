-- The PBXs that feed this database, one row per pbx.id, written by every node with the agi or
-- tailer role at start. A second id here means several PBXs share the database: each must then
-- be named (pbx.id) and give distinct uniqueids (Asterisk's systemname).
CREATE TABLE pbx_nodes (
  pbx_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
  host        VARCHAR(255) NOT NULL,
  explicit_id BOOLEAN      NOT NULL,
  first_seen  DATETIME(3)  NOT NULL,
  last_seen   DATETIME(3)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
