-- This file intentionally contains no statements.
-- Considered: full-text search with FTS5; postponed: it's not needed yet.
/* CREATE TRIGGER nope AFTER INSERT ON notes BEGIN SELECT 1; END;
   ^ inside a comment, never executed; a stray ' and " and [ too */
