-- Named rows a transaction updates before it checks and writes something that must happen
-- once (the first admin): two transactions taking the same guard conflict, and the later one
-- is retried after the first one committed, so it sees what the first one wrote.
CREATE TABLE write_guards (
    name VARCHAR PRIMARY KEY,
    taken_at TIMESTAMP
);
INSERT INTO write_guards (name) VALUES ('first_admin');
