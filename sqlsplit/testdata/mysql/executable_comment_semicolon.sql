/*!40101 SET @x = 1; SET @y = 2 */;
/*M!100100 SELECT 1 */;
SELECT 2;
