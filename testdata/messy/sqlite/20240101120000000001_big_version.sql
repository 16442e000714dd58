-- A 20-digit version, larger than any signed 64-bit integer.
CREATE VIEW [note summary] AS
SELECT n.[id],
       n.[title],
       (SELECT count(*) FROM [note log] AS l WHERE l.[note id] = n.[id]) AS [log entries]
FROM [notes] AS n;

-- INSTEAD OF trigger on a view: writes go to the table.
CREATE TRIGGER [note summary insert] INSTEAD OF INSERT ON [note summary]
BEGIN
    INSERT INTO [notes] ([title]) VALUES (NEW.[title]);
END;

INSERT INTO [note summary] ([title]) VALUES ('via the view; works');
