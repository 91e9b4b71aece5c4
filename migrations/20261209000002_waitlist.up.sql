-- Waiting lists of sold-out shows: people in the order they joined (the id), each waiting for
-- a number of seats, of a category or any. When seats free up, the next in line get them held
-- (`offered`, with the hold's booking); what became of the offer is its booking's status.
CREATE TABLE waitlist_entries (
    id          bigserial PRIMARY KEY,
    show_id     uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seats       integer NOT NULL CHECK (seats BETWEEN 1 AND 10),
    category    text CHECK (length(category) BETWEEN 1 AND 40),
    status      text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'left')),
    booking_id  uuid REFERENCES bookings (id) ON DELETE RESTRICT,
    offered_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- An offer has its hold; a place left keeps the hold it had, if any.
    CONSTRAINT waitlist_offer_has_its_hold CHECK (status <> 'offered' OR booking_id IS NOT NULL),
    CONSTRAINT waitlist_waiting_holds_nothing CHECK (status <> 'waiting' OR booking_id IS NULL)
);
-- One place in a show's line per user; the line itself, in order.
CREATE UNIQUE INDEX waitlist_one_place ON waitlist_entries (show_id, user_id) WHERE status = 'waiting';
CREATE INDEX waitlist_line ON waitlist_entries (show_id, id) WHERE status = 'waiting';
CREATE INDEX waitlist_user ON waitlist_entries (user_id, created_at DESC);
