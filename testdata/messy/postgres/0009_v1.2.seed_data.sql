-- A description with dots (v1.2.seed_data) and seed rows full of punctuation.
INSERT INTO app.accounts (email, "display;name", note) VALUES
    ('bob@example.com',   'Bob "the builder"', $q$He said: 'don''t'; then left.$q$),
    ('carol@example.com', 'Carol; O''Brien',   '-- not a comment; /* not a comment */');

INSERT INTO app.settings (key, value)
SELECT 'accounts', count(*)::text FROM app.accounts;
