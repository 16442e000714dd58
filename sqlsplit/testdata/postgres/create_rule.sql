-- exec
CREATE TABLE a (v int);
CREATE TABLE b (v int);
CREATE TABLE c (v int);
CREATE RULE fan_out AS ON INSERT TO a DO ALSO (
  INSERT INTO b VALUES (NEW.v);
  INSERT INTO c VALUES (NEW.v + (1));
);
INSERT INTO a VALUES (1);
SELECT (SELECT count(*) FROM b) + (SELECT count(*) FROM c);
