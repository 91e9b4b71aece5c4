DROP TABLE push_devices;
ALTER TABLE users DROP COLUMN notify_email, DROP COLUMN notify_sms, DROP COLUMN notify_push;
