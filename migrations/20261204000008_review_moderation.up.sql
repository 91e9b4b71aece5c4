-- Platform admins hide a review with a reason: it leaves the movie's pages and its rating, and
-- its author still sees it, with the reason.
ALTER TABLE reviews
    ADD COLUMN hidden_at timestamptz,
    ADD COLUMN hidden_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN hidden_reason text,
    ADD CONSTRAINT reviews_hidden_with_reason CHECK (
        (hidden_at IS NULL AND hidden_reason IS NULL)
        OR (hidden_at IS NOT NULL AND char_length(btrim(hidden_reason)) BETWEEN 1 AND 500));
