-- exec
CREATE TABLE [a;b] ("c;d" TEXT, `e;f` TEXT, [g h] TEXT);
INSERT INTO [a;b] VALUES ('x''y;', 'z', 'w');
SELECT "c;d", `e;f` FROM [a;b];
