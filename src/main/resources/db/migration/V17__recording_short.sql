-- Set when the call's recording is much shorter than its answered time (a destination that
-- recorded to another file, a MixMonitor that stopped): the file reached the incident system,
-- but it is not the whole conversation.
ALTER TABLE calls ADD COLUMN recording_short BOOLEAN NOT NULL DEFAULT FALSE;
