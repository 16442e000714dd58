package config

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
	mydialect "github.com/strata-db/strata/dialect/mysql"
	pgdialect "github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/dbwait"
)

func TestClassify(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("connect: %w", err) }
	for _, tc := range []struct {
		name string
		d    dialect.Dialect
		err  error
		want dbwait.Verdict
	}{
		{"refused", pgdialect.New(), wrap(syscall.ECONNREFUSED), dbwait.Retry},
		{"pg starting up", pgdialect.New(), wrap(&pgconn.PgError{Code: "57P03"}), dbwait.Retry},
		{"pg wrong password", pgdialect.New(), wrap(&pgconn.PgError{Code: "28P01"}), dbwait.Fatal},
		{"pg no such role", pgdialect.New(), wrap(&pgconn.PgError{Code: "28000"}), dbwait.Fatal},
		{"pg no database", pgdialect.New(), wrap(&pgconn.PgError{Code: "3D000"}), dbwait.Up},
		{"mysql access denied", mydialect.New(), wrap(&mysql.MySQLError{Number: 1045}), dbwait.Fatal},
		{"mysql db access denied", mydialect.New(), wrap(&mysql.MySQLError{Number: 1044}), dbwait.Fatal},
		{"mysql no database", mydialect.New(), wrap(&mysql.MySQLError{Number: 1049}), dbwait.Up},
		{"mysql too many connections", mydialect.New(), wrap(&mysql.MySQLError{Number: 1040}), dbwait.Retry},
		{"x509 unknown authority", pgdialect.New(), wrap(x509.UnknownAuthorityError{}), dbwait.Fatal},
		{"x509 hostname", pgdialect.New(), wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "db"}), dbwait.Fatal},
		{"x509 text", pgdialect.New(), errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), dbwait.Fatal},
	} {
		if got := Classify(tc.d, tc.err); got != tc.want {
			t.Errorf("%s: Classify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMissingDatabaseMessage(t *testing.T) {
	tg, err := Parse("postgres://u:" + "pw123456@127.0.0.1:5432/appdb")
	if err != nil {
		t.Fatal(err)
	}
	if tg.DatabaseName() != "appdb" {
		t.Errorf("DatabaseName = %q", tg.DatabaseName())
	}
	e := &ConnectError{URL: tg.Redacted, Err: &MissingDatabaseError{Name: "appdb", Err: &pgconn.PgError{Code: "3D000"}}}
	if !strings.Contains(e.Error(), `database "appdb" does not exist: create it`) {
		t.Errorf("message = %q", e.Error())
	}
	my, err := Parse("mysql://root@127.0.0.1:3306/shop")
	if err != nil {
		t.Fatal(err)
	}
	if my.DatabaseName() != "shop" {
		t.Errorf("mysql DatabaseName = %q", my.DatabaseName())
	}
}

// TestWaitUnreachableScrubs: the wait gives up after its deadline with a
// *ConnectError, and neither it nor the attempts show the password.
func TestWaitUnreachableScrubs(t *testing.T) {
	tg, err := Parse("postgres://u:s3cretPW@127.0.0.1:1/x?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	db, err := tg.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seen []string
	_, err = tg.Wait(context.Background(), db, dbwait.Options{Deadline: 300 * time.Millisecond, Initial: 50 * time.Millisecond,
		OnAttempt: func(_ int, err error, _ time.Duration) { seen = append(seen, err.Error()) }})
	var ce *ConnectError
	if !errors.As(err, &ce) || strings.Contains(err.Error(), "s3cretPW") {
		t.Fatalf("Wait = %v", err)
	}
	if len(seen) == 0 {
		t.Fatal("OnAttempt was never called")
	}
	for _, s := range seen {
		if strings.Contains(s, "s3cretPW") {
			t.Fatalf("attempt error shows the password: %s", s)
		}
	}
}
