-- An explicit .up.sql with its .down.sql.
ALTER TABLE app.accounts ADD COLUMN locale text NOT NULL DEFAULT 'en-GB';
