/*
 * Copyright (c) 2019-2024 Example Corp; all rights reserved.
 *
 * Licensed under the "Apache License", Version 2.0 (the 'License'); you may
 * not use this file except in compliance with the License; see LICENSE.
 * Don't remove this header: it's required; really.
 *
 * /* PostgreSQL block comments nest: this inner comment; with a ' quote */
 *    and this line is still inside the outer comment; "so is this".
 */
-- A line comment with a ; and an unmatched ' quote and a $$ for good measure
-- strata:lint-ignore this is read by the linter, not the loader

CREATE SCHEMA app;

CREATE TABLE app.accounts (
    id         bigserial   PRIMARY KEY,
    email      text        NOT NULL UNIQUE,
    "display;name" text    NOT NULL DEFAULT 'anonymous; unnamed',  -- ; inside an identifier and a string
    note       text        DEFAULT '/* not a comment */ -- nor this',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE app.accounts IS 'People who log in; one row each. It''s the root of everything.';
