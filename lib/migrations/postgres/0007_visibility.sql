-- Visibility: calendar feed tokens are kept only as a hash (the URL is shown once, when made);
-- the columns the visibility rule filters on are indexed.

ALTER TABLE users ADD COLUMN calendar_token_hash VARCHAR;
UPDATE users SET calendar_token_hash = encode(sha256(convert_to(calendar_token, 'UTF8')), 'hex') WHERE calendar_token IS NOT NULL;
UPDATE users SET calendar_token = NULL;
