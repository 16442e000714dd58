package sqlsplit

// kw identifies the few keywords the block tracker cares about.
type kw uint8

const (
	kwNone kw = iota
	kwCreate
	kwBegin
	kwEnd
	kwAtomic
	kwNot
	kwCase
	kwIf
	kwLoop
	kwWhile
	kwRepeat
	kwThen
	kwElse
	kwDo
	kwUntil
	kwProcedure
	kwFunction
	kwTrigger
	kwEvent
	kwRow
	kwDeterministic
	kwSQL
	kwData
	kwRule
	kwObject // an object kind after CREATE that has no body: TABLE, VIEW, INDEX, ...
)

// keyword returns the keyword w spells (case-insensitively), or kwNone.
func keyword(w []byte) kw {
	n := len(w)
	if n < 2 || n > 13 {
		return kwNone
	}
	var low [13]byte
	for i, c := range w {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	switch string(low[:n]) {
	case "create":
		return kwCreate
	case "begin":
		return kwBegin
	case "end":
		return kwEnd
	case "atomic":
		return kwAtomic
	case "not":
		return kwNot
	case "case":
		return kwCase
	case "if":
		return kwIf
	case "loop":
		return kwLoop
	case "while":
		return kwWhile
	case "repeat":
		return kwRepeat
	case "then":
		return kwThen
	case "else":
		return kwElse
	case "do":
		return kwDo
	case "until":
		return kwUntil
	case "procedure":
		return kwProcedure
	case "function":
		return kwFunction
	case "trigger":
		return kwTrigger
	case "event":
		return kwEvent
	case "row":
		return kwRow
	case "deterministic":
		return kwDeterministic
	case "sql":
		return kwSQL
	case "data":
		return kwData
	case "rule":
		return kwRule
	case "table", "view", "index", "unique", "fulltext", "spatial", "database", "schema",
		"user", "role", "server", "sequence", "tablespace", "type", "domain", "extension",
		"materialized", "policy", "cast", "virtual", "logfile", "resource",
		"collation", "conversion", "publication", "subscription", "statistics", "operator":
		return kwObject
	}
	return kwNone
}

// routineKind reports whether k, right after CREATE and its modifiers,
// names an object whose body may hold statements of its own in dialect d.
func routineKind(d Dialect, k kw) bool {
	switch d {
	case Postgres:
		return k == kwFunction || k == kwProcedure
	case MySQL:
		return k == kwProcedure || k == kwFunction || k == kwTrigger || k == kwEvent
	case SQLite:
		return k == kwTrigger
	}
	return false
}

// objectKind reports whether k names an object kind (routine or not).
func objectKind(k kw) bool {
	return k == kwObject || k == kwRule || k == kwProcedure || k == kwFunction || k == kwTrigger || k == kwEvent
}
