-- Keywords used as identifiers: a splitter that counts BEGIN/END/CASE words
-- without looking at quoting gets these wrong.
CREATE TABLE [transaction] (
    [begin] INTEGER,
    "end"   INTEGER,
    `case`  TEXT,
    [trigger] TEXT
);

CREATE TRIGGER [transaction end] AFTER INSERT ON [transaction]
BEGIN
    UPDATE [transaction] SET "end" = NEW.[begin] + 1, `case` = 'begin; end' WHERE rowid = NEW.rowid;
END;

INSERT INTO [transaction] ([begin], [trigger]) VALUES (1, 'BEGIN'), (2, 'END;');
