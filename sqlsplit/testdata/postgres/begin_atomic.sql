-- exec
CREATE FUNCTION classify(i int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN i < 0 THEN 'neg' WHEN i = 0 THEN 'zero' ELSE 'pos' END;
END;
CREATE TABLE log (v text);
CREATE PROCEDURE note(v text) LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO log VALUES (v);
  INSERT INTO log VALUES (CASE v WHEN 'a' THEN 'b' END);
END;
CALL note('a');
SELECT classify(-1), classify(0), classify(5);
