// Package source reads a migrations directory from an fs.FS: the versioned
// files NNNN_description.sql (with an optional NNNN_description.down.sql),
// the repeatable files R__description.sql, their versions and order, the
// file directives written as "-- strata:NAME" comments at the top of a file,
// and the checksum of every file. It never touches a database.
//
// Load validates the whole directory in one streaming pass per file and
// reports every problem at once, each as a *FileError that names the file
// and says what to do about it. A file written for another migration tool
// (goose, sql-migrate, dbmate, Liquibase or tern markers, Flyway names) is
// one such problem, wrapping a *ForeignError; a folder without migration
// files is a *NoMigrationsError (ErrNoMigrations) unless
// LoadOptions.AllowEmpty.
package source
