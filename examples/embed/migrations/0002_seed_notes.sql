INSERT INTO notes (body) VALUES ('migrated from main() with embed.FS');
