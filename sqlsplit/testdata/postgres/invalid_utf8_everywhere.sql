-- ÿ comment
SELECT 1 /* Ã */;
SELECT 'â(¡', "ÿ" FROM t;
þ