-- Backslash escapes (MySQL's default sql_mode), double-quoted strings
-- (ANSI_QUOTES is off), and comment markers inside strings.
CREATE TABLE `notes` (
  `id`   INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `body` TEXT NOT NULL
) ENGINE=InnoDB;

INSERT INTO `notes` (`body`) VALUES
  ('It\'s a backslash-escaped quote; and a doubled one: it''s'),
  ("a double-quoted string with \"escapes\"; and a ' inside"),
  ('a string ending in a backslash \\'),
  ('newline\nand tab\t; percent \% underscore \_'),
  ('# not a comment; -- not a comment; /* not a comment */'),
  ("\\'; DROP TABLE `notes`; -- still inside the string");

# "--" without a following space is not a comment in MySQL: 1--1 is 1 - (-1).
INSERT INTO `notes` (`body`) VALUES (CONCAT('one minus minus one = ', 1--1));
