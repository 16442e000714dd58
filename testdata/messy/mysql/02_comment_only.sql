# This file intentionally has no statements.
-- It records that we decided not to partition `items`; it's too small.
/* Stray punctuation that must not start a statement: ; ' " ` DELIMITER //
   DROP TABLE items; <- inside a comment, never executed */
#;'"`
