-- Foundation: the installation's settings, neighbourhoods, people, their roles per neighbourhood,
-- sessions, login attempts, one-time codes, API tokens and the audit log.
-- Times are UTC epoch seconds in BIGINT (64 bits on PostgreSQL too); flags are integers 0/1.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE neighbourhoods (
    id          @ID@,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    postcodes   TEXT NOT NULL DEFAULT '',   -- four-digit postcode areas, comma-separated
    created_at  BIGINT NOT NULL
);

CREATE TABLE persons (
    id                @ID@,
    email             TEXT UNIQUE,          -- lower case; NULL for residents without e-mail
    username          TEXT UNIQUE,          -- lower case; for residents without e-mail
    display_name      TEXT NOT NULL,
    password_hash     TEXT,                 -- argon2id; NULL until a password is set
    lang              TEXT NOT NULL DEFAULT 'nl',
    channel           TEXT NOT NULL DEFAULT 'inapp', -- email, inapp, call, letter
    phone             TEXT NOT NULL DEFAULT '',
    postal_address    TEXT NOT NULL DEFAULT '', -- only for letters on paper
    is_admin          INTEGER NOT NULL DEFAULT 0,
    email_verified_at BIGINT,
    created_at        BIGINT NOT NULL,
    created_by        BIGINT REFERENCES persons(id) ON DELETE SET NULL
);

CREATE TABLE memberships (
    person_id        BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('resident', 'connector', 'coordinator', 'partner')),
    confirmed_at     BIGINT,               -- residency confirmed by a connector or coordinator
    confirmed_by     BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (person_id, neighbourhood_id)
);
CREATE INDEX memberships_hood ON memberships (neighbourhood_id, role);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,          -- SHA-256 of the cookie's token, never the token
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE login_attempts (
    id  @ID@,
    key TEXT NOT NULL,                      -- 'login:<name>' or 'addr:<ip>'
    at  BIGINT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, at);

CREATE TABLE codes (
    code_hash  TEXT PRIMARY KEY,            -- SHA-256 of the code
    person_id  BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('login', 'reset', 'verify')),
    created_by BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX codes_person ON codes (person_id);

CREATE TABLE api_tokens (
    id           @ID@,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE audit_log (
    id               @ID@,
    at               BIGINT NOT NULL,
    actor_id         BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    action           TEXT NOT NULL,
    subject_id       BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    neighbourhood_id BIGINT REFERENCES neighbourhoods(id) ON DELETE SET NULL,
    detail           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);
