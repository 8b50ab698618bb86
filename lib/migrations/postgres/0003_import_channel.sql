-- Where an import came from ('browser', 'command line'), so one without a recorded user is not
-- attributed to the wrong place. NULL for imports made before this was recorded.
ALTER TABLE imports ADD COLUMN via VARCHAR;
