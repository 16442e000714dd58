-- exec
SELECT E'it\'s; x'; SELECT 2;
