-- exec
SELECT 1 -- note \
; SELECT 2;
