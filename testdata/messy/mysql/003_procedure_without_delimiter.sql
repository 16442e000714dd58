-- A stored procedure written WITHOUT the mysql client's DELIMITER command:
-- the body's semicolons are inside BEGIN ... END, so the whole CREATE
-- PROCEDURE is one statement. Nested blocks, labels, IF, CASE (statement
-- and expression), LOOP, WHILE, REPEAT, a cursor and handlers.
CREATE PROCEDURE recount_items(IN p_limit INT, OUT p_done INT)
    MODIFIES SQL DATA
    COMMENT 'recount; normalise quantities'
proc: BEGIN
    DECLARE v_id INT;
    DECLARE v_qty INT DEFAULT 0;
    DECLARE v_finished TINYINT DEFAULT 0;
    DECLARE v_spin INT DEFAULT 0;
    DECLARE cur CURSOR FOR SELECT `id`, `qty` FROM `items` ORDER BY `id`;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_finished = 1;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET p_done = -1;  # a hash comment inside the body
        RESIGNAL;
    END;

    SET p_done = 0;
    IF p_limit IS NULL OR p_limit <= 0 THEN
        LEAVE proc;
    ELSEIF p_limit > 100000 THEN
        SET p_limit = 100000;
    END IF;

    OPEN cur;
    read_loop: LOOP
        FETCH cur INTO v_id, v_qty;
        IF v_finished = 1 THEN
            LEAVE read_loop;
        END IF;
        SET v_qty = CASE WHEN v_qty IS NULL THEN 0 ELSE v_qty END;
        CASE
            WHEN v_qty < 0 THEN
                UPDATE `items` SET `qty` = 0, `note` = 'was negative; reset' WHERE `id` = v_id;
            WHEN v_qty > 1000 THEN
                BEGIN
                    DECLARE v_excess INT DEFAULT v_qty - 1000;
                    UPDATE `items`
                       SET `qty` = 1000, `note` = CONCAT('capped; excess ', v_excess, ' (it\'s logged)')
                     WHERE `id` = v_id;
                END;
            ELSE
                SET v_spin = v_spin + 1;
        END CASE;
        SET p_done = p_done + 1;
        IF p_done >= p_limit THEN
            LEAVE read_loop;
        END IF;
    END LOOP read_loop;
    CLOSE cur;

    spin: WHILE v_spin > 0 DO
        SET v_spin = v_spin - 1;
    END WHILE spin;

    REPEAT
        SET v_spin = v_spin + 1;
    UNTIL v_spin >= 1 END REPEAT;
END proc;

INSERT INTO `items` (`name`, `qty`) VALUES ('bolt', -3), ('nut', 5000), ('washer; flat', 7);

CALL recount_items(10, @done);
