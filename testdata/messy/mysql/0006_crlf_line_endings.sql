# This file has Windows (CR LF) line endings.
-- Its checksum equals the checksum of the same file with LF endings.
CREATE TABLE `settings` (
  `k` VARCHAR(50)  NOT NULL PRIMARY KEY,
  `v` VARCHAR(200) NOT NULL
) ENGINE=InnoDB;

INSERT INTO `settings` (`k`, `v`) VALUES ('greeting', 'hello;\'world\''), ('multi', 'a
b');
