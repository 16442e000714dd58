-- Triggers whose BEGIN ... END bodies hold several statements, a CASE ... END
-- expression, a WHEN clause and a RAISE with a semicolon in its message.
CREATE TRIGGER [notes touch]
AFTER UPDATE OF [title], "body text" ON [notes]
FOR EACH ROW
WHEN OLD.[title] IS NOT NEW.[title] OR OLD."body text" IS NOT NEW."body text"
BEGIN
    UPDATE [notes] SET [updated at] = CURRENT_TIMESTAMP WHERE [id] = NEW.[id];
    INSERT INTO [note log] ([note id], [what])
    VALUES (NEW.[id], CASE WHEN OLD.[title] IS NOT NEW.[title] THEN 'title; changed' ELSE 'body changed' END);
END;

CREATE TRIGGER [notes no empty title] BEFORE INSERT ON [notes]
BEGIN
    SELECT CASE
        WHEN trim(NEW.[title]) = '' THEN RAISE(ABORT, 'a title is required; give the note one')
    END;
END;

create trigger notes_log_insert after insert on [notes] begin
    insert into [note log] ([note id], [what]) values (new.[id], 'created; "quoted" it''s');
end;

INSERT INTO [notes] ([title], "body text") VALUES ('first', 'hello; world');
UPDATE [notes] SET [title] = 'first!' WHERE [id] = 1;
