-- The whole schema of leadladder: people, lists, imports, qualification, leads, history.
-- The PostgreSQL twin of ../0001_initial.sql: the same tables and columns (a test compares them);
-- BYTEA for files, JSONB for a row's extra columns. Keys and indexes come in 0012.

CREATE SEQUENCE user_ids START 1;
CREATE TABLE users (
    id INTEGER PRIMARY KEY DEFAULT nextval('user_ids'),
    name VARCHAR NOT NULL,
    email VARCHAR NOT NULL UNIQUE,
    role VARCHAR NOT NULL CHECK (role IN ('rep', 'manager', 'ops', 'admin')),
    calendar_token VARCHAR,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);

-- Qualification criteria are data: a manager can relabel, reorder, deactivate or add them.
CREATE TABLE criteria (
    key VARCHAR PRIMARY KEY,
    stage VARCHAR NOT NULL CHECK (stage IN ('prospect', 'lead')),
    short_label VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL,
    label_de VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
);

INSERT INTO criteria (key, stage, short_label, label_en, label_de, description, position) VALUES
    ('reached', 'prospect', 'reached', 'Reached by marketing or cold outreach',
     'Ansprache durch Marketing oder Kaltakquise',
     'Campaign, e-mail campaign, trade fair or cold call reached them.', 1),
    ('asked_info', 'prospect', 'info', 'Asked for information or accepted an invitation',
     'Interesse an Informationen',
     'Info request, or accepted an event, webinar or meeting invitation.', 2),
    ('website', 'prospect', 'website', 'Interacted with the website',
     'Erste Website-Interaktion',
     'Visited the website, downloaded content or subscribed to the newsletter.', 3),
    ('social', 'prospect', 'social', 'Social interaction', 'Soziale Interaktion',
     'Reacted to posts, follows the company on LinkedIn, X or Facebook.', 4),
    ('brand', 'prospect', 'brand', 'Brand awareness', 'Markenbewusstsein',
     'Knows the company or has seen a product, no concrete interest yet.', 5),
    ('interest', 'lead', 'interest', 'Expressed concrete interest',
     'Konkret geäußertes Interesse',
     'Asked targeted questions about the offer.', 6),
    ('needs', 'lead', 'needs', 'Needs analysis done', 'Bedarfsanalyse durchgeführt',
     'Needs or challenges identified that the offer solves.', 7),
    ('budget', 'lead', 'budget', 'Budget and decision authority',
     'Budget und Entscheidungskompetenz',
     'Has budget and can decide, or reaches who decides.', 8),
    ('details', 'lead', 'demo', 'Asked for details', 'Anfrage nach mehr Details',
     'Asked for prices, a demo or a trial.', 9),
    ('follow_up', 'lead', 'follow-up', 'Agreed to a follow-up', 'Einwilligung zu Folgeterminen',
     'Accepted a further meeting or a specific follow-up.', 10);

CREATE SEQUENCE list_ids START 1;
CREATE TABLE lists (
    id INTEGER PRIMARY KEY DEFAULT nextval('list_ids'),
    name VARCHAR NOT NULL UNIQUE,
    source VARCHAR,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER
);

-- A real person exists once; lists hold memberships (list_rows).
-- *_key columns are normalised for matching; the plain columns keep what the file said.
CREATE SEQUENCE person_ids START 1;
CREATE TABLE people (
    id BIGINT PRIMARY KEY DEFAULT nextval('person_ids'),
    company VARCHAR,
    salutation VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    email VARCHAR,
    phone VARCHAR,
    mobile VARCHAR,
    job_title VARCHAR,
    website VARCHAR,
    street VARCHAR,
    postal_code VARCHAR,
    city VARCHAR,
    country VARCHAR,
    source VARCHAR,
    notes VARCHAR,
    email_key VARCHAR,
    phone_key VARCHAR,
    mobile_key VARCHAR,
    name_key VARCHAR,
    company_key VARCHAR,
    email_valid BOOLEAN,
    phone_valid BOOLEAN,
    mobile_valid BOOLEAN,
    possible_duplicate_of BIGINT,
    status VARCHAR NOT NULL DEFAULT 'suspect'
        CHECK (status IN ('suspect', 'prospect', 'lead', 'dead')),
    owner_id INTEGER,
    dead_reason VARCHAR,
    dead_note VARCHAR,
    died_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    import_id BIGINT,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'dead') = (dead_reason IS NOT NULL))
);

