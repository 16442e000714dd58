-- An explicit .up.sql with its .down.sql.
ALTER TABLE [notes] ADD COLUMN [pinned] INTEGER NOT NULL DEFAULT 0;
