-- exec
CREATE PROCEDURE bare(IN a INT) IF a > 0 THEN SELECT 'pos'; ELSE SELECT 'neg'; END IF;
CALL bare(1);
