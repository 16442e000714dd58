-- exec
SELECT 'C:\path\'; SELECT 2;
