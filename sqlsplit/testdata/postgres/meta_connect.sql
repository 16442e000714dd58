SELECT 1;
\connect otherdb
SELECT 2;
