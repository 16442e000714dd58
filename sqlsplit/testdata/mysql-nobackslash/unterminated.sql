SELECT 'it\'s';
SELECT 2;
