-- People, credentials, who runs which theater, and what they think of movies.
CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text NOT NULL,
    name                text NOT NULL CHECK (btrim(name) <> ''),
    phone               text,
    password_hash       text NOT NULL,
    role                text NOT NULL DEFAULT 'customer'
                        CHECK (role IN ('customer', 'theater_admin', 'admin')),
    email_verified_at   timestamptz,
    phone_verified_at   timestamptz,
    preferred_city_id   uuid REFERENCES cities (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_normalized CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%')
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Single-use tokens sent by email; only their hash is stored.
CREATE TABLE user_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash  bytea NOT NULL UNIQUE,
    email       text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

CREATE TABLE phone_verifications (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phone       text NOT NULL,
    code_hash   bytea NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Opaque refresh tokens, rotated on use; a family shares one login's lineage.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE theater_admins (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    theater_id  uuid NOT NULL REFERENCES theaters (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, theater_id)
);
CREATE INDEX theater_admins_theater ON theater_admins (theater_id);

CREATE TABLE reviews (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    movie_id       uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    rating         smallint NOT NULL CONSTRAINT reviews_rating_range CHECK (rating BETWEEN 1 AND 10),
    body           text NOT NULL DEFAULT '' CHECK (char_length(body) <= 2000),
    verified       boolean NOT NULL DEFAULT false,
    helpful_count  integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reviews_one_per_user_movie UNIQUE (user_id, movie_id)
);
CREATE INDEX reviews_movie_recent ON reviews (movie_id, created_at DESC);
CREATE INDEX reviews_movie_helpful ON reviews (movie_id, helpful_count DESC);
