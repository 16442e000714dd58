ALTER TABLE [notes] DROP COLUMN [pinned];
