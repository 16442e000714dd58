-- exec
SELECT 'a\'; SELECT 2;
