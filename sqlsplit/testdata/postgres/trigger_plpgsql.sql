-- exec
CREATE TABLE items (id int, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger AS $body$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$body$ LANGUAGE plpgsql;
CREATE TRIGGER items_touch BEFORE UPDATE ON items
  FOR EACH ROW EXECUTE FUNCTION touch();
