DROP FUNCTION schedule_show(uuid, uuid, uuid, timestamptz, text, text, jsonb);
DROP TABLE audit_log;
ALTER TABLE screens DROP COLUMN cleaning_minutes;
