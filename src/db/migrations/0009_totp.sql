-- Second factor (TOTP, RFC 6238) for staff, with single-use recovery codes, and sessions that
-- wait for the second factor after a correct password.
ALTER TABLE persons ADD COLUMN totp_secret TEXT;             -- hex of 20 random bytes, once enabled
ALTER TABLE persons ADD COLUMN totp_pending TEXT;            -- a secret being set up, not yet confirmed
ALTER TABLE persons ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE persons ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0; -- a code works only once
ALTER TABLE sessions ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;      -- 1: the second factor is still due

CREATE TABLE recovery_codes (
    id         @ID@,
    person_id  BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_person ON recovery_codes (person_id);
