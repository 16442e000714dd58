-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
-- strata:no-transaction
-- strata:lock-timeout 10s
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_created_at_idx
    ON app.accounts (created_at);
