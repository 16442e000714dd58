package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
)

// IAMParam is the URL query parameter that asks for RDS IAM
// authentication (aws_iam=true); strata removes it before the URL reaches
// the driver.
const IAMParam = "aws_iam"

// IAMAuth mints RDS/Aurora IAM authentication tokens: short-lived (15
// minutes) passwords signed with AWS credentials.
type IAMAuth struct {
	// Region is the AWS region of the database.
	Region string
	// Credentials are the AWS credentials tokens are signed with.
	Credentials aws.CredentialsProvider
	// Source describes where the credentials come from, for messages
	// (never a secret); "" when unknown.
	Source string
}

// LoadIAM chooses the AWS credentials from env and the shared config and
// credentials files it names, in the order of the AWS SDK's default
// chain (environment keys, web identity, the profile, container
// credentials, the EC2 instance role: see awscreds.go), and the region
// (AWS_REGION, AWS_DEFAULT_REGION, the profile's, or else the region in
// an RDS host name such as db.abc.eu-west-1.rds.amazonaws.com). Nothing
// is fetched until a token is minted.
func (t *Target) LoadIAM(ctx context.Context, env Env) (IAMAuth, error) {
	ch, err := resolveAWS(ctx, env)
	if err != nil {
		return IAMAuth{}, fmt.Errorf("choose the AWS credentials for IAM authentication: %w", err)
	}
	region := ch.region
	if region == "" {
		region = rdsRegion(t.host())
	}
	if region == "" {
		return IAMAuth{}, fmt.Errorf("IAM authentication to %s needs the database's AWS region: set AWS_REGION", t.Redacted)
	}
	a := IAMAuth{Region: region, Credentials: cached(ch.provider(ch.source, region))}
	if ch.source.kind != awsNone {
		a.Source = ch.source.String()
	}
	return a, nil
}

// rdsRegion returns the region in an RDS or Aurora endpoint's host name
// (NAME.ID.REGION.rds.amazonaws.com), or "".
func rdsRegion(host string) string {
	parts := strings.Split(strings.ToLower(host), ".")
	for i := 1; i+2 < len(parts); i++ {
		if parts[i+1] == "rds" && parts[i+2] == "amazonaws" {
			return parts[i]
		}
	}
	return ""
}

// host returns the server's host name and port.
func (t *Target) hostPort() (string, int) {
	switch {
	case t.pg != nil:
		return t.pg.Host, int(t.pg.Port)
	case t.my != nil:
		h, p, _ := net.SplitHostPort(t.my.Addr)
		n, _ := strconv.Atoi(p)
		return h, n
	}
	return "", 0
}

func (t *Target) host() string { h, _ := t.hostPort(); return h }

// user returns the user name the target logs in as.
func (t *Target) user() string {
	switch {
	case t.pg != nil:
		return t.pg.User
	case t.my != nil:
		return t.my.User
	}
	return ""
}

// WantsIAM reports whether the URL asked for IAM authentication
// (aws_iam=true).
func (t *Target) WantsIAM() bool { return t.iam }

// SetAWSIAM makes every new connection log in with a fresh IAM token
// minted by a, over TLS that verifies the server's certificate: a URL
// that sets no TLS mode gets verify-full (checked against the system's
// CAs, or sslrootcert/tls-ca), a URL that asks for less is refused. The
// token is a secret: it is scrubbed from every message.
func (t *Target) SetAWSIAM(a IAMAuth) error {
	if !t.TakesPassword() {
		return errors.New("IAM authentication is for RDS and Aurora servers; SQLite has no logins")
	}
	if t.HasPassword() {
		return fmt.Errorf("IAM authentication replaces the password, but %s has one: remove it (from the URL, or the password setting)", t.Redacted)
	}
	if err := t.forceVerifiedTLS(); err != nil {
		return err
	}
	host, port := t.hostPort()
	endpoint := net.JoinHostPort(host, strconv.Itoa(port))
	user := t.user()
	if t.my != nil {
		// MySQL sends the token with mysql_clear_password: safe only over
		// the verified TLS forced above.
		t.my.AllowCleartextPasswords = true
	}
	return t.SetPasswordFunc(func(ctx context.Context) (string, error) {
		tok, err := auth.BuildAuthToken(ctx, endpoint, a.Region, user, a.Credentials)
		if err != nil {
			from := "the AWS credentials"
			if a.Source != "" {
				from = "AWS credentials from " + a.Source
			}
			return "", fmt.Errorf("mint an RDS IAM token for %s in %s with %s: %w", user, a.Region, from, err)
		}
		return tok, nil
	})
}

// cutIAMParam removes aws_iam from a URL's query and reports whether it
// was true. The rest of the URL is left as written.
func cutIAMParam(raw string) (string, bool, error) {
	q := query(raw)
	if q < 0 {
		return raw, false, nil
	}
	var keep []string
	on := false
	for _, p := range strings.Split(raw[q:], "&") {
		k, v, _ := strings.Cut(p, "=")
		if k != IAMParam {
			keep = append(keep, p)
			continue
		}
		v, _ = url.QueryUnescape(v)
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", false, fmt.Errorf("the URL parameter %s=%s: want true or false", IAMParam, v)
		}
		on = b
	}
	if len(keep) == 0 {
		return raw[:q-1], on, nil
	}
	return raw[:q] + strings.Join(keep, "&"), on, nil
}
