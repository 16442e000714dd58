# Copyright (c) 2015-2024 Example Shop Ltd; all rights reserved.
# Licensed under the "MIT" licence; see LICENSE. Don't remove this header; it's required.
/*
 * Generated in part by mysqldump 10.13; edited by hand since: it's "ours" now.
 * A ; here, a ' there, a " and a ` too.
 */
-- strata:lint-ignore read by the linter only

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

CREATE TABLE `items` (
  `id`         INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `name`       VARCHAR(100) NOT NULL DEFAULT 'unnamed; item',
  `qty`        INT          NOT NULL DEFAULT 0,
  `note`       VARCHAR(255)          DEFAULT NULL COMMENT 'free text; may contain \'quotes\'',
  `updated_at` DATETIME              DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB /*!40101 DEFAULT CHARSET=utf8mb4 */ COMMENT='stock items; one row per SKU';

CREATE TABLE `odd;name` (
  `semi;colon` INT NOT NULL,
  `back``tick` VARCHAR(10) DEFAULT '`'
) ENGINE=InnoDB;

/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
