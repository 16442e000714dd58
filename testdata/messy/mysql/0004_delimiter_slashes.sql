-- The mysql client's DELIMITER command, as many real projects use it.
DELIMITER //

CREATE PROCEDURE add_item(IN p_name VARCHAR(100), IN p_qty INT)
BEGIN
    -- ; inside the body does not end the statement while the delimiter is //
    INSERT INTO `items` (`name`, `qty`) VALUES (p_name, p_qty);
END //

CREATE TRIGGER items_touch BEFORE UPDATE ON `items`
FOR EACH ROW
BEGIN
    IF NEW.`qty` <> OLD.`qty` THEN
        SET NEW.`updated_at` = NOW();
        SET NEW.`note` = CONCAT_WS('; ', NEW.`note`, 'qty changed // here');
    END IF;
END//

DELIMITER ;

CALL add_item('widget; large', 5);
UPDATE `items` SET `qty` = 6 WHERE `name` = 'widget; large';
