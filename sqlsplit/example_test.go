package sqlsplit_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

func ExampleScanner() {
	src := `-- strata:no-transaction
CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;
INSERT INTO t VALUES ('a;b'); -- note
`
	s := sqlsplit.NewScanner(strings.NewReader(src), sqlsplit.Options{Dialect: sqlsplit.MySQL})
	for {
		st, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d:%d %s %q\n", st.Line, st.Col, st.Text, st.Comments)
	}
	fmt.Printf("trailing %q\n", s.Trailing())
	// Output:
	// 2:1 CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END ["-- strata:no-transaction"]
	// 3:1 INSERT INTO t VALUES ('a;b') []
	// trailing " -- note\n"
}

func ExampleSplit() {
	_, err := sqlsplit.Split("SELECT 1;\nSELECT $body$ unfinished;\n", sqlsplit.Options{Dialect: sqlsplit.Postgres})
	fmt.Println(err)
	// Output:
	// line 2:8: unterminated dollar-quoted string $body$ opened here; close it with $body$
}
