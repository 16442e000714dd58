package strata

import "strings"

// dataVerbs are the statements that change rows or session settings but
// never the schema. A file made only of them is data only: a run of such
// files neither checks for schema drift first nor reads the catalogs
// afterwards (see carrySchema). SELECT and WITH are not among them: they
// can call a function that changes the schema.
var dataVerbs = []string{"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "SET", "LOCK", "UNLOCK", "ANALYZE", "BEGIN", "START", "COMMIT", "ROLLBACK"}

// dataOnly reports whether a statement's text (comments already removed
// by the splitter) starts with one of dataVerbs.
func dataOnly(text string) bool {
	end := strings.IndexFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
	if end < 0 {
		end = len(text)
	}
	word := text[:end]
	for _, v := range dataVerbs {
		if strings.EqualFold(word, v) {
			return true
		}
	}
	return false
}

// stepsDataOnly reports whether every step only changes data.
func stepsDataOnly(steps []Step) bool {
	for _, st := range steps {
		if st.schemaChange {
			return false
		}
	}
	return true
}
