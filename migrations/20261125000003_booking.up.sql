-- Holds, bookings, money and the events they emit.
CREATE TABLE bookings (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code                   text NOT NULL UNIQUE,
    user_id                uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    show_id                uuid NOT NULL REFERENCES shows (id) ON DELETE RESTRICT,
    status                 text NOT NULL
                           CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
    hold_expires_at        timestamptz NOT NULL,
    seat_count             integer NOT NULL CHECK (seat_count BETWEEN 1 AND 10),
    subtotal_minor         bigint NOT NULL CHECK (subtotal_minor >= 0),
    convenience_fee_minor  bigint NOT NULL CHECK (convenience_fee_minor >= 0),
    tax_minor              bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor            bigint NOT NULL,
    currency               char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    confirmed_at           timestamptz,
    cancelled_at           timestamptz,
    refund_due_minor       bigint NOT NULL DEFAULT 0 CHECK (refund_due_minor >= 0),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_total_adds_up
        CHECK (total_minor = subtotal_minor + convenience_fee_minor + tax_minor),
    CONSTRAINT bookings_confirmed_at CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL),
    CONSTRAINT bookings_cancelled_at CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);
CREATE INDEX bookings_user_recent ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_show ON bookings (show_id);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE status = 'held';
CREATE INDEX bookings_confirmed_recent ON bookings (confirmed_at) WHERE status = 'confirmed';
-- A user has at most one live hold per show.
CREATE UNIQUE INDEX bookings_one_hold_per_user_show ON bookings (user_id, show_id) WHERE status = 'held';

-- One row per seat per show: the single place a seat's state lives.
CREATE TABLE show_seats (
    show_id     uuid NOT NULL,
    seat_id     uuid NOT NULL,
    screen_id   uuid NOT NULL,
    status      text NOT NULL DEFAULT 'available'
                CHECK (status IN ('available', 'held', 'booked')),
    booking_id  uuid REFERENCES bookings (id) ON DELETE RESTRICT,
    held_until  timestamptz,
    version     bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (show_id, seat_id),
    -- The seat belongs to the screen the show plays on.
    FOREIGN KEY (show_id, screen_id) REFERENCES shows (id, screen_id) ON DELETE CASCADE,
    FOREIGN KEY (seat_id, screen_id) REFERENCES seats (id, screen_id) ON DELETE RESTRICT,
    CONSTRAINT show_seats_state CHECK (
        (status = 'available' AND booking_id IS NULL AND held_until IS NULL)
        OR (status = 'held' AND booking_id IS NOT NULL AND held_until IS NOT NULL)
        OR (status = 'booked' AND booking_id IS NOT NULL AND held_until IS NULL)
    )
);
CREATE INDEX show_seats_booking ON show_seats (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX show_seats_hold_expiry ON show_seats (held_until) WHERE status = 'held';
CREATE INDEX show_seats_seat ON show_seats (seat_id);

-- What a booking bought, at the price it was sold for.
CREATE TABLE booking_seats (
    booking_id   uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    show_id      uuid NOT NULL,
    seat_id      uuid NOT NULL,
    price_minor  bigint NOT NULL CHECK (price_minor > 0),
    PRIMARY KEY (booking_id, seat_id),
    FOREIGN KEY (show_id, seat_id) REFERENCES show_seats (show_id, seat_id) ON DELETE RESTRICT
);
CREATE INDEX booking_seats_show_seat ON booking_seats (show_id, seat_id);

CREATE TABLE payments (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,
    gateway         text NOT NULL CHECK (gateway IN ('stripe', 'razorpay', 'sandbox', 'none')),
    gateway_ref     text,
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          text NOT NULL
                    CHECK (status IN ('created', 'pending', 'succeeded', 'failed', 'cancelled')),
    failure_reason  text,
    succeeded_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gateway, gateway_ref),
    CONSTRAINT payments_succeeded_at CHECK (status <> 'succeeded' OR succeeded_at IS NOT NULL)
);
CREATE INDEX payments_booking ON payments (booking_id);

-- A payment is refunded at most once.
CREATE TABLE refunds (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    payment_id    uuid NOT NULL UNIQUE REFERENCES payments (id) ON DELETE RESTRICT,
    booking_id    uuid NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason        text NOT NULL
                  CHECK (reason IN ('cancelled_by_user', 'hold_expired', 'seats_taken', 'show_cancelled', 'other')),
    status        text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    gateway_ref   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_booking ON refunds (booking_id);
CREATE INDEX refunds_pending ON refunds (created_at) WHERE status = 'pending';

-- Saved answers to mutating requests, replayed when a client retries with the same key.
CREATE TABLE idempotency_keys (
    scope          text NOT NULL,
    key            text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash   bytea NOT NULL,
    status_code    smallint,
    response_body  jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Transactional outbox: written with the state change, delivered after commit.
CREATE TABLE outbox_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aggregate_type   text NOT NULL,
    aggregate_id     uuid NOT NULL,
    event_type       text NOT NULL,
    payload          jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    published_at     timestamptz
);
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE published_at IS NULL;
