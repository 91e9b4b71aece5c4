ALTER TABLE reviews DROP CONSTRAINT reviews_hidden_with_reason,
    DROP COLUMN hidden_reason, DROP COLUMN hidden_by, DROP COLUMN hidden_at;
