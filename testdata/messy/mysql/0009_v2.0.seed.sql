# A description with dots: v2.0.seed
INSERT INTO `odd;name` (`semi;colon`, `back``tick`) VALUES (1, 'a;b'), (2, DEFAULT);
INSERT INTO `settings` (`k`, `v`) SELECT 'items', COUNT(*) FROM `items`;
