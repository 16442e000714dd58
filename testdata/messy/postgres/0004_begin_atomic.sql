-- SQL-standard function bodies (PostgreSQL 14+): BEGIN ATOMIC ... END with
-- semicolons inside, and a CASE ... END inside the body.

CREATE FUNCTION app.normalise_email(e text) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT CASE WHEN e IS NULL THEN NULL ELSE lower(trim(e)) END;
END;

CREATE PROCEDURE app.touch_account(p_id bigint)
LANGUAGE sql
BEGIN ATOMIC
    UPDATE app.accounts SET updated_at = now() WHERE id = p_id;
    INSERT INTO app.accounts_audit (note)
    VALUES ('touched; via a BEGIN ATOMIC procedure: ' || p_id::text);
END;

INSERT INTO app.accounts (email) VALUES (app.normalise_email('  Alice@Example.COM '));
CALL app.touch_account(1);
