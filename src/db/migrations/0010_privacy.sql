-- Privacy (module privacy): the access log of personal files (who opened whose file, when, which
-- file), and pseudonym columns in the two legally retained logs. When a person is erased, their id
-- in these logs becomes NULL and the pseudonym column beside it gets "erased-<12 hex>", the same
-- for all their rows (see src/privacy/privacy.h). Times are UTC epoch seconds in BIGINT.

CREATE TABLE access_log (
    id               @ID@,
    at               BIGINT NOT NULL,
    viewer_id        BIGINT REFERENCES persons(id) ON DELETE SET NULL,  -- who opened the file
    person_id        BIGINT REFERENCES persons(id) ON DELETE SET NULL,  -- whose file it is
    what             TEXT NOT NULL,                  -- the kind of file, a msgid: 'resident profile'
    viewer_pseudonym TEXT NOT NULL DEFAULT '',
    person_pseudonym TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_person ON access_log (person_id, at);
CREATE INDEX access_log_viewer ON access_log (viewer_id);
CREATE INDEX access_log_at ON access_log (at);

ALTER TABLE audit_log ADD COLUMN actor_pseudonym TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN subject_pseudonym TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The daily clean-up deletes by these times.
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX codes_expires ON codes (expires_at);
CREATE INDEX login_attempts_at ON login_attempts (at);
