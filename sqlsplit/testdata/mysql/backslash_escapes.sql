-- exec
SELECT 'it\'s; fine', "a \"quoted\"; b", 'x''y;', "p""q;";
SELECT `col;``x` FROM (SELECT 1 AS `col;``x`) AS t;
SELECT 'ends with backslash\\';
SELECT 2;
