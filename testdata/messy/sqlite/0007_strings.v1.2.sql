-- A description with dots (strings.v1.2). SQLite strings: '' is the only
-- escape; a backslash is an ordinary character; X'' is a blob literal.
CREATE TABLE [samples] ([id] INTEGER PRIMARY KEY, [s] TEXT, [b] BLOB);

INSERT INTO [samples] ([s], [b]) VALUES
    ('it''s; fine', X'00FF'),
    ('C:\path\to\file\', NULL),
    ('-- not a comment; /* not a comment */', x'cafe'),
    ('multi-line; string
with END; and BEGIN inside', NULL);
