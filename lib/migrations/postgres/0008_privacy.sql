-- Privacy by design (issue 12): the installation's key for suppression hashes, what remains of
-- erased people (keyed hashes only), do-not-contact flags, and imports that count the rows
-- they kept out.

-- One random key per installation, made at the first erasure (lib/privacy.py); never shown,
-- never logged, never exported.
CREATE TABLE privacy_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- HMAC-SHA256 of a normalised e-mail or E.164 phone of someone erased (or purged after asking
-- not to be contacted): later imports keep them out. No plain value is stored.
CREATE SEQUENCE suppression_ids START 1;
CREATE TABLE suppressions (
    id BIGINT PRIMARY KEY DEFAULT nextval('suppression_ids'),
    channel VARCHAR NOT NULL CHECK (channel IN ('email', 'phone')),
    hash VARCHAR NOT NULL,
    reason VARCHAR NOT NULL CHECK (reason IN ('erased', 'purged')),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    UNIQUE (channel, hash)
);

-- Do not contact, per person and channel: since when, why, by whom (or which import).
CREATE TABLE do_not_contact (
    person_id BIGINT NOT NULL,
    channel VARCHAR NOT NULL CHECK (channel IN ('email', 'phone')),
    source VARCHAR NOT NULL CHECK (source IN ('asked', 'bounced', 'legal')),
    noted_at TIMESTAMP NOT NULL,
    noted_by INTEGER,
    import_id BIGINT,
    PRIMARY KEY (person_id, channel)
);

ALTER TABLE imports ADD COLUMN suppressed INTEGER DEFAULT 0;
UPDATE imports SET suppressed = 0;

-- Two more outcomes of a file's row: kept out by the suppression list, erased later.
ALTER TABLE import_rows DROP CONSTRAINT import_rows_outcome_check;
ALTER TABLE import_rows ADD CONSTRAINT import_rows_outcome_check
    CHECK (outcome IN ('added', 'known', 'duplicate_in_file', 'rejected', 'blank',
                       'suppressed', 'erased'));
