-- exec
CREATE TABLE log (msg VARCHAR(100));
CREATE DEFINER = CURRENT_USER PROCEDURE flow(IN n INT)
  MODIFIES SQL DATA
  COMMENT 'IF; CASE; LOOP; END'
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION
  BEGIN
    SET done = 1;
    INSERT INTO log VALUES ('handler; fired');
  END;
  DECLARE EXIT HANDLER FOR SQLSTATE '45000' SET done = 2;
  IF n > 10 THEN
    INSERT INTO log VALUES ('big');
  ELSEIF n > 5 THEN
    BEGIN
      INSERT INTO log VALUES ('medium');
    END;
  ELSE
    INSERT INTO log VALUES (IF(n > 0, 'small', 'none'));
  END IF;
  CASE n
    WHEN 1 THEN INSERT INTO log VALUES ('one');
    WHEN 2 THEN BEGIN INSERT INTO log VALUES ('two'); END;
    ELSE INSERT INTO log VALUES (CASE WHEN n < 0 THEN 'neg' ELSE 'other' END);
  END CASE;
  outer_loop: LOOP
    SET i = i + 1;
    IF i >= 3 THEN LEAVE outer_loop; END IF;
    INSERT INTO log VALUES (REPEAT('x', i));
  END LOOP outer_loop;
  WHILE i > 0 DO
    SET i = i - 1;
  END WHILE;
  REPEAT
    SET i = i + 1;
  UNTIL i >= 2 END REPEAT;
  blk: BEGIN
    DROP TEMPORARY TABLE IF EXISTS tmp_end;
    LEAVE blk;
  END blk;
  SELECT CASE WHEN done = 1 THEN 'END' ELSE `end` END FROM (SELECT 'e' AS `end`) AS x;
END;
CALL flow(1);
CALL flow(7);
SELECT COUNT(*) FROM log;
