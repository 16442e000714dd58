-- A 20-digit version: larger than any int64 (9223372036854775807).
CREATE VIEW app.account_summary AS
SELECT a.id,
       a.email,
       app.normalise_email(a.email) AS normalised,
       (SELECT count(*) FROM app.accounts_history) AS history_rows
FROM app.accounts AS a;
