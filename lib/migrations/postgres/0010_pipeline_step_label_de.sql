-- Pipeline steps in German too: the step's name as German users read it (empty: the
-- English one is shown). The seeded steps get their German names.
ALTER TABLE pipeline_steps ADD COLUMN label_de VARCHAR;
UPDATE pipeline_steps SET label_de = CASE key
    WHEN 'new' THEN 'Neu'
    WHEN 'contacted' THEN 'Kontaktiert'
    WHEN 'meeting' THEN 'Termin vereinbart'
    WHEN 'proposal' THEN 'Angebot gesendet'
    WHEN 'negotiation' THEN 'Verhandlung'
END;
