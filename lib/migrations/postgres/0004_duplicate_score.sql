-- How similar a flagged person is to the one possible_duplicate_of points at (0–100, the
-- Levenshtein similarity of the names at the same company); NULL when not flagged.
ALTER TABLE people ADD COLUMN possible_duplicate_score SMALLINT;
