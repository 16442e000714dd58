-- exec
-- A PL/pgSQL function with nested dollar quotes and a dynamic statement.
CREATE OR REPLACE FUNCTION make_table(name text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  q text := $q$CREATE TABLE IF NOT EXISTS %I (id int); -- $$ not the end$q$;
BEGIN
  EXECUTE format(q, name);
  EXECUTE $$COMMENT ON TABLE $$ || quote_ident(name) || $$ IS 'it''s; made'$$;
END;
$fn$;
SELECT make_table('made_by_fn');
SELECT $$;$$, $_x1$ $$ $_x1$;
