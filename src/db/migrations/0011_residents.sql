-- Residents (module residents): the resident's profile around the five questions, the shared list
-- of skills and interests, consent per purpose, the connectors' intake, authorisations to act
-- for a resident (machtigingen) and the log of what was done on a resident's behalf, the
-- connectors' caseload with contact notes, and health notes in a table of their own.
-- Times are UTC epoch seconds in BIGINT; flags are integers 0/1; references are BIGINT.

-- The shared, editable list of skills and interests of the installation.
CREATE TABLE skills (
    id         @ID@,
    slug       TEXT NOT NULL UNIQUE,
    label_nl   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    sort       INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
INSERT INTO skills (slug, label_nl, label_en, sort, created_at) VALUES
    ('odd-jobs', 'Klussen in huis', 'Odd jobs', 10, 0),
    ('gardening', 'Tuinieren', 'Gardening', 20, 0),
    ('transport', 'Vervoer', 'Transport', 30, 0),
    ('groceries', 'Boodschappen', 'Groceries', 40, 0),
    ('company', 'Gezelschap', 'Company', 50, 0),
    ('digital-help', 'Digitale hulp', 'Digital help', 60, 0),
    ('paperwork', 'Papierwerk en post', 'Paperwork', 70, 0),
    ('cooking', 'Koken', 'Cooking', 80, 0),
    ('language', 'Taal', 'Language', 90, 0),
    ('exercise', 'Bewegen', 'Exercise', 100, 0),
    ('respite', 'Mantelzorg ontlasten', 'Respite for carers', 110, 0);

-- One profile per person: the five questions, availability, phone and address. The address
-- (postcode and house number) is shown only to the connectors and coordinators of the person's
-- neighbourhood. VISIBLE is a bit mask of the fields neighbours may see (residents_rules.c).
-- Health never goes here: it has its own table (health_notes).
CREATE TABLE profiles (
    person_id    BIGINT PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,
    about        TEXT NOT NULL DEFAULT '',   -- wie ben jij?
    wants        TEXT NOT NULL DEFAULT '',   -- wat wil je?
    abilities    TEXT NOT NULL DEFAULT '',   -- wat kun je?
    needs        TEXT NOT NULL DEFAULT '',   -- wat heb je nodig?
    offers       TEXT NOT NULL DEFAULT '',   -- wat heb je te bieden?
    availability TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    postcode     TEXT NOT NULL DEFAULT '',   -- '1234AB'
    house_number TEXT NOT NULL DEFAULT '',   -- '12', '12a', '12-3'
    visible      INTEGER NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    updated_by   BIGINT REFERENCES persons(id) ON DELETE SET NULL
);

CREATE TABLE profile_skills (
    person_id BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    skill_id  BIGINT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    offers    INTEGER NOT NULL DEFAULT 0,   -- can help others with it
    wants     INTEGER NOT NULL DEFAULT 0,   -- would like help or to take part
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX profile_skills_skill ON profile_skills (skill_id, offers);

-- Consent per purpose, with when, how and by whom it was recorded. A row is one consent given;
-- withdrawing sets withdrawn_at (the history stays as proof). At most one open row per purpose.
CREATE TABLE consents (
    id           @ID@,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('profile', 'matching', 'contact', 'health')),
    given_at     BIGINT NOT NULL,
    how          TEXT NOT NULL CHECK (how IN ('online', 'spoken', 'paper', 'import')),
    recorded_by  BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    withdrawn_at BIGINT,
    withdrawn_by BIGINT REFERENCES persons(id) ON DELETE SET NULL
);
CREATE INDEX consents_person ON consents (person_id, purpose);

-- Machtigingen: a resident lets a connector act for them until ends_at.
CREATE TABLE authorisations (
    id           @ID@,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    connector_id BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    granted_at   BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    how          TEXT NOT NULL CHECK (how IN ('online', 'spoken', 'paper')),
    recorded_by  BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    revoked_at   BIGINT,
    revoked_by   BIGINT REFERENCES persons(id) ON DELETE SET NULL
);
CREATE INDEX authorisations_person ON authorisations (person_id);
CREATE INDEX authorisations_connector ON authorisations (connector_id);

-- What a connector did in a resident's name; the resident sees it on their profile page.
CREATE TABLE acted_for (
    id           @ID@,
    at           BIGINT NOT NULL,
    connector_id BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    action       TEXT NOT NULL,               -- 'profile_viewed', 'profile_saved', ...
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX acted_for_person ON acted_for (person_id, at);

-- The intake conversations (for the intake summary and the monthly figures).
CREATE TABLE intakes (
    id               @ID@,
    person_id        BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    recorded_by      BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    place            TEXT NOT NULL CHECK (place IN ('door', 'phone', 'infopoint', 'elsewhere',
                                                    'import')),
    at               BIGINT NOT NULL
);
CREATE INDEX intakes_hood ON intakes (neighbourhood_id, at);
CREATE INDEX intakes_person ON intakes (person_id);

-- The caseload: which connector follows which resident in a neighbourhood, and when to contact
-- them next. connector_id NULL: the connector left; a coordinator hands the resident over.
CREATE TABLE caseload (
    person_id        BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    connector_id     BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    since            BIGINT NOT NULL,
    next_contact_at  BIGINT,
    PRIMARY KEY (person_id, neighbourhood_id)
);
CREATE INDEX caseload_connector ON caseload (connector_id, next_contact_at);

-- Short contact notes: read only by the assigned connector and the coordinators of the
-- neighbourhood, never by partners.
CREATE TABLE contact_notes (
    id               @ID@,
    person_id        BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    author_id        BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    at               BIGINT NOT NULL,
    text             TEXT NOT NULL
);
CREATE INDEX contact_notes_person ON contact_notes (person_id, neighbourhood_id, at);

-- Special-category data (health), kept apart and only with the consent 'health'; the same few
-- readers as contact notes. Withdrawing the consent deletes these rows.
CREATE TABLE health_notes (
    id               @ID@,
    person_id        BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
    author_id        BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    at               BIGINT NOT NULL,
    text             TEXT NOT NULL
);
CREATE INDEX health_notes_person ON health_notes (person_id, neighbourhood_id, at);
