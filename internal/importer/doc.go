// Package importer converts another migration tool's folder (golang-migrate,
// goose, dbmate, Flyway, tern, sql-migrate, Liquibase formatted SQL) into
// strata's layout, in memory: one File per migration, with the up and down
// SQL as strata files, the key the old tool records in its history table and
// that tool's own checksum where it keeps one. Conversion.Write puts the
// files in a new folder; Detect guesses the tool. Nothing here touches a
// database.
//
// What each tool's folder becomes:
//
//   - golang-migrate: N_name.up.sql / N_name.down.sql are copied as they
//     are; the history key is the version in decimal.
//   - goose: N_name.sql with "-- +goose Up" / "-- +goose Down" becomes
//     N_name.sql and N_name.down.sql without the annotations; comments above
//     the Up marker stay in the up file; "NO TRANSACTION" becomes
//     "-- strata:no-transaction" in both files; a StatementBegin/End block is
//     checked against strata's splitter in ConvertOptions.Dialect (on MySQL a
//     block the splitter would cut is wrapped in DELIMITER lines); ENVSUB
//     ${VAR} and .go migrations are problems. Key: version_id in decimal.
//   - sql-migrate: the same with "-- +migrate Up/Down [notransaction]";
//     files are numbered by their leading digits. Key: the file name.
//   - dbmate: "-- migrate:up [transaction:false]" / "-- migrate:down"
//     sections. Key: the version as written.
//   - tern: NNN_name.sql cut at "---- create above / drop below ----";
//     "---- tern: disable-tx ----" becomes the no-transaction directive; any
//     {{ }} template action is a problem. Key: the sequence number.
//   - Flyway (the location is searched recursively): V<version>__desc.sql
//     become versioned files, U<version>__desc.sql their down files,
//     R__desc.sql repeatable files; NAME.sql.conf with
//     executeInTransaction=false, or a statement Flyway runs outside a
//     transaction (CREATE INDEX CONCURRENTLY ...), gives the no-transaction
//     directive; ${placeholders}, Java migrations and SQL callbacks are
//     problems. Dotted versions map to strata versions by an
//     order-preserving rule: an underscore in a version counts as a dot,
//     trailing ".0" parts are dropped (Flyway treats 1.0 as 1), every part
//     is zero-padded to the widest part found at that position in the folder
//     and the parts are concatenated, missing parts counting as 0. With
//     versions 1, 1.1, 1.2.3 and 10 the widths are 2,1,1 and the strata
//     versions 0100, 0110, 0123 and 1000: equal widths make numeric order
//     Flyway's part-by-part order. Conversion.Mapping states the widths
//     used. A 14-digit timestamp version stays as it is. Key: the version
//     as Flyway writes it ("1.2.3"), "" for a repeatable file; checksum:
//     FlywayChecksum.
//   - Liquibase formatted SQL (every .sql file at any depth whose first line
//     is "--liquibase formatted sql", in path order): each changeset
//     becomes NNNN_id.sql numbered in changelog order, its --rollback lines
//     (or /* liquibase rollback */ block) the down file; runOnChange and
//     runAlways changesets become repeatable files (strata runs them when
//     they change); runInTransaction:false gives the no-transaction
//     directive; splitStatements:false makes the changeset a statement
//     block; contexts, labels, preconditions, endDelimiter, properties and
//     XML/YAML/JSON changelogs are problems; dbms filters are applied with
//     ConvertOptions.LiquibaseDBMS. Key: "id::author::file"; checksum:
//     LiquibaseChecksum.
//
// What cannot be converted faithfully is reported as a Problem with file
// and line, and Convert refuses the folder with an *UnconvertibleError
// unless the user excludes every such file (ConvertOptions.Exclude).
package importer
