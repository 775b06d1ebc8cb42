-- Who answered each call, and what the calls page and `postcall calls` search by, indexed so every
-- filter walks an index newest first (docs/benchmarks.md, "Call search"). Re-runnable: MariaDB DDL
-- is not transactional, so a migration cut short is finished by running it again.

-- The answering agent as the dialplan dials it again (PJSIP/201, a queue member's interface),
-- written by both capture paths; NULL when nobody answered.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS agent VARCHAR(255) NULL;

-- Calls stored before this version: the agent from the answered call's dstchannel, where SQL can
-- do exactly what AgentName does (drop a Local channel's ;N half and the -hex sequence number, and
-- only characters a dial string may carry). A queue call stored over AGI then gets the channel of
-- the last member rung, not necessarily the one who answered: Master.csv's own calls are right.
UPDATE calls
SET agent = REGEXP_REPLACE(REGEXP_REPLACE(TRIM(dst_channel), '^(Local/.*);[^;]*$', '\\1'), '^([^/]+/.*)-[0-9a-fA-F]+$', '\\1')
WHERE agent IS NULL AND dst_channel IS NOT NULL
  AND UPPER(COALESCE(NULLIF(TRIM(dial_status), ''), disposition)) IN ('ANSWER', 'ANSWERED');
UPDATE calls SET agent = NULL
WHERE agent IS NOT NULL
  AND (agent NOT REGEXP '^[A-Za-z0-9@._:+-][A-Za-z0-9/@._:+-]*$' OR LOCATE('/', agent) = 0 OR agent LIKE '%/');

-- The outcome the status mapping reads (DIALSTATUS, else the disposition; upper case, '_' for ' '),
-- computed by the server so no write path can forget it.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS outcome VARCHAR(32)
  AS (UPPER(REPLACE(TRIM(COALESCE(NULLIF(TRIM(dial_status), ''), disposition)), ' ', '_'))) VIRTUAL;

-- The caller's and the called number's digits, which number_suffixes points to.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS caller_digits VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin
  AS (REGEXP_REPLACE(caller_number, '[^0-9]', '')) VIRTUAL;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS called_digits VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin
  AS (REGEXP_REPLACE(extension, '[^0-9]', '')) VIRTUAL;

CREATE INDEX IF NOT EXISTS ix_calls_agent_outcome_start ON calls (agent, outcome, start_time);
CREATE INDEX IF NOT EXISTS ix_calls_outcome_start ON calls (outcome, start_time);
CREATE INDEX IF NOT EXISTS ix_calls_caller_digits_start ON calls (caller_digits, start_time);
CREATE INDEX IF NOT EXISTS ix_calls_called_digits_start ON calls (called_digits, start_time);
-- newest first (start, then id: the page order) with both numbers' digits beside it: a number part
-- that many numbers contain is checked in the index, without reading (or recomputing) any row
CREATE INDEX IF NOT EXISTS ix_calls_start_digits ON calls (start_time, id, caller_digits, called_digits);

-- "Any part of the number": every suffix of 3 or more digits of every distinct number (not of every
-- call: a repeat caller adds rows once). A search for 555 reads the suffixes starting with 555,
-- which name the numbers that contain it; the calls come from the digits indexes above.
CREATE TABLE IF NOT EXISTS number_suffixes (
  suffix  VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  digits  VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (suffix, digits)
) ENGINE=InnoDB;

INSERT IGNORE INTO number_suffixes (suffix, digits)
SELECT SUBSTRING(n.digits, k.i), n.digits
FROM (SELECT caller_digits AS digits FROM calls WHERE CHAR_LENGTH(caller_digits) >= 3
      UNION SELECT called_digits FROM calls WHERE CHAR_LENGTH(called_digits) >= 3) n
JOIN (SELECT t.d * 10 + u.d + 1 AS i
      FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) t,
           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) u) k
  ON k.i <= CHAR_LENGTH(n.digits) - 2;
