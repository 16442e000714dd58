-- exec
SELECT 1; -- first
SELECT 2; /* second */
-- strata:directive
SELECT 3;
