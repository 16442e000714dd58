-- exec
SELECT 1; -- it's