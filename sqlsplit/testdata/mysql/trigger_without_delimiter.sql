-- exec
CREATE TABLE acc (id INT, amount INT);
CREATE TRIGGER acc_bi BEFORE INSERT ON acc
FOR EACH ROW
BEGIN
  IF NEW.amount < 0 THEN
    SET NEW.amount = 0;
  ELSEIF NEW.amount > 100 THEN
    SET NEW.amount = 100;
  END IF;
END;
CREATE TRIGGER acc_bu BEFORE UPDATE ON acc FOR EACH ROW SET NEW.amount = IF(NEW.amount < 0, 0, NEW.amount);
INSERT INTO acc VALUES (1, -5);
