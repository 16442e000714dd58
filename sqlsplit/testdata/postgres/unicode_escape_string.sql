-- exec
SELECT U&'d\0061t\+000061'; SELECT U&"d\0061ta" FROM (SELECT 1 AS data) AS s;
