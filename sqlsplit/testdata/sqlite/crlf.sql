-- exec
CREATE TABLE c (v TEXT);
INSERT INTO c VALUES ('a;
b');
