-- exec
CREATE PROCEDURE cleanup()
BEGIN
  DROP TABLE IF EXISTS gone;
  CREATE TABLE IF NOT EXISTS kept (v INT);
  INSERT INTO kept SELECT IF(1, 2, 3);
  SET @s = REPEAT('ab', 2);
END;
CALL cleanup();
