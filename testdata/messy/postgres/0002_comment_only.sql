-- This file intentionally contains no statements; it only documents a decision.
--
-- We considered partitioning app.accounts by created_at; we didn't: it's small.
-- Quotes that never close: ' " ` and a stray semicolon ; and a $$ and a /*
/* A block comment; with "quotes" and 'quotes'
   spanning lines; DROP TABLE app.accounts; <- not executed */
