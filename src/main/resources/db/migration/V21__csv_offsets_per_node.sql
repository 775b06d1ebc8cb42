-- Every node with the tailer role reads its own PBX's Master.csv: its positions and its history
-- horizon are its own, keyed by its pbx.id (node_id), and a node reads, moves and forgets only its
-- own rows. Rows written before this migration get node_id '' (one cluster-wide tailer wrote them):
-- a node adopts such an offset row when the file it names (device+inode and first bytes) is one of
-- its own, and the horizon row when it adopted offsets or is the first node to tail since.
ALTER TABLE csv_offsets
  ADD COLUMN node_id VARCHAR(64) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (node_id, file_key);

ALTER TABLE csv_history
  ADD COLUMN node_id VARCHAR(64) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY,
  DROP COLUMN id,
  ADD PRIMARY KEY (node_id);
