-- exec
SELECT 1 AS delimiter;
SELECT 5 --2;
SELECT 'x
 delimiter ;' AS s;
