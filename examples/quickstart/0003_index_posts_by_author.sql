-- The home page lists a user's posts, newest first.
CREATE INDEX posts_author_created ON posts (author_id, created_at DESC);
