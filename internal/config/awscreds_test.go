package config

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The fake secrets of these tests: none may appear in any message.
const (
	testSecret  = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCY"
	testSecret2 = "SECRET2abcdefghijklmnopqrstuvwxyz"
)

// showsSecret reports whether s has one of the fake secrets.
func showsSecret(s string) bool {
	return strings.Contains(s, testSecret) || strings.Contains(s, testSecret2)
}

// awsHome writes the shared config and credentials files (when not "")
// into a new HOME and returns an Env with that HOME and extra.
func awsHome(t *testing.T, config, creds string, extra ...string) Env {
	t.Helper()
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"config": config, "credentials": creds} {
		if text == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(home, ".aws", name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := Env{"HOME": home}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = strings.ReplaceAll(v, "$HOME", home)
	}
	return env
}

// TestAWSChainChoice: which source the chain picks from the environment
// and the shared files, in the SDK's order, the region, and the
// configurations refused before anything is fetched (SSO among them).
// No error shows a secret.
func TestAWSChainChoice(t *testing.T) {
	t.Parallel()
	envKeys := []string{"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=" + testSecret}
	cases := []struct {
		name          string
		config, creds string
		env           []string
		kinds         string // want: awsSource.kinds()
		about         string // want in awsSource.String()
		region        string
		err           string // want an error with this
	}{
		// The environment first.
		{name: "env keys", env: envKeys, kinds: "static", about: "AWS_ACCESS_KEY_ID"},
		{name: "env keys beat web identity, the profile, containers", creds: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " + testSecret2 + "\n",
			env: append([]string{"AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x"}, envKeys...), kinds: "static", about: "AWS_ACCESS_KEY_ID"},
		{name: "legacy env key names", env: []string{"AWS_ACCESS_KEY=AKIDENV", "AWS_SECRET_KEY=" + testSecret}, kinds: "static"},
		{name: "half the env keys are no keys", env: []string{"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_EC2_METADATA_DISABLED=true"}, kinds: "none"},
		{name: "web identity (IRSA)", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/token", "AWS_ROLE_ARN=arn:aws:iam::1:role/irsa"}, kinds: "web-identity", about: "arn:aws:iam::1:role/irsa"},
		{name: "web identity beats the profile", config: "[default]\ncredential_process = echo\n", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn:aws:iam::1:role/r"}, kinds: "web-identity"},
		{name: "web identity without a role", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE=/t"}, err: "AWS_ROLE_ARN is not"},

		// The profile.
		{name: "default profile, credentials file", creds: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " + testSecret + "\n", kinds: "static", about: `profile "default"`},
		{name: "named profile, config file", config: "[profile prod]\naws_access_key_id=AKIDFILE\naws_secret_access_key=" + testSecret + "\nregion = eu-central-1\n", env: []string{"AWS_PROFILE=prod"}, kinds: "static", about: `profile "prod"`, region: "eu-central-1"},
		{name: "AWS_DEFAULT_PROFILE", config: "[profile old]\ncredential_process = echo\n", env: []string{"AWS_DEFAULT_PROFILE=old"}, kinds: "process", about: `profile "old"`},
		{name: "a missing AWS_PROFILE", creds: "[default]\naws_access_key_id = A\naws_secret_access_key = " + testSecret + "\n", env: []string{"AWS_PROFILE=nope"}, err: `AWS_PROFILE is "nope"`},
		{name: "a missing AWS_PROFILE, even with env keys", env: append([]string{"AWS_PROFILE=nope"}, envKeys...), err: "no such profile"},
		{name: "a config-file section without the profile prefix is not a profile", config: "[prod]\ncredential_process = echo\n", env: []string{"AWS_PROFILE=prod"}, err: "no such profile"},
		{name: "a credentials-file section with the prefix is not a profile", creds: "[profile prod]\naws_access_key_id = A\naws_secret_access_key = " + testSecret + "\n", env: []string{"AWS_PROFILE=prod"}, err: "no such profile"},
		{name: "the credentials file beats the config file", config: "[default]\ncredential_process = echo config\nregion = us-west-2\n", creds: "[default]\nregion = eu-north-1\n", kinds: "process", region: "eu-north-1"},
		{name: "[profile default] beats [default]", config: "[profile default]\nregion = ap-east-1\n[default]\nregion = us-east-1\n", env: []string{"AWS_EC2_METADATA_DISABLED=true"}, kinds: "none", region: "ap-east-1"},
		{name: "partial keys", creds: "[default]\naws_access_key_id = A\n", err: "only one of aws_access_key_id and aws_secret_access_key"},
		{name: "INI: comments, quotes, spacing, nested keys",
			config: "# top\n; also\n[profile   spaced]   # comment\nregion = \"sa-east-1\" ; trailing\ns3 =\n  region = wrong\n  role_arn = wrong\ncredential_process = /usr/bin/creds --x=1 # comment\n",
			env:    []string{"AWS_PROFILE=spaced"}, kinds: "process", region: "sa-east-1"},
		{name: "role from a source profile", config: "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\nexternal_id = ext\nrole_session_name = strata\n",
			creds: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = " + testSecret + "\n", env: []string{"AWS_PROFILE=app"}, kinds: "assume-role<static", about: `arn:aws:iam::1:role/app (profile "app") assumed with the access key in profile "base"`},
		{name: "role chain", config: "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n[profile c]\ncredential_process = echo\n",
			env: []string{"AWS_PROFILE=a"}, kinds: "assume-role<assume-role<process"},
		{name: "a source profile's keys are used without its role", config: "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\naws_access_key_id = B\naws_secret_access_key = " + testSecret + "\n",
			env: []string{"AWS_PROFILE=a"}, kinds: "assume-role<static"},
		{name: "a profile that is its own source", creds: "[me]\naws_access_key_id = A\naws_secret_access_key = " + testSecret + "\n", config: "[profile me]\nrole_arn = arn:aws:iam::1:role/me\nsource_profile = me\n",
			env: []string{"AWS_PROFILE=me"}, kinds: "assume-role<static"},
		{name: "source profile loop", config: "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n", env: []string{"AWS_PROFILE=a"}, err: "has no credentials"},
		{name: "source profile missing", config: "[profile a]\nrole_arn = r\nsource_profile = gone\n", env: []string{"AWS_PROFILE=a"}, err: `source_profile "gone", which is not in`},
		{name: "source profile without credentials", config: "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nregion = x\n", env: []string{"AWS_PROFILE=a"}, err: `profile "b" is a source_profile but has no credentials`},
		{name: "source_profile without role_arn", config: "[profile a]\nsource_profile = b\n[profile b]\ncredential_process = echo\n", env: []string{"AWS_PROFILE=a"}, err: "no role_arn"},
		{name: "two credential types", config: "[default]\nrole_arn = r\ncredential_process = echo\ncredential_source = Environment\n", err: "keep one"},
		{name: "MFA", config: "[default]\nrole_arn = r\nmfa_serial = arn:aws:iam::1:mfa/me\ncredential_source = Ec2InstanceMetadata\n", err: "mfa_serial"},
		{name: "role with credential_process", config: "[default]\nrole_arn = arn:aws:iam::1:role/p\ncredential_process = echo\n", kinds: "assume-role<process"},
		{name: "role from the instance", config: "[default]\nrole_arn = arn:aws:iam::1:role/i\ncredential_source = Ec2InstanceMetadata\n", kinds: "assume-role<imds"},
		{name: "role from the instance, IMDS disabled", config: "[default]\nrole_arn = r\ncredential_source = Ec2InstanceMetadata\n", env: []string{"AWS_EC2_METADATA_DISABLED=true"}, err: "AWS_EC2_METADATA_DISABLED is true"},
		{name: "role from the container", config: "[default]\nrole_arn = r\ncredential_source = EcsContainer\n", env: []string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/abc"}, kinds: "assume-role<container", about: "http://169.254.170.2/v2/credentials/abc"},
		{name: "role from the container, none", config: "[default]\nrole_arn = r\ncredential_source = EcsContainer\n", err: "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"},
		{name: "role from the environment, no keys", config: "[default]\nrole_arn = r\ncredential_source = Environment\n", err: "credential_source = Environment"},
		{name: "unknown credential_source", config: "[default]\nrole_arn = r\ncredential_source = Magic\n", err: "want Environment, EcsContainer or Ec2InstanceMetadata"},
		{name: "duration_seconds", config: "[default]\nrole_arn = r\ncredential_process = echo\nduration_seconds = 7\n", err: "duration_seconds = 7"},
		{name: "web identity in the profile", config: "[default]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = /t\n", kinds: "web-identity", about: "arn:aws:iam::1:role/w"},
		{name: "web identity in the profile without a role", config: "[default]\nweb_identity_token_file = /t\n", err: "no role_arn"},

		// SSO and login: refused with the way out.
		{name: "SSO session", config: "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
			env: []string{"AWS_PROFILE=dev"}, err: "aws configure export-credentials --profile dev --format env"},
		{name: "legacy SSO", config: "[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = Dev\n", err: "credential_process = aws configure export-credentials --profile default --format process"},
		{name: "SSO as a source profile", config: "[profile app]\nrole_arn = r\nsource_profile = dev\n[profile dev]\nsso_session = corp\n", env: []string{"AWS_PROFILE=app"}, err: `profile "dev" signs in with IAM Identity Center`},
		{name: "SSO with credential_process added", config: "[profile dev]\nsso_session = corp\ncredential_process = aws configure export-credentials --profile dev --format process\n", env: []string{"AWS_PROFILE=dev"}, kinds: "process"},
		{name: "login", config: "[default]\nlogin_session = arn:aws:iam::1:user/me\n", err: "aws login"},

		// Containers, then the instance.
		{name: "ECS relative URI", env: []string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x"}, kinds: "container", about: "http://169.254.170.2/v2/credentials/x"},
		{name: "a profile without credentials falls through", config: "[default]\nregion = eu-west-3\n", env: []string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x"}, kinds: "container", region: "eu-west-3"},
		{name: "EKS Pod Identity", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/token"}, kinds: "container", about: "http://169.254.170.23/v1/credentials"},
		{name: "full URI, loopback", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/creds"}, kinds: "container"},
		{name: "full URI, https anywhere", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=https://creds.example.com/x"}, kinds: "container"},
		{name: "full URI, plain http elsewhere", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.1.2.3/creds"}, err: "plain HTTP is allowed only"},
		{name: "full URI, not a URL", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=169.254.170.23"}, err: "not an http"},
		{name: "instance role last", kinds: "imds", about: "http://169.254.169.254"},
		{name: "instance role, IPv6", env: []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=ipv6"}, kinds: "imds", about: "http://[fd00:ec2::254]"},
		{name: "instance role, endpoint", env: []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1338"}, kinds: "imds", about: "http://127.0.0.1:1338"},
		{name: "instance role, bad mode", env: []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=ipv5"}, err: "want IPv4 or IPv6"},
		{name: "nothing, IMDS disabled", env: []string{"AWS_EC2_METADATA_DISABLED=TRUE"}, kinds: "none"},

		// The region.
		{name: "AWS_REGION first", config: "[default]\nregion = r3\n", env: append([]string{"AWS_REGION=r1", "AWS_DEFAULT_REGION=r2"}, envKeys...), kinds: "static", region: "r1"},
		{name: "AWS_DEFAULT_REGION second", config: "[default]\nregion = r3\n", env: append([]string{"AWS_DEFAULT_REGION=r2"}, envKeys...), kinds: "static", region: "r2"},
		{name: "files named by the environment", env: []string{"AWS_CONFIG_FILE=$HOME/elsewhere", "AWS_SHARED_CREDENTIALS_FILE=$HOME/nothing-here", "AWS_PROFILE=x"}, err: "/elsewhere and "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := awsHome(t, c.config, c.creds, c.env...)
			ch, err := resolveAWS(context.Background(), env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v (%v), want an error with %q", err, ch.source, c.err)
				}
				if showsSecret(err.Error()) {
					t.Errorf("the error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ch.source.kinds(); got != c.kinds {
				t.Errorf("source %s (%s), want %s", got, ch.source, c.kinds)
			}
			if !strings.Contains(ch.source.String(), c.about) {
				t.Errorf("source described as %q, want %q in it", ch.source, c.about)
			}
			if showsSecret(ch.source.String()) {
				t.Errorf("the description shows a secret: %s", ch.source)
			}
			if ch.region != c.region {
				t.Errorf("region %q, want %q", ch.region, c.region)
			}
		})
	}
}

// TestAWSIAMLoad: LoadIAM reads the Env it is given (not the process's),
// takes the region from the host when the environment has none, and
// fails with the way out for an SSO profile.
func TestAWSIAMLoad(t *testing.T) {
	t.Parallel()
	tg, err := Parse("postgres://app@db.abc.eu-west-1.rds.amazonaws.com/app?aws_iam=true")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := tg.LoadIAM(ctx, Env{"AWS_ACCESS_KEY_ID": "AKIDLOAD", "AWS_SECRET_ACCESS_KEY": testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if a.Region != "eu-west-1" || !strings.Contains(a.Source, "AWS_ACCESS_KEY_ID") {
		t.Errorf("region %q source %q", a.Region, a.Source)
	}
	if c, err := a.Credentials.Retrieve(ctx); err != nil || c.AccessKeyID != "AKIDLOAD" || c.SecretAccessKey != testSecret {
		t.Errorf("credentials %s, %v", c.AccessKeyID, err)
	}
	env := awsHome(t, "[profile dev]\nsso_session = corp\n", "", "AWS_PROFILE=dev")
	if _, err := tg.LoadIAM(ctx, env); err == nil || !strings.Contains(err.Error(), "export-credentials --profile dev") {
		t.Errorf("SSO profile: %v", err)
	}
	// Nothing to sign with: an error when a token is minted, not before.
	a, err = tg.LoadIAM(ctx, Env{"AWS_EC2_METADATA_DISABLED": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.SetAWSIAM(a); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.creds.password(ctx, tg); err == nil || !strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("minted without credentials: %v", err)
	}
}

// fakeAWS poses as STS, a container credentials endpoint and the EC2
// instance metadata service, and records what it was asked.
type fakeAWS struct {
	mu   sync.Mutex
	seen []string // "Action key=value ..." or the path, per request
	auth []string // Authorization headers
}

func (f *fakeAWS) record(s, auth string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, s)
	f.auth = append(f.auth, auth)
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/": // STS
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		action := r.PostForm.Get("Action")
		var fields []string
		for _, k := range []string{"RoleArn", "RoleSessionName", "ExternalId", "WebIdentityToken", "DurationSeconds"} {
			if v := r.PostForm.Get(k); v != "" {
				fields = append(fields, k+"="+v)
			}
		}
		f.record(action+" "+strings.Join(fields, " "), r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult><Credentials>
<AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>token-%s</SessionToken><Expiration>%s</Expiration>
</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></%sResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%sResponse>`, action, action, strings.ToUpper(action), testSecret2, action, expires, action, action)
	case r.URL.Path == "/container":
		f.record(r.URL.Path, r.Header.Get("Authorization"))
		json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": testSecret2, "Token": "token-container", "Expiration": expires})
	case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
		f.record(r.URL.Path, "")
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		fmt.Fprint(w, "imds-token")
	case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
		f.record(r.URL.Path, r.Header.Get("X-Aws-Ec2-Metadata-Token"))
		fmt.Fprint(w, "strata-role")
	case r.URL.Path == "/latest/meta-data/iam/security-credentials/strata-role":
		f.record(r.URL.Path, r.Header.Get("X-Aws-Ec2-Metadata-Token"))
		json.NewEncoder(w).Encode(map[string]string{"Code": "Success", "AccessKeyId": "ASIAINSTANCE", "SecretAccessKey": testSecret2, "Token": "token-instance", "Expiration": expires, "LastUpdated": expires, "Type": "AWS-HMAC"})
	default:
		f.record("unexpected "+r.Method+" "+r.URL.Path, "")
		http.NotFound(w, r)
	}
}

// TestAWSCredentialsFetched: each kind of source fetches its credentials
// the way AWS serves them (STS, container endpoints and IMDS played by
// a local server, credential_process by a shell script), only when a
// token is minted, and the token is signed with them.
func TestAWSCredentialsFetched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tokenFile := write("web-token", "eyJ.web.identity", 0o600)
	authFile := write("auth-token", "pod-identity-token\n", 0o600)
	// The script reads its key from strata's Env, not the test process's.
	script := write("creds.sh", "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \""+testSecret+"\", \"SessionToken\": \"token-process\"}' \"$PROCESS_KEY\"\n", 0o700)
	cases := []struct {
		name    string
		config  string
		env     []string
		key     string   // the access key ID the token must be signed with
		session string   // and the session token
		seen    []string // requests, in order
		auth    string   // want in the first request's Authorization
	}{
		{name: "environment", env: []string{"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=" + testSecret, "AWS_SESSION_TOKEN=token-env"}, key: "AKIDENV", session: "token-env"},
		{name: "static keys in the profile", config: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " + testSecret + "\n", key: "AKIDFILE"},
		{name: "credential_process", config: "[default]\ncredential_process = " + script + "\n", env: []string{"PROCESS_KEY=AKIDPROCESS"}, key: "AKIDPROCESS", session: "token-process"},
		{name: "web identity", env: []string{"AWS_WEB_IDENTITY_TOKEN_FILE=" + tokenFile, "AWS_ROLE_ARN=arn:aws:iam::1:role/irsa", "AWS_ROLE_SESSION_NAME=pod"},
			key: "ASIAASSUMEROLEWITHWEBIDENTITY", session: "token-AssumeRoleWithWebIdentity", seen: []string{"AssumeRoleWithWebIdentity RoleArn=arn:aws:iam::1:role/irsa RoleSessionName=pod WebIdentityToken=eyJ.web.identity"}},
		{name: "assume role from a source profile", config: "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\nexternal_id = ext-1\nrole_session_name = strata\nduration_seconds = 1800\n[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = " + testSecret + "\n",
			env: []string{"AWS_PROFILE=app"}, key: "ASIAASSUMEROLE", session: "token-AssumeRole",
			seen: []string{"AssumeRole RoleArn=arn:aws:iam::1:role/app RoleSessionName=strata ExternalId=ext-1 DurationSeconds=1800"}, auth: "Credential=AKIDBASE/"},
		{name: "assume role with the process's credentials", config: "[default]\nrole_arn = arn:aws:iam::1:role/p\ncredential_process = " + script + "\n",
			env: []string{"PROCESS_KEY=AKIDPROCESS"}, key: "ASIAASSUMEROLE", session: "token-AssumeRole", auth: "Credential=AKIDPROCESS/"},
		{name: "container, token", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=$SRV/container", "AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-token"},
			key: "ASIACONTAINER", session: "token-container", seen: []string{"/container"}, auth: "ecs-token"},
		{name: "container, token file beats token", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=$SRV/container", "AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-token", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + authFile},
			key: "ASIACONTAINER", session: "token-container", seen: []string{"/container"}, auth: "pod-identity-token"},
		{name: "assume role from the container", config: "[default]\nrole_arn = arn:aws:iam::1:role/c\ncredential_source = EcsContainer\n", env: []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=$SRV/container"},
			key: "ASIAASSUMEROLE", session: "token-AssumeRole", seen: []string{"/container", "AssumeRole RoleArn=arn:aws:iam::1:role/c"}},
		{name: "instance role", env: []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=$SRV"}, key: "ASIAINSTANCE", session: "token-instance",
			seen: []string{"/latest/api/token", "/latest/meta-data/iam/security-credentials/", "/latest/meta-data/iam/security-credentials/strata-role"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeAWS{}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			env := awsHome(t, c.config, "", append([]string{"AWS_ENDPOINT_URL_STS=" + srv.URL, "AWS_REGION=eu-west-1"}, c.env...)...)
			for k, v := range env {
				env[k] = strings.ReplaceAll(v, "$SRV", srv.URL)
			}
			tg, err := Parse("postgres://migrator@db.abc.eu-west-1.rds.amazonaws.com:5432/app")
			if err != nil {
				t.Fatal(err)
			}
			a, err := tg.LoadIAM(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			if len(fake.seen) != 0 {
				t.Errorf("fetched before a token was minted: %q", fake.seen)
			}
			if err := tg.SetAWSIAM(a); err != nil {
				t.Fatal(err)
			}
			before := time.Now().UTC().Truncate(time.Second)
			tok, err := tg.creds.password(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			after := time.Now().UTC()
			secret := testSecret
			if strings.HasPrefix(c.key, "ASIA") {
				secret = testSecret2
			}
			checkIAMToken(t, c.name, tok, aws.Credentials{AccessKeyID: c.key, SecretAccessKey: secret, SessionToken: c.session}, "db.abc.eu-west-1.rds.amazonaws.com", "5432", "migrator", "eu-west-1", before, after)
			// A second token reuses the cached credentials.
			if _, err := tg.creds.password(context.Background(), tg); err != nil {
				t.Fatal(err)
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if c.seen != nil {
				if len(fake.seen) != len(c.seen) {
					t.Fatalf("requests %q, want %q", fake.seen, c.seen)
				}
				for i := range c.seen {
					if !strings.HasPrefix(fake.seen[i], c.seen[i]) {
						t.Errorf("request %d: %q, want %q", i, fake.seen[i], c.seen[i])
					}
				}
			}
			if c.auth != "" && (len(fake.auth) == 0 || !strings.Contains(fake.auth[0], c.auth)) {
				t.Errorf("authorization %q, want %q", fake.auth, c.auth)
			}
		})
	}
}

// TestAWSCredentialProcessErrors: a failing credential_process is
// reported with its exit status and standard error, never what it
// printed on standard output.
func TestAWSCredentialProcessErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ script, want string }{
		{"echo '{\"SecretAccessKey\": \"" + testSecret + "\"}'; echo \"denied " + testSecret + "\" >&2; exit 3", "failed (exit status 3): denied " + Mask},
		{"echo 'not json " + testSecret + "'", "did not print a JSON object"},
		{"echo '{\"Version\": 2}'", "wrong version"},
		{"echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "missing SecretAccessKey"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		script := filepath.Join(dir, "creds.sh")
		if err := os.WriteFile(script, []byte("#!/bin/sh\n"+c.script+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		env := awsHome(t, "[profile p]\ncredential_process = "+script+"\n", "", "AWS_PROFILE=p", "AWS_REGION=eu-west-1")
		tg, _ := Parse("postgres://app@db.example.internal/app")
		a, err := tg.LoadIAM(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Credentials.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `profile "p"`) {
			t.Errorf("%s: got %v, want an error with %q", c.script, err, c.want)
		}
		if err != nil && showsSecret(err.Error()) {
			t.Errorf("%s: the error shows the secret: %v", c.script, err)
		}
	}
}
