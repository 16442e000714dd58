-- PL/pgSQL with a $$ body that contains a nested $inner$ quote, semicolons,
-- comments and single quotes; then E'' strings with backslash escapes.

CREATE TABLE app.accounts_audit (
    id   bigserial PRIMARY KEY,
    note text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION app.make_history_table(tbl text) RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    -- the DDL template is itself dollar-quoted inside the function body
    ddl text := $inner$CREATE TABLE IF NOT EXISTS app.%I (
        id   bigserial PRIMARY KEY,
        note text DEFAULT 'it''s; fine',   -- a ; and '' inside the inner quote
        at   timestamptz DEFAULT now()
    )$inner$;
    result text;
BEGIN
    IF tbl IS NULL OR tbl = '' THEN
        RAISE EXCEPTION 'empty table name; got %', quote_literal(coalesce(tbl, 'NULL'));
    END IF;
    result := tbl || '_history';
    EXECUTE format(ddl, result);  /* a block comment; in the body */
    RETURN result;
END;
$$;

SELECT app.make_history_table('accounts');

CREATE FUNCTION app.tagged(t text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $body_1$ SELECT '[' || t || '] $$ is not the end; $body$ is not either' $body_1$;

INSERT INTO app.accounts_audit (note) VALUES
    (E'escaped \'quote\'; a backslash \\ and a tab\there'),
    (E'line one\nline two -- not a comment /* nor this */'),
    ('standard string: C:\path\to\file; backslashes are literal here'),
    (U&'unicode escape: caf\00E9'),
    (app.tagged('tag'));
