/* A stored function created with DELIMITER $$, then back to ; */
DELIMITER $$
CREATE FUNCTION item_label(p_id INT) RETURNS VARCHAR(200)
    READS SQL DATA
    DETERMINISTIC
BEGIN
    DECLARE v_name VARCHAR(100);
    SELECT `name` INTO v_name FROM `items` WHERE `id` = p_id;
    RETURN CONCAT('#', p_id, ': ', COALESCE(v_name, '(none); gone'), ' $ not a delimiter');
END$$
DELIMITER ;
SELECT item_label(1);
