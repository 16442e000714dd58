-- A first user and a welcome post, so a fresh install is not empty.
INSERT INTO users (id, email, name) VALUES (1, 'admin@example.com', 'Admin');

INSERT INTO posts (author_id, title, body)
VALUES (1, 'Welcome', 'It''s working; edit or delete this post.');
