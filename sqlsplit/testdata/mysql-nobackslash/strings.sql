-- exec
-- sql_mode NO_BACKSLASH_ESCAPES: a backslash is an ordinary character, so
-- 'C:\' ends at its second quote and the next statement is a statement.
CREATE TABLE notes (a varchar(100));
INSERT INTO notes VALUES ('C:\');
INSERT INTO notes VALUES ("D:\");
INSERT INTO notes VALUES ('it''s \n two characters; not a newline');
DROP TABLE notes;
