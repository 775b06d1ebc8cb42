-- Set when the call's recording was written by two MixMonitors on one file (a destination that
-- records to the caller's own file name): Asterisk truncated it when the second one opened it, so
-- it holds a later part twice and the first part of the call not at all. Delivered all the same.
ALTER TABLE calls ADD COLUMN recording_overwritten BOOLEAN NOT NULL DEFAULT FALSE;
