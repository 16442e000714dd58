ALTER TABLE app.accounts DROP COLUMN locale;
