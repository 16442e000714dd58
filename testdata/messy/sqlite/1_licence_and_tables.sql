/*
 * Copyright (c) 2020-2024 Example Notes; all rights reserved.
 * Licensed under the "BSD-3-Clause" licence; see LICENSE. Don't strip this; it's required.
 * /* SQLite block comments do not nest: the next line closes this comment. */
-- A line comment with ; and an unmatched ' and " and a BEGIN without an END

CREATE TABLE [notes] (
    [id]         INTEGER PRIMARY KEY,
    [title]      TEXT NOT NULL DEFAULT 'untitled; draft',
    "body text"  TEXT NOT NULL DEFAULT '',
    `created at` TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    [updated at] TEXT
);

CREATE TABLE [note log] (
    [id]      INTEGER PRIMARY KEY,
    [note id] INTEGER NOT NULL,
    [what]    TEXT NOT NULL
);
