-- exec
SELECT E'a\\'; SELECT e'\'';
SELECT 'x' || E'y\'s;';
CREATE TABLE namE (v text);
SELECT 'plain\' FROM namE; SELECT 2;
