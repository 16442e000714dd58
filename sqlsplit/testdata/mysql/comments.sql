-- exec
# hash comment; with it's quote
-- dash comment; with "quote"
/* block; comment 'x' */
SELECT 1--1;
SELECT 1 - -1;
SELECT 2 # trailing; comment
;
SELECT 3 -- trailing; comment
;
SELECT /*+ no hint; really */ 4;
