-- exec
/*
 * Copyright (c) 2024 Example Corp; all rights reserved.
 * Licensed under the "Apache License", Version 2.0 (the 'License');
 * you may not use this file except in compliance with the License;
 * /* nested: don't; stop */ here.
 */
-- It's the schema; don't edit by hand.
-- strata:lint-ignore destructive
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE, -- lower-case; checked below
    "full;name" text,
    note text DEFAULT 'n/a; none'
);
COMMENT ON TABLE users IS 'People; and "their" things';
