-- exec
CREATE TABLE c (v text);
-- a comment
INSERT INTO c VALUES ('x;
y');
SELECT 1;
