-- German wording of the criteria beside the English: the short label (the grid's column
-- header) and the description (its hover text). Every criterion starts with its English text;
-- the seeded ones get their German text where a manager has not reworded them yet.
ALTER TABLE criteria ADD COLUMN short_label_de VARCHAR;
ALTER TABLE criteria ADD COLUMN description_de VARCHAR;
UPDATE criteria SET short_label_de = short_label, description_de = description;
UPDATE criteria SET short_label_de = seeded.short_de FROM (VALUES
    ('reached', 'reached', 'erreicht'), ('asked_info', 'info', 'Info'),
    ('website', 'website', 'Website'), ('social', 'social', 'sozial'),
    ('brand', 'brand', 'Marke'), ('interest', 'interest', 'Interesse'),
    ('needs', 'needs', 'Bedarf'), ('budget', 'budget', 'Budget'),
    ('details', 'demo', 'Demo'), ('follow_up', 'follow-up', 'Folgetermin')
) AS seeded(key, short_en, short_de)
WHERE criteria.key = seeded.key AND criteria.short_label = seeded.short_en;
UPDATE criteria SET description_de = seeded.description_de FROM (VALUES
    ('reached', 'Campaign, e-mail campaign, trade fair or cold call reached them.',
     'Kampagne, E-Mail-Kampagne, Messe oder Kaltakquise hat die Person erreicht.'),
    ('asked_info', 'Info request, or accepted an event, webinar or meeting invitation.',
     'Hat Informationen angefragt oder eine Einladung zu Veranstaltung, Webinar oder Termin angenommen.'),
    ('website', 'Visited the website, downloaded content or subscribed to the newsletter.',
     'Hat die Website besucht, Inhalte heruntergeladen oder den Newsletter abonniert.'),
    ('social', 'Reacted to posts, follows the company on LinkedIn, X or Facebook.',
     'Reagiert auf Beiträge, folgt dem Unternehmen auf LinkedIn, X oder Facebook.'),
    ('brand', 'Knows the company or has seen a product, no concrete interest yet.',
     'Kennt das Unternehmen oder hat ein Produkt gesehen, noch ohne konkretes Interesse.'),
    ('interest', 'Asked targeted questions about the offer.',
     'Hat gezielte Fragen zum Angebot gestellt.'),
    ('needs', 'Needs or challenges identified that the offer solves.',
     'Bedarf oder Herausforderungen erkannt, die das Angebot löst.'),
    ('budget', 'Has budget and can decide, or reaches who decides.',
     'Hat Budget und Entscheidungsbefugnis oder erreicht, wer entscheidet.'),
    ('details', 'Asked for prices, a demo or a trial.',
     'Hat nach Preisen, einer Demo oder einem Test gefragt.'),
    ('follow_up', 'Accepted a further meeting or a specific follow-up.',
     'Hat einem weiteren Termin oder einer konkreten Wiedervorlage zugestimmt.')
) AS seeded(key, description_en, description_de)
WHERE criteria.key = seeded.key AND criteria.description = seeded.description_en;
