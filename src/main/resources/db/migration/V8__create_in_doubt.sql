-- When a job's last createObjectref was sent but not answered (receive timeout, reset, 5xx from a
-- proxy): the incident system may still carry it out. Until create_in_doubt_at + incident.create-settle
-- no worker looks the call up or creates it again, and after delivery the job goes through the
-- RECONCILE stage, which removes an object the late request made. Stored, so a restarted service
-- or another worker honours it.
ALTER TABLE jobs ADD COLUMN create_in_doubt_at DATETIME(3) NULL;
