-- Who found which review helpful: one vote per user and review, counted on the review.
CREATE TABLE review_votes (
    review_id   uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, user_id)
);
CREATE INDEX review_votes_user ON review_votes (user_id);
