-- exec
CREATE FUNCTION add_one(i integer) RETURNS integer AS $$
BEGIN
    RAISE NOTICE 'adding; one';
    RETURN i + 1;
END;
$$ LANGUAGE plpgsql;
SELECT add_one(1);
