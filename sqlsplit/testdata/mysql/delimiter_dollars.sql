-- exec
delimiter $$
CREATE FUNCTION hello(s CHAR(20)) RETURNS CHAR(50) DETERMINISTIC
BEGIN
  DECLARE r CHAR(50);
  SET r = CONCAT('Hello, ', s, '!;');
  RETURN r;
END$$
Delimiter ;
SELECT hello('world');
