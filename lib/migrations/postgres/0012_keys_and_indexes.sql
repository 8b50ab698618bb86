-- PostgreSQL only: what the engine can enforce and speed up. DuckDB keeps no foreign keys (it
-- refuses to update a referenced row) and no extra indexes (they slow its bulk import); there
-- the rules live in lib and the scans are fast enough (bench/).
--
-- The history and the audit log keep no keys: they outlive what they tell about.

ALTER TABLE users ADD FOREIGN KEY (team_id) REFERENCES teams (id);
ALTER TABLE lists ADD FOREIGN KEY (team_id) REFERENCES teams (id);
ALTER TABLE lists ADD FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE people ADD FOREIGN KEY (owner_id) REFERENCES users (id);
ALTER TABLE people ADD FOREIGN KEY (possible_duplicate_of) REFERENCES people (id)
    ON DELETE SET NULL;
ALTER TABLE imports ADD FOREIGN KEY (list_id) REFERENCES lists (id);
ALTER TABLE import_rows ADD FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE;
ALTER TABLE list_rows ADD FOREIGN KEY (list_id) REFERENCES lists (id) ON DELETE CASCADE;
ALTER TABLE list_rows ADD FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE;
ALTER TABLE ticks ADD FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE;
ALTER TABLE ticks ADD FOREIGN KEY (criterion_key) REFERENCES criteria (key);
ALTER TABLE leads ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE leads ADD FOREIGN KEY (owner_id) REFERENCES users (id);
ALTER TABLE leads ADD FOREIGN KEY (step_key) REFERENCES pipeline_steps (key);
ALTER TABLE activities ADD FOREIGN KEY (lead_id) REFERENCES leads (id);
ALTER TABLE activities ADD FOREIGN KEY (person_id) REFERENCES people (id);
ALTER TABLE do_not_contact ADD FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE;
ALTER TABLE login_sessions ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE user_links ADD FOREIGN KEY (user_id) REFERENCES users (id);

-- At most one open lead per person, whatever two app servers do at the same moment.
CREATE UNIQUE INDEX leads_one_open_per_person ON leads (person_id)
    WHERE status IN ('todo', 'standby');

-- Matching an import against everyone known.
CREATE INDEX people_email_key ON people (email_key);
CREATE INDEX people_phone_key ON people (phone_key);
CREATE INDEX people_mobile_key ON people (mobile_key);
CREATE INDEX people_name_company ON people (company_key, name_key);
-- The visibility rule, the funnel and the to-do.
CREATE INDEX people_owner ON people (owner_id);
CREATE INDEX people_status ON people (status);
CREATE INDEX list_rows_person ON list_rows (person_id);
CREATE INDEX lists_team ON lists (team_id);
CREATE INDEX imports_list ON imports (list_id);
CREATE INDEX import_rows_person ON import_rows (person_id);
CREATE INDEX ticks_criterion ON ticks (criterion_key);
CREATE INDEX leads_owner_status ON leads (owner_id, status);
CREATE INDEX leads_open_due ON leads (next_due_date) WHERE status IN ('todo', 'standby');
CREATE INDEX activities_lead ON activities (lead_id, happened_at);
CREATE INDEX activities_person ON activities (person_id);
CREATE INDEX history_person ON history (person_id, happened_at);
CREATE INDEX history_lead ON history (lead_id);
CREATE INDEX history_kind_time ON history (kind, happened_at);
CREATE INDEX login_sessions_user ON login_sessions (user_id);
CREATE INDEX login_failures_key ON login_failures (email_key, happened_at);
CREATE INDEX audit_log_time ON audit_log (happened_at);
