-- How each user wants to hear about their bookings (account mail, such as reset links, always
-- goes by email), and the devices their push notifications go to.
ALTER TABLE users
    ADD COLUMN notify_email boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_sms boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_push boolean NOT NULL DEFAULT true;

-- A device token belongs to the last user who registered it (a phone changes hands, an app
-- signs in as someone else).
CREATE TABLE push_devices (
    token      text PRIMARY KEY CHECK (length(token) BETWEEN 1 AND 4096),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform   text NOT NULL CHECK (platform IN ('android', 'ios', 'web')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_devices_user ON push_devices (user_id);
