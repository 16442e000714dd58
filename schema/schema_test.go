package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sample() *Snapshot {
	return &Snapshot{Dialect: "postgres", Objects: []Object{
		{Kind: KindIndex, Name: "public.users_email_idx", Attrs: []Attr{{"table", "public.users"}, {"definition", "CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (lower(email))"}}},
		{Kind: KindTable, Name: "public.users", Attrs: []Attr{{"column id", "bigint not null"}, {"column email", "text not null"}, {"primary key", "(id)"}}},
		{Kind: KindView, Name: "public.active", Attrs: []Attr{{"definition", " SELECT users.id\n   FROM users\n  WHERE true;"}}},
		{Kind: KindMaterializedView, Name: "public.counts", Attrs: []Attr{{"definition", "SELECT 1"}}},
		{Kind: KindFunction, Name: "public.add(integer, integer)", Attrs: []Attr{{"returns", "integer"}, {"body", "\n\tselect $1 + $2\n"}}},
		{Kind: KindSchema, Name: "public"},
	}}
}

const sampleText = `# strata schema v1: postgres

schema public

table public.users
  column id: bigint not null
  column email: text not null
  primary key: (id)

index public.users_email_idx
  table: public.users
  definition: CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (lower(email))

view public.active
  definition:
    |  SELECT users.id
    |    FROM users
    |   WHERE true;

materialized view public.counts
  definition: SELECT 1

function public.add(integer, integer)
  returns: integer
  body:
    |
    | 	select $1 + $2
    |
`

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   *Snapshot
		want string
	}{
		{"empty", &Snapshot{}, Header + "\n"},
		{"sample", sample(), sampleText},
		{"quoted", &Snapshot{Dialect: "sqlite", Objects: []Object{{Kind: KindTable, Name: " odd\nname", Attrs: []Attr{
			{"a:b", "x"}, {"empty", ""}, {"spaces", " x "}, {"cr", "a\r\nb"}, {"quote", `"q"`}, {"bad utf8", "\xff"},
		}}}}, `# strata schema v1: sqlite

table " odd\nname"
  "a:b": x
  empty: ""
  spaces: " x "
  cr: "a\r\nb"
  quote: "\"q\""
  bad utf8: "\xff"
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Text()
			if got != tt.want {
				t.Fatalf("Text:\n%s\nwant:\n%s", got, tt.want)
			}
			back, err := Parse(got)
			if err != nil {
				t.Fatalf("Parse(Text): %v", err)
			}
			if back.Text() != got {
				t.Fatalf("round trip changed the text:\n%s", back.Text())
			}
			norm := *tt.in
			norm.Objects = append([]Object(nil), tt.in.Objects...)
			norm.Normalize()
			if !equalSnap(back, &norm) {
				t.Fatalf("Parse(Text) = %+v, want %+v", back, norm)
			}
		})
	}
}

func equalSnap(a, b *Snapshot) bool {
	if a.Dialect != b.Dialect || len(a.Objects) != len(b.Objects) {
		return false
	}
	for i := range a.Objects {
		x, y := a.Objects[i], b.Objects[i]
		if x.Kind != y.Kind || x.Name != y.Name || len(x.Attrs) != len(y.Attrs) {
			return false
		}
		for j := range x.Attrs {
			if x.Attrs[j] != y.Attrs[j] {
				return false
			}
		}
	}
	return true
}

func TestHashIgnoresObjectOrder(t *testing.T) {
	a, b := sample(), sample()
	for i, j := 0, len(b.Objects)-1; i < j; i, j = i+1, j-1 {
		b.Objects[i], b.Objects[j] = b.Objects[j], b.Objects[i]
	}
	if a.Hash() != b.Hash() {
		t.Fatal("the same objects in another order hash differently")
	}
	if len(a.Hash()) != 64 {
		t.Fatalf("hash %q is not SHA-256 hex", a.Hash())
	}
	b.Objects[0].Attrs = append(b.Objects[0].Attrs, Attr{"x", "y"})
	if a.Hash() == b.Hash() {
		t.Fatal("a changed snapshot hashes the same")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"empty", "", 1, "header"},
		{"no header", "table x\n", 1, "header"},
		{"no final newline", Header + " pg", 1, "newline"},
		{"crlf", Header + " pg\r\n", 1, "carriage return"},
		{"no blank line", Header + "\ntable x\n", 2, "blank line"},
		{"unknown kind", Header + "\n\nwidget x\n", 3, "known kind"},
		{"bad attr", Header + "\n\ntable x\n  nocolon\n", 4, "KEY: VALUE"},
		{"dup attr", Header + "\n\ntable x\n  a: 1\n  a: 2\n", 5, "twice"},
		{"dup object", Header + "\n\ntable x\n\ntable x\n", 5, "twice"},
		{"out of order", Header + "\n\ntable b\n\ntable a\n", 5, "out of order"},
		{"kind order", Header + "\n\nview a\n\ntable b\n", 5, "out of order"},
		{"one cont line", Header + "\n\ntable x\n  a:\n    | only\n", 5, "no value"},
		{"stray cont", Header + "\n\ntable x\n    | z\n", 4, "continuation"},
		{"bad quote", Header + "\n\ntable x\n  a: \"open\n", 4, "quoted"},
		{"unquoted spaces", Header + "\n\ntable x\n  a:  x\n", 4, "quoted"},
		{"trailing blank", Header + "\n\n", 2, "end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Error(), tt.msg) {
				t.Fatalf("Parse = %v (line %d), want line %d and %q", err, pe.Line, tt.line, tt.msg)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	base := func() *Snapshot { return sample() }
	tests := []struct {
		name   string
		change func(s *Snapshot)
		want   []Change
	}{
		{"none", func(*Snapshot) {}, nil},
		{"object order only", func(s *Snapshot) { s.Objects[0], s.Objects[1] = s.Objects[1], s.Objects[0] }, nil},
		{"index added", func(s *Snapshot) {
			s.Objects = append(s.Objects, Object{Kind: KindIndex, Name: "public.hot", Attrs: []Attr{{"definition", "CREATE INDEX hot"}}})
		}, []Change{{Op: Added, Kind: KindIndex, Name: "public.hot", Attrs: []AttrChange{{Op: Added, Key: "definition", New: "CREATE INDEX hot"}}}}},
		{"view removed", func(s *Snapshot) { s.Objects = append(s.Objects[:2], s.Objects[3:]...) },
			[]Change{{Op: Removed, Kind: KindView, Name: "public.active", Attrs: []AttrChange{{Op: Removed, Key: "definition", Old: " SELECT users.id\n   FROM users\n  WHERE true;"}}}}},
		{"column widened, added, key dropped", func(s *Snapshot) {
			s.Objects[1].Attrs = []Attr{{"column id", "bigint not null"}, {"column email", "varchar(500) not null"}, {"column note", "text"}}
		}, []Change{{Op: Changed, Kind: KindTable, Name: "public.users", Attrs: []AttrChange{
			{Op: Changed, Key: "column email", Old: "text not null", New: "varchar(500) not null"},
			{Op: Added, Key: "column note", New: "text"},
			{Op: Removed, Key: "primary key", Old: "(id)"},
		}}}},
		{"column moved", func(s *Snapshot) {
			a := s.Objects[1].Attrs
			a[0], a[1] = a[1], a[0]
		}, []Change{{Op: Changed, Kind: KindTable, Name: "public.users", Attrs: []AttrChange{
			{Op: Moved, Key: "column email", Old: "text not null", New: "text not null"},
			{Op: Moved, Key: "column id", Old: "bigint not null", New: "bigint not null"},
		}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base()
			tt.change(n)
			got := Diff(base(), n)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Diff =\n%+v\nwant\n%+v", got, tt.want)
			}
			if (len(got) == 0) != (base().Hash() == n.Hash()) {
				t.Fatalf("Diff and Hash disagree on whether anything changed")
			}
		})
	}
	if got := Diff(nil, nil); got != nil {
		t.Fatalf("Diff(nil, nil) = %v", got)
	}
}

func FuzzParseText(f *testing.F) {
	f.Add(sampleText)
	f.Add(Header + "\n\ntable \"a\\nb\"\n  \"k:\": \" v\"\n  m:\n    | x\n    |\n")
	f.Add(Header + " sqlite\n\nindex i\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text)
		if err != nil {
			return
		}
		out := s.Text()
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Text(Parse(x))): %v\n%s", err, out)
		}
		if !equalSnap(s, back) || back.Text() != out {
			t.Fatalf("round trip changed the snapshot:\n%s\n----\n%s", out, back.Text())
		}
	})
}

// FuzzTextParse builds a snapshot from arbitrary strings and checks that
// Parse(Text()) gives it back.
func FuzzTextParse(f *testing.F) {
	f.Add("postgres", "public.t", "column a", "int\nnot null", "definition", " x ")
	f.Add("", "", "", "", "a:b", "\xff\r")
	f.Fuzz(func(t *testing.T, dialect, name, k1, v1, k2, v2 string) {
		if k1 == k2 {
			return
		}
		s := &Snapshot{Dialect: dialect, Objects: []Object{
			{Kind: KindView, Name: name, Attrs: []Attr{{k1, v1}, {k2, v2}}},
			{Kind: KindMaterializedView, Name: name + "x", Attrs: []Attr{{k2, v1}}},
		}}
		back, err := Parse(s.Text())
		if err != nil {
			t.Fatalf("Parse(Text()): %v\n%s", err, s.Text())
		}
		s.Normalize()
		if !equalSnap(s, back) {
			t.Fatalf("Parse(Text()) = %q, want %q", back, s)
		}
	})
}
