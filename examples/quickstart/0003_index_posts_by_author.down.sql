DROP INDEX posts_author_created;
