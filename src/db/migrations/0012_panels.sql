-- Citizens' panels by lot (module panels, web part): a panel with its quotas and questions, the
-- address list of stage 1 (deleted when stage 1 closes), the response codes of the invitation
-- letters (hashes only), the volunteers who signed up with their answers and consent, and the
-- runs of the selection (a child process `noaber panel select`, recorded so that a restart can
-- tell a draw that died). Times are UTC epoch seconds in BIGINT; flags are integers 0/1.

-- One panel of one neighbourhood. STAGE: open (stage 1: addresses, letters, sign-up), closed
-- (stage 1 closed: address list deleted, no more sign-ups), drawn (selection done), published.
-- CODE_KEY derives the response codes of the letters (HMAC per address) so that the letters can
-- be printed again while stage 1 is open; it is emptied when stage 1 closes.
CREATE TABLE panels (
    id               @ID@,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    k                INTEGER NOT NULL,
    reserves         INTEGER NOT NULL DEFAULT 0,
    stage            TEXT NOT NULL DEFAULT 'open'
                     CHECK (stage IN ('open', 'closed', 'drawn', 'published')),
    code_key         TEXT NOT NULL DEFAULT '',
    addresses_total  INTEGER NOT NULL DEFAULT 0,
    invited          INTEGER NOT NULL DEFAULT 0,
    seed             TEXT NOT NULL DEFAULT '',
    seed_at          BIGINT,
    created_at       BIGINT NOT NULL,
    created_by       BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    closed_at        BIGINT,
    drawn_at         BIGINT,
    published_at     BIGINT
);
CREATE INDEX panels_hood ON panels (neighbourhood_id, created_at);

-- Quotas: for each value of each feature the least and most people on the panel.
CREATE TABLE panel_quotas (
    panel_id BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    feature  TEXT NOT NULL,
    value    TEXT NOT NULL,
    min      INTEGER NOT NULL,
    max      INTEGER NOT NULL,
    sort     INTEGER NOT NULL,
    PRIMARY KEY (panel_id, feature, value)
);

-- The question shown for each feature on the sign-up form.
CREATE TABLE panel_questions (
    panel_id BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    feature  TEXT NOT NULL,
    question TEXT NOT NULL,
    sort     INTEGER NOT NULL,
    PRIMARY KEY (panel_id, feature)
);

-- Stage 1's address list; DRAWN marks the addresses that get a letter. Deleted (the rows) when
-- stage 1 closes.
CREATE TABLE panel_addresses (
    id           @ID@,
    panel_id     BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    street       TEXT NOT NULL,
    house_number TEXT NOT NULL,
    postcode     TEXT NOT NULL,
    town         TEXT NOT NULL,
    drawn        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX panel_addresses_panel ON panel_addresses (panel_id, drawn);

-- The response codes of the letters: SHA-256 of the code, never the code, and not linked to an
-- address. USED_AT is set by the one sign-up the code allows.
CREATE TABLE panel_codes (
    code_hash  TEXT PRIMARY KEY,
    panel_id   BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX panel_codes_panel ON panel_codes (panel_id);

-- A volunteer: a person (an account without password made at sign-up, or the resident who was
-- logged in) with their answers ("feature=value" lines) and consent for the panel's purpose.
-- NUMBER is the pseudonymous number published with the probabilities. STATUS after the draw:
-- selected, reserve (RESERVE_RANK 1, 2, ... in the order of the draw), not_selected, dropped.
-- PROFILE: the engine's number of the group of volunteers with the same answers (published with
-- the probabilities, so that anyone can redo the draw from the distribution).
CREATE TABLE panel_volunteers (
    id           @ID@,
    panel_id     BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    answers      TEXT NOT NULL,
    consent_at   BIGINT NOT NULL,
    consent_how  TEXT NOT NULL CHECK (consent_how IN ('online', 'paper')),
    consent_by   BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'volunteer'
                 CHECK (status IN ('volunteer', 'selected', 'reserve', 'not_selected', 'dropped')),
    reserve_rank INTEGER NOT NULL DEFAULT 0,
    probability  TEXT NOT NULL DEFAULT '',
    profile      INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (panel_id, number)
);
CREATE INDEX panel_volunteers_person ON panel_volunteers (person_id);

-- A run of the selection: the child process, its folder, its outcome. STATUS running, done or
-- failed; RUNNER is "host:pid" of the server process that started it, so that a server that
-- finds a running run of a process that no longer exists marks it failed.
CREATE TABLE panel_runs (
    id            @ID@,
    panel_id      BIGINT NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    runner        TEXT NOT NULL,
    child_pid     BIGINT NOT NULL DEFAULT 0,
    dir           TEXT NOT NULL DEFAULT '',
    started_at    BIGINT NOT NULL,
    started_by    BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    finished_at   BIGINT,
    message       TEXT NOT NULL DEFAULT '',
    distribution  TEXT NOT NULL DEFAULT '',
    draw          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX panel_runs_panel ON panel_runs (panel_id, started_at);
-- At most one running draw per panel, also with two servers on one database.
CREATE UNIQUE INDEX panel_runs_one_running ON panel_runs (panel_id) WHERE status = 'running';