CREATE SEQUENCE import_ids START 1;
CREATE TABLE imports (
    id BIGINT PRIMARY KEY DEFAULT nextval('import_ids'),
    list_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_bytes BYTEA NOT NULL,
    read_options VARCHAR NOT NULL,
    mapping VARCHAR NOT NULL,
    imported_by INTEGER,
    imported_at TIMESTAMP NOT NULL,
    rows_in_file INTEGER NOT NULL,
    blank INTEGER NOT NULL,
    added INTEGER NOT NULL,
    already_known INTEGER NOT NULL,
    duplicates_in_file INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    already_lead INTEGER NOT NULL,
    already_dead INTEGER NOT NULL,
    possible_duplicates INTEGER NOT NULL,
    undone_at TIMESTAMP,
    undone_by INTEGER
);

-- One outcome per data row of the file: the import report is the file plus these.
CREATE TABLE import_rows (
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    person_id BIGINT,
    outcome VARCHAR NOT NULL
        CHECK (outcome IN ('added', 'known', 'duplicate_in_file', 'rejected', 'blank')),
    issue VARCHAR,
    PRIMARY KEY (import_id, row_number)
);

CREATE TABLE list_rows (
    list_id INTEGER NOT NULL,
    person_id BIGINT NOT NULL,
    import_id BIGINT,
    row_number INTEGER,
    extras JSONB,
    added_at TIMESTAMP NOT NULL,
    added_by INTEGER,
    PRIMARY KEY (list_id, person_id)
);

-- A confirmed column mapping, found again by the file's normalised header.
CREATE TABLE saved_mappings (
    header_key VARCHAR PRIMARY KEY,
    mapping VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    saved_by INTEGER
);

-- A row exists while the criterion is ticked for that person.
CREATE TABLE ticks (
    person_id BIGINT NOT NULL,
    criterion_key VARCHAR NOT NULL,
    ticked_by INTEGER,
    ticked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, criterion_key)
);

CREATE TABLE pipeline_steps (
    key VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
);

INSERT INTO pipeline_steps (key, label, position) VALUES
    ('new', 'New', 1),
    ('contacted', 'Contacted', 2),
    ('meeting', 'Meeting scheduled', 3),
    ('proposal', 'Proposal sent', 4),
    ('negotiation', 'Negotiation', 5);

-- An open lead (to do, standby) always has a next step; a closed one never does.
CREATE SEQUENCE lead_ids START 1;
CREATE TABLE leads (
    id BIGINT PRIMARY KEY DEFAULT nextval('lead_ids'),
    person_id BIGINT NOT NULL,
    title VARCHAR NOT NULL,
    owner_id INTEGER NOT NULL,
    step_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('todo', 'standby', 'won', 'lost', 'cancelled')),
    standby_until DATE,
    amount DECIMAL(14, 2),
    currency VARCHAR NOT NULL DEFAULT 'EUR',
    probability INTEGER CHECK (probability BETWEEN 0 AND 100),
    expected_close DATE,
    tags VARCHAR,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    closed_at TIMESTAMP,
    close_reason VARCHAR,
    close_note VARCHAR,
    next_type VARCHAR CHECK (next_type IN ('call', 'email', 'meeting', 'task')),
    next_due_date DATE,
    next_due_time TIME,
    next_duration_min INTEGER,
    next_note VARCHAR,
    CHECK (
        (status IN ('todo', 'standby') AND next_type IS NOT NULL AND next_due_date IS NOT NULL
            AND closed_at IS NULL)
        OR (status IN ('won', 'lost', 'cancelled') AND next_type IS NULL
            AND next_due_date IS NULL AND closed_at IS NOT NULL)
    ),
    CHECK (status <> 'standby' OR standby_until IS NOT NULL),
    CHECK (status NOT IN ('lost', 'cancelled') OR close_reason IS NOT NULL)
);

CREATE SEQUENCE activity_ids START 1;
CREATE TABLE activities (
    id BIGINT PRIMARY KEY DEFAULT nextval('activity_ids'),
    lead_id BIGINT,
    person_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note')),
    outcome VARCHAR CHECK (outcome IN ('reached', 'no_answer', 'voicemail', 'wrong_number')),
    body VARCHAR,
    happened_at TIMESTAMP NOT NULL,
    user_id INTEGER
);

-- Every change, in the same transaction as the change: who, when, what, old and new value.
CREATE SEQUENCE history_ids START 1;
CREATE TABLE history (
    id BIGINT PRIMARY KEY DEFAULT nextval('history_ids'),
    happened_at TIMESTAMP NOT NULL,
    user_id INTEGER,
    person_id BIGINT,
    lead_id BIGINT,
    import_id BIGINT,
    kind VARCHAR NOT NULL,
    field VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    note VARCHAR
);
