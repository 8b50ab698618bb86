-- People and access: teams, passwords, login sessions, one-time links, throttling, audit log.

CREATE SEQUENCE team_ids START 1;
CREATE TABLE teams (
    id INTEGER PRIMARY KEY DEFAULT nextval('team_ids'),
    name VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- A user belongs to at most one team; a team's managers are its members with role 'manager'.
ALTER TABLE users ADD COLUMN team_id INTEGER;
-- 'de', 'en', or NULL: follow the browser (the German interface reads it).
ALTER TABLE users ADD COLUMN language VARCHAR;
-- argon2id hash; NULL until the user has set a password (invited, or single sign-on only).
ALTER TABLE users ADD COLUMN password_hash VARCHAR;

-- A list is shared with one team, or with everyone when team_id is NULL.
ALTER TABLE lists ADD COLUMN team_id INTEGER;

-- A logged-in browser: the cookie carries the token, the table keeps only its hash.
CREATE TABLE login_sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    client VARCHAR
);

-- Invitations and password resets: one-time, limited in time, stored hashed.
CREATE TABLE user_links (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    purpose VARCHAR NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- Failed logins, for throttling per account and per client (kept without the password).
CREATE TABLE login_failures (
    happened_at TIMESTAMP NOT NULL,
    email_key VARCHAR NOT NULL,
    client VARCHAR
);

-- What admins must be able to look back on; the app only ever inserts here.
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    happened_at TIMESTAMP NOT NULL,
    user_id INTEGER,
    action VARCHAR NOT NULL,
    target VARCHAR,
    detail VARCHAR,
    row_count INTEGER
);
