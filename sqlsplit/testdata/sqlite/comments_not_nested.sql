-- exec
/* a /* b */ SELECT 1;
-- it's
SELECT 2; -- trailing
