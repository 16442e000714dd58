-- A trigger function with a custom dollar tag and the trigger that uses it.
CREATE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- BEGIN/END here are PL/pgSQL blocks inside a string, not transactions
    NEW.updated_at := now();
    RETURN NEW;
END
$fn$;

CREATE TRIGGER accounts_set_updated_at
    BEFORE UPDATE ON app.accounts
    FOR EACH ROW
    EXECUTE FUNCTION app.set_updated_at();

UPDATE app.accounts SET "display;name" = 'Alice; the first' WHERE email = 'alice@example.com';
