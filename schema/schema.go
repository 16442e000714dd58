// Package schema holds a database schema as strata reads it from the
// server's own catalogs: a list of objects (tables, indexes, views,
// functions ...) with their attributes, in one canonical, readable text form
// with a SHA-256 hash, and the difference between two snapshots object by
// object. It knows no database: each dialect reads its catalogs into a
// Snapshot (see dialect.SchemaReader), and this package orders, prints,
// parses, hashes and compares the result.
package schema

// Kind is the kind of a schema object, as printed in the canonical text.
type Kind string

// The kinds of objects a snapshot holds. A dialect uses the ones its
// database has.
const (
	KindSchema           Kind = "schema"
	KindExtension        Kind = "extension"
	KindType             Kind = "type"   // enum and composite types
	KindDomain           Kind = "domain" // PostgreSQL domains
	KindSequence         Kind = "sequence"
	KindTable            Kind = "table" // columns, keys, checks, foreign keys as attributes
	KindIndex            Kind = "index"
	KindView             Kind = "view"
	KindMaterializedView Kind = "materialized view"
	KindFunction         Kind = "function"
	KindProcedure        Kind = "procedure"
	KindTrigger          Kind = "trigger"
	KindEvent            Kind = "event" // MySQL scheduled events
)

// Object is one schema object. Name is its identity and is unique within
// its Kind: schema-qualified where the database has schemas
// ("public.users"), and for routines the signature, which PostgreSQL
// overloads on ("public.add(integer, integer)"). Attrs are its properties
// in a stable order the reader chooses (a table's columns in column order,
// then keys, checks and foreign keys sorted by name).
type Object struct {
	Kind  Kind
	Name  string
	Attrs []Attr
}

// Attr is one property of an object. Key is unique within its object
// ("column email", "primary key", "check users_age_check", "definition");
// Value is the normalised text, which may span several lines (a function
// body, a view definition).
type Attr struct {
	Key   string
	Value string
}

// Snapshot is the schema of one database (PostgreSQL: every non-system
// schema; MySQL/MariaDB: the connection's database; SQLite: the main
// database), without strata's own tables.
type Snapshot struct {
	// Dialect is the dialect's name ("postgres", "mysql", "sqlite").
	Dialect string
	// Objects in any order; Normalize sorts them by kind, then name.
	Objects []Object
}
