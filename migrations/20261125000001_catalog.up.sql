-- Places, screens, seat layouts, movies and shows: what a moviegoer browses.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE cities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    state       text NOT NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    time_zone   text NOT NULL DEFAULT 'Asia/Kolkata',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE theaters (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    city_id     uuid NOT NULL REFERENCES cities (id) ON DELETE RESTRICT,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    address     text NOT NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    amenities   text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX theaters_city ON theaters (city_id);
CREATE INDEX theaters_location ON theaters (latitude, longitude);

-- A screen's seat map is a grid; aisle_columns are grid columns left empty as walkways.
CREATE TABLE screens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theater_id      uuid NOT NULL REFERENCES theaters (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    layout_rows     integer NOT NULL CHECK (layout_rows BETWEEN 1 AND 60),
    layout_columns  integer NOT NULL CHECK (layout_columns BETWEEN 1 AND 80),
    aisle_columns   integer[] NOT NULL DEFAULT '{}',
    formats         text[] NOT NULL DEFAULT '{2D}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (theater_id, name)
);

-- rank orders categories from the most premium (1) down, for legends and pricing.
CREATE TABLE seat_categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    screen_id   uuid NOT NULL REFERENCES screens (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    rank        integer NOT NULL CHECK (rank > 0),
    UNIQUE (screen_id, name),
    UNIQUE (screen_id, rank),
    UNIQUE (id, screen_id)
);

CREATE TABLE seats (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    screen_id    uuid NOT NULL REFERENCES screens (id) ON DELETE CASCADE,
    category_id  uuid NOT NULL,
    row_label    text NOT NULL CHECK (row_label ~ '^[A-Z]{1,2}$'),
    number       integer NOT NULL CHECK (number > 0),
    grid_row     integer NOT NULL CHECK (grid_row >= 0),
    grid_col     integer NOT NULL CHECK (grid_col >= 0),
    kind         text NOT NULL DEFAULT 'standard'
                 CHECK (kind IN ('standard', 'wheelchair', 'companion')),
    UNIQUE (screen_id, row_label, number),
    UNIQUE (screen_id, grid_row, grid_col),
    UNIQUE (id, screen_id),
    -- A seat's category belongs to the seat's own screen.
    FOREIGN KEY (category_id, screen_id) REFERENCES seat_categories (id, screen_id)
);
CREATE INDEX seats_category ON seats (category_id);

CREATE TABLE movies (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title            text NOT NULL CHECK (btrim(title) <> ''),
    synopsis         text NOT NULL DEFAULT '',
    runtime_minutes  integer NOT NULL CHECK (runtime_minutes BETWEEN 1 AND 600),
    languages        text[] NOT NULL CHECK (cardinality(languages) > 0),
    genres           text[] NOT NULL DEFAULT '{}',
    certificate      text NOT NULL CHECK (certificate IN ('U', 'UA', 'UA 7+', 'UA 13+', 'UA 16+', 'A', 'S')),
    release_date     date NOT NULL,
    poster_url       text,
    trailer_url      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movies_release_date ON movies (release_date);
CREATE INDEX movies_title_trgm ON movies USING gin (lower(title) gin_trgm_ops);

-- Shows on one screen never overlap while scheduled.
CREATE TABLE shows (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    movie_id    uuid NOT NULL REFERENCES movies (id) ON DELETE RESTRICT,
    screen_id   uuid NOT NULL REFERENCES screens (id) ON DELETE RESTRICT,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    language    text NOT NULL,
    format      text NOT NULL CHECK (format IN ('2D', '3D', 'IMAX 2D', 'IMAX 3D', '4DX', 'ScreenX')),
    currency    char(3) NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
    status      text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, screen_id),
    CONSTRAINT shows_time_order CHECK (ends_at > starts_at),
    CONSTRAINT shows_no_overlap EXCLUDE USING gist (
        screen_id WITH =,
        tstzrange(starts_at, ends_at) WITH &&
    ) WHERE (status = 'scheduled')
);
CREATE INDEX shows_movie_starts ON shows (movie_id, starts_at);
CREATE INDEX shows_screen_starts ON shows (screen_id, starts_at);
CREATE INDEX shows_starts ON shows (starts_at);

-- The price of each seat category for one show, in minor units of the show's currency.
CREATE TABLE show_prices (
    show_id      uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    category_id  uuid NOT NULL REFERENCES seat_categories (id) ON DELETE RESTRICT,
    price_minor  bigint NOT NULL CONSTRAINT show_prices_positive CHECK (price_minor > 0),
    PRIMARY KEY (show_id, category_id)
);
CREATE INDEX show_prices_category ON show_prices (category_id);
