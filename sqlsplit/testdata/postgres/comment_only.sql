-- nothing here yet; it's a placeholder
/* really; nothing */
-- done
