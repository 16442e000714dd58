-- This file has Windows (CR LF) line endings; its checksum equals the LF version's.
CREATE TABLE [settings] (
    [key]   TEXT PRIMARY KEY,
    [value] TEXT NOT NULL
);

INSERT INTO [settings] VALUES ('greeting', 'hello;''world'''), ('multi', 'a
b');
