package config

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestIAMToken: the token minted for each new connection is an RDS
// connect request for the URL's host, port and user in the region,
// valid 15 minutes, and signed exactly as the SDK's own SigV4 signer
// signs it with the same fixed credentials at the token's time.
func TestIAMToken(t *testing.T) {
	t.Parallel()
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "session-token"}
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	cases := []struct {
		url, host, port, user, region string
		cleartext                     bool
	}{
		{"postgres://app@db1.abc123.eu-west-1.rds.amazonaws.com:5432/app?aws_iam=true", "db1.abc123.eu-west-1.rds.amazonaws.com", "5432", "app", "eu-west-1", false},
		{"mysql://migrator@db2.cluster-xyz.us-east-2.rds.amazonaws.com:3307/shop?aws_iam=1", "db2.cluster-xyz.us-east-2.rds.amazonaws.com", "3307", "migrator", "us-east-2", true},
		{"postgres://app@proxy.proxy-abc.ap-south-1.rds.amazonaws.com/app?aws_iam=true&sslmode=verify-full", "proxy.proxy-abc.ap-south-1.rds.amazonaws.com", "5432", "app", "ap-south-1", false},
	}
	for _, c := range cases {
		tg, err := Parse(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if !tg.WantsIAM() {
			t.Errorf("%s: aws_iam not seen", c.url)
		}
		if strings.Contains(tg.DSN, IAMParam) {
			t.Errorf("%s: aws_iam reaches the driver: %s", c.url, tg.DSN)
		}
		region := rdsRegion(tg.host())
		if region != c.region {
			t.Errorf("%s: region %q from the host, want %q", c.url, region, c.region)
		}
		if err := tg.SetAWSIAM(IAMAuth{Region: region, Credentials: provider}); err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if s, _ := tg.TLS(); !s.Verified {
			t.Errorf("%s: IAM left TLS unverified: %+v", c.url, s)
		}
		if tg.my != nil && tg.my.AllowCleartextPasswords != c.cleartext {
			t.Errorf("%s: MySQL clear-text password plugin not allowed", c.url)
		}
		before := time.Now().UTC().Truncate(time.Second)
		tok, err := tg.creds.password(context.Background(), tg)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		after := time.Now().UTC()
		q := checkIAMToken(t, c.url, tok, creds, c.host, c.port, c.user, c.region, before, after)
		// Never printed: the token is scrubbed from messages.
		if msg := tg.Scrub("login with " + tok); strings.Contains(msg, q.Get("X-Amz-Signature")) {
			t.Errorf("%s: the token survives Scrub: %s", c.url, msg)
		}
	}
}

// checkIAMToken checks that tok is an RDS connect request for host, port
// and user in region, valid 15 minutes, signed between before and after,
// exactly as the SDK's own SigV4 signer signs it with creds at the
// token's time. It returns the token's query.
func checkIAMToken(t *testing.T, name, tok string, creds aws.Credentials, host, port, user, region string, before, after time.Time) url.Values {
	t.Helper()
	u, err := url.Parse("https://" + tok)
	if err != nil {
		t.Fatalf("%s: token does not parse: %v", name, err)
	}
	q := u.Query()
	checks := map[string][2]string{
		"host":                 {u.Hostname(), host},
		"port":                 {u.Port(), port},
		"Action":               {q.Get("Action"), "connect"},
		"DBUser":               {q.Get("DBUser"), user},
		"X-Amz-Expires":        {q.Get("X-Amz-Expires"), "900"},
		"X-Amz-Algorithm":      {q.Get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256"},
		"X-Amz-Security-Token": {q.Get("X-Amz-Security-Token"), creds.SessionToken},
	}
	signedAt, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("%s: X-Amz-Date: %v", name, err)
	}
	checks["X-Amz-Credential"] = [2]string{q.Get("X-Amz-Credential"), creds.AccessKeyID + "/" + signedAt.Format("20060102") + "/" + region + "/rds-db/aws4_request"}
	for k, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s: %s = %q, want %q", name, k, v[0], v[1])
		}
	}
	if signedAt.Before(before) || signedAt.After(after) {
		t.Errorf("%s: signed at %v, not between %v and %v", name, signedAt, before, after)
	}
	// The SDK's signer, fixed credentials, fixed clock: the same token.
	req, _ := http.NewRequest("GET", "https://"+host+":"+port+"?Action=connect&DBUser="+url.QueryEscape(user)+"&X-Amz-Expires=900", nil)
	want, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "rds-db", region, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	if want = strings.TrimPrefix(want, "https://"); tok != want {
		t.Errorf("%s: token differs from the SDK signer's:\n got %s\nwant %s", name, tok, want)
	}
	return q
}

// TestIAMRefuses: IAM needs a server, no password, and TLS that verifies
// (or no TLS mode, which strata makes verify-full).
func TestIAMRefuses(t *testing.T) {
	t.Parallel()
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, nil })
	cases := []struct{ url, want string }{
		{"postgres://app@db.x.eu-west-1.rds.amazonaws.com/app?sslmode=require", "verifies the server"},
		{"mysql://app@db.x.eu-west-1.rds.amazonaws.com/app?tls=skip-verify", "verifies the server"},
		{"postgres://app:secret@db.x.eu-west-1.rds.amazonaws.com/app", "replaces the password"},
		{"sqlite:app.db", "SQLite"},
	}
	for _, c := range cases {
		tg, err := Parse(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		err = tg.SetAWSIAM(IAMAuth{Region: "eu-west-1", Credentials: provider})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", c.url, err)
		}
	}
	if _, err := Parse("postgres://a@h/db?aws_iam=maybe"); err == nil {
		t.Error("aws_iam=maybe accepted")
	}
}
