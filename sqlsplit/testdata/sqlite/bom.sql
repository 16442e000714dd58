-- exec
SELECT 1;
