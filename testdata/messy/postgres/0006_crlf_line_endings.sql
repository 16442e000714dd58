-- This file has Windows (CR LF) line endings, as a checkout with
-- core.autocrlf=true produces. Its checksum equals the LF version's.
CREATE TABLE app.settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

INSERT INTO app.settings (key, value) VALUES
    ('greeting', 'hello;''world'''),
    ('multi', 'a
b');
