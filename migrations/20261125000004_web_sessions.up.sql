-- Browser sessions (tower-sessions' PostgreSQL store) when Redis is not configured.
CREATE TABLE web_sessions (
    id           text PRIMARY KEY,
    data         bytea NOT NULL,
    expiry_date  timestamptz NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expiry_date);
