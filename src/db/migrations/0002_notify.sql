-- Messages (module notify): the in-app inbox, the outbox of deliveries over other channels
-- (e-mail, a call from a connector, a letter on paper) and the print batches of letters.
-- Every message to a person is one row in `messages` (the inbox); the person's channel adds one
-- row in `deliveries`. A mail to a bare address (the e-mail verification link, the
-- administrator's test e-mail) is a message row without person, which no inbox shows.
-- Times are UTC epoch seconds in BIGINT (an INTEGER is 32 bits on PostgreSQL and would end in
-- 2038; on SQLite both are the same integer); there are no booleans.

CREATE TABLE messages (
    id               @ID@,
    person_id        INTEGER REFERENCES persons(id) ON DELETE CASCADE,        -- NULL: to an address only
    neighbourhood_id INTEGER REFERENCES neighbourhoods(id) ON DELETE SET NULL, -- NULL: none
    kind             TEXT NOT NULL,            -- what caused it, e.g. 'event_cancelled'
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,            -- plain text
    link             TEXT NOT NULL DEFAULT '', -- relative URL ('/events/12') or ''
    message_id       TEXT NOT NULL UNIQUE,     -- RFC 5322 Message-ID, with its angle brackets
    created_at       BIGINT NOT NULL,
    read_at          BIGINT                   -- NULL: unread
);
CREATE INDEX messages_person ON messages (person_id, id);
CREATE INDEX messages_unread ON messages (person_id, read_at);

CREATE TABLE letter_batches (
    id               @ID@,
    neighbourhood_id INTEGER REFERENCES neighbourhoods(id) ON DELETE SET NULL, -- NULL: every neighbourhood
    printed_by       INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    printed_at       BIGINT NOT NULL,
    letters          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE deliveries (
    id              @ID@,
    message_row     INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'call', 'letter')),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'done')),
    to_address      TEXT NOT NULL DEFAULT '', -- email: the address, fixed when queued
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,                     -- the worker sending it now; NULL: free
    claimed_at      BIGINT,
    sent_at         BIGINT,
    last_error      TEXT NOT NULL DEFAULT '',
    hard_failures   INTEGER NOT NULL DEFAULT 0, -- attempts the server refused with a 5xx reply
    last_code       INTEGER NOT NULL DEFAULT 0, -- the SMTP reply code of the last attempt (0: none)
    handled_by      INTEGER REFERENCES persons(id) ON DELETE SET NULL, -- call: the connector
    handled_at      BIGINT,
    printed_batch   INTEGER REFERENCES letter_batches(id) ON DELETE SET NULL, -- letter
    created_at      BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (channel, status, next_attempt_at);
CREATE INDEX deliveries_message ON deliveries (message_row);
CREATE INDEX deliveries_batch ON deliveries (printed_batch);
