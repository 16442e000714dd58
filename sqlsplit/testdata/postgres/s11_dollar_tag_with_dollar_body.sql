-- exec
SELECT $a$x$$a$; SELECT 2;
