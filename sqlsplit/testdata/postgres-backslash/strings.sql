-- exec
-- standard_conforming_strings=off: a backslash escapes the next character
-- in every '...' string, so \' does not end it.
CREATE TABLE notes (a text);
INSERT INTO notes VALUES ('it\'s; still one string');
INSERT INTO notes VALUES ('C:\\');
INSERT INTO notes VALUES (E'tab\there');
SELECT $$C:\$$;
DROP TABLE notes;
