-- An explicit .up.sql with a .down.sql beside it.
ALTER TABLE `items` ADD COLUMN `sku` VARCHAR(32) NULL AFTER `name`;
UPDATE `items` SET `sku` = CONCAT('SKU-', LPAD(`id`, 5, '0'));
