-- A 20-digit version, larger than any signed 64-bit integer.
CREATE VIEW `item_labels` AS
SELECT `id`, item_label(`id`) AS `label`, `qty`
FROM `items`;
