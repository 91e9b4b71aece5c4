-- The language a user reads the site in, once they chose one (none: the browser's).
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'hi'));
