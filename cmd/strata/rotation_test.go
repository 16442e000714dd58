package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestFleetPasswordRotation: a fleet over three MariaDB databases logs in
// as a user whose password --password-command rotates (on the server,
// then in its store) on its third run, in the middle of the fleet: every
// target is migrated, the command ran for the connections after the
// first, and neither password is ever printed.
func TestFleetPasswordRotation(t *testing.T) {
	t.Parallel()
	dbs := []testdb.DB{testdb.MySQL(t), testdb.MySQL(t), testdb.MySQL(t)}
	oldPW, newPW := "old-"+randomHex(8), "new-"+randomHex(8)
	name, _ := dbUser(t, "mysql", dbs[0], oldPW)
	admin := dbs[0].Open(t)
	var targets []string
	for _, db := range dbs {
		if _, err := admin.Exec("GRANT ALL PRIVILEGES ON `" + db.Name + "`.* TO '" + name + "'@'%'"); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, "mysql://"+name+"@127.0.0.1:3306/"+db.Name)
	}
	store := t.TempDir()
	if err := os.WriteFile(filepath.Join(store, "pw"), []byte(oldPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `n=$(( $(cat "$S/count" 2>/dev/null || echo 0) + 1 )); echo $n > "$S/count"
if [ $n -eq 3 ]; then mysql -h127.0.0.1 -P3306 -uroot -e "ALTER USER '` + name + `'@'%' IDENTIFIED BY '` + newPW + `'" && echo ` + newPW + ` > "$S/pw"; fi
cat "$S/pw"`
	scriptPath := filepath.Join(store, "secret.sh")
	if err := os.WriteFile(scriptPath, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0002_add_email.sql", "ALTER TABLE users ADD COLUMN nickname varchar(200);\n")
	list := filepath.Join(f.wd, "targets.txt")
	if err := os.WriteFile(list, []byte(strings.Join(targets, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := strataEnv(t, f.wd, []string{"S=" + store}, "up", "--targets", list, "--dir", f.dir, "--parallel", "1",
		"--password-command", "sh "+scriptPath, "--json")
	want(t, r, 0)
	for _, pw := range []string{oldPW, newPW} {
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Errorf("a password is printed:\n%s", r)
		}
	}
	b, err := os.ReadFile(filepath.Join(store, "count"))
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if runs < 4 {
		t.Errorf("the password command ran %d times; want one per new connection, at least 4 (rotation on the 3rd)", runs)
	}
	if got, _ := os.ReadFile(filepath.Join(store, "pw")); strings.TrimSpace(string(got)) != newPW {
		t.Fatalf("the password was not rotated during the run (command ran %d times)", runs)
	}
	for _, db := range dbs {
		var n int
		q := "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = '" + db.Name + "' AND table_name = 'users' AND column_name = 'nickname'"
		if err := admin.QueryRow(q).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: not migrated (nickname column %d, %v)", db.Name, n, err)
		}
	}
}

// TestAWSIAMRefusals: --aws-iam (or aws_iam=true) with a password source
// besides, with a TLS mode that does not verify, or with an AWS profile
// that signs in with SSO (which strata leaves to the AWS CLI), is a usage
// error that names the fix, before any connection.
func TestAWSIAMRefusals(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	awsConfig := filepath.Join(t.TempDir(), "aws-config")
	if err := os.WriteFile(awsConfig, []byte("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		out  string
		env  []string
	}{
		{"password command besides", []string{"--aws-iam", "--url", "postgres://app@db.x.eu-west-1.rds.amazonaws.com/app", "--password-command", "echo pw"}, "remove --password-command", nil},
		{"unverified TLS", []string{"--aws-iam", "--url", "postgres://app@db.x.eu-west-1.rds.amazonaws.com/app?sslmode=require"}, "sslmode=verify-full", nil},
		{"URL parameter, skip-verify", []string{"--url", "mysql://app@db.x.eu-west-1.rds.amazonaws.com:3306/app?aws_iam=true&tls=skip-verify"}, "tls=verify-full", nil},
		{"password in the URL", []string{"--aws-iam", "--url", "postgres://app:hunter2@db.x.eu-west-1.rds.amazonaws.com/app"}, "replaces the password", nil},
		{"SSO profile", []string{"--aws-iam", "--url", "postgres://app@db.x.eu-west-1.rds.amazonaws.com/app"}, "aws configure export-credentials --profile dev", []string{"AWS_CONFIG_FILE=" + awsConfig, "AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=", "AWS_WEB_IDENTITY_TOKEN_FILE="}},
	}
	for _, c := range cases {
		r := strataEnv(t, f.wd, append([]string{"AWS_REGION=eu-west-1", "AWS_EC2_METADATA_DISABLED=true"}, c.env...), append([]string{"status", "--dir", f.dir}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.out) {
			t.Errorf("%s: want exit 2 with %q, got %s", c.name, c.out, r)
		}
		if strings.Contains(r.stdout+r.stderr, "hunter2") {
			t.Errorf("%s: the password is printed", c.name)
		}
	}
}
