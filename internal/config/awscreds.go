package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// strata assembles the AWS SDK's default credential chain itself, from
// the SDK's provider packages, instead of calling
// github.com/aws/aws-sdk-go-v2/config.LoadDefaultConfig: that package
// links the SSO, SSO-OIDC and sign-in service clients, whose package
// initialisation every strata start paid for (about 9 ms and 2 MiB).
// The order is the SDK's:
//
//  1. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN);
//  2. AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (EKS IRSA);
//  3. the profile (AWS_PROFILE, else "default") of the shared config and
//     credentials files: static keys, credential_source,
//     web_identity_token_file, credential_process, each optionally
//     assuming role_arn (source_profile chains profiles);
//  4. container credentials (ECS task roles, EKS Pod Identity);
//  5. the EC2 instance role (IMDS), unless AWS_EC2_METADATA_DISABLED=true.
//
// Profiles that sign in with IAM Identity Center (SSO) or `aws login`
// are refused with the way to export their credentials instead.

// awsKind is the kind of an awsSource.
type awsKind string

const (
	awsStatic      awsKind = "static"
	awsWebIdentity awsKind = "web-identity"
	awsAssumeRole  awsKind = "assume-role"
	awsProcess     awsKind = "process"
	awsContainer   awsKind = "container"
	awsIMDS        awsKind = "imds"
	awsNone        awsKind = "none"
)

// awsSource is where the AWS credentials come from, as chosen from the
// environment and the shared files before anything is fetched.
type awsSource struct {
	kind  awsKind
	where string // for messages: "AWS_ACCESS_KEY_ID", `profile "prod"`

	keys aws.Credentials // static

	roleARN, sessionName, externalID string        // assume-role, web-identity
	duration                         time.Duration // assume-role
	tokenFile                        string        // web-identity
	base                             *awsSource    // assume-role: the credentials that call STS

	command string // process
	env     Env    // process: its environment

	endpoint, authToken, authTokenFile string // container; imds: endpoint

	imdsMode imds.EndpointModeState // imds

	err error // none: why there are no credentials
}

// kinds returns the source's kind and those of its bases, for tests:
// "assume-role<static".
func (s *awsSource) kinds() string {
	if s.base == nil {
		return string(s.kind)
	}
	return string(s.kind) + "<" + s.base.kinds()
}

// String describes the source for messages, without secrets.
func (s *awsSource) String() string {
	switch s.kind {
	case awsStatic:
		return "the access key in " + s.where
	case awsWebIdentity:
		return "role " + s.roleARN + " assumed with the web identity token of " + s.where
	case awsAssumeRole:
		return "role " + s.roleARN + " (" + s.where + ") assumed with " + s.base.String()
	case awsProcess:
		return "the credential_process of " + s.where
	case awsContainer:
		return "the container credentials at " + s.endpoint + " (" + s.where + ")"
	case awsIMDS:
		return "the EC2 instance role (IMDS at " + s.endpoint + ")"
	}
	return "no AWS credentials"
}

// awsChain is the resolved credential source and region.
type awsChain struct {
	source *awsSource
	region string // AWS_REGION, AWS_DEFAULT_REGION or the profile's; may be ""
	// stsEndpoint is AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, "" for
	// the regional STS endpoint.
	stsEndpoint string
}

// awsResolver chooses the credential source.
type awsResolver struct {
	ctx     context.Context
	env     Env
	files   *awsFiles
	visited map[string]bool
}

// resolveAWS chooses where the credentials come from and the region,
// reading env and the shared files it names. Nothing is fetched: a
// configuration that cannot work is an error now, one that may work
// (such as the instance role) fails when a token is minted.
func resolveAWS(ctx context.Context, env Env) (awsChain, error) {
	files, err := loadAWSFiles(env)
	if err != nil {
		return awsChain{}, err
	}
	name, explicit := env.Lookup("AWS_PROFILE")
	variable := "AWS_PROFILE"
	if !explicit {
		name, explicit = env.Lookup("AWS_DEFAULT_PROFILE")
		variable = "AWS_DEFAULT_PROFILE"
	}
	if !explicit {
		name = "default"
	}
	prof := files.profile(name)
	if explicit && prof == nil {
		return awsChain{}, fmt.Errorf("%s is %q, but %s has no such profile ([profile %s] in the config file, [%s] in the credentials file)", variable, name, files.where(), name, name)
	}
	var ch awsChain
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if r, ok := env.Lookup(v); ok {
			ch.region = r
			break
		}
	}
	if ch.region == "" {
		ch.region = prof.get("region")
	}
	if ignore, _ := env.Lookup("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); !strings.EqualFold(ignore, "true") {
		for _, v := range []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"} {
			if e, ok := env.Lookup(v); ok {
				ch.stsEndpoint = e
				break
			}
		}
	}
	r := &awsResolver{ctx: ctx, env: env, files: files, visited: map[string]bool{}}
	if keys, ok := r.envKeys(); ok {
		ch.source = &awsSource{kind: awsStatic, where: "AWS_ACCESS_KEY_ID", keys: keys}
		return ch, nil
	}
	if tokenFile, ok := env.Lookup("AWS_WEB_IDENTITY_TOKEN_FILE"); ok {
		role, ok := env.Lookup("AWS_ROLE_ARN")
		if !ok {
			return awsChain{}, errors.New("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set the role to assume with the token")
		}
		session, _ := env.Lookup("AWS_ROLE_SESSION_NAME")
		ch.source = &awsSource{kind: awsWebIdentity, where: "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile: tokenFile, roleARN: role, sessionName: session}
		return ch, nil
	}
	ch.source, err = r.fromProfile(name, prof, true)
	if err != nil {
		return awsChain{}, err
	}
	return ch, nil
}

// envKeys returns the static keys in the environment, ok=false unless
// both the key ID and the secret are set.
func (r *awsResolver) envKeys() (aws.Credentials, bool) {
	first := func(names ...string) string {
		for _, n := range names {
			if v, ok := r.env.Lookup(n); ok {
				return v
			}
		}
		return ""
	}
	c := aws.Credentials{
		AccessKeyID:     first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
		SecretAccessKey: first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
		SessionToken:    first("AWS_SESSION_TOKEN"),
		AccountID:       first("AWS_ACCOUNT_ID"),
		Source:          awscreds.StaticCredentialsName,
	}
	return c, c.HasKeys()
}

// ssoKeys are the profile keys of IAM Identity Center sign-in.
var ssoKeys = []string{"sso_session", "sso_start_url", "sso_account_id", "sso_role_name", "sso_region"}

// fromProfile chooses the source of the named profile (p may be nil for
// the default profile when the files do not have it). top is false for
// a profile reached through source_profile, which must have credentials
// of its own: a static key in it is used as it is, without its role.
func (r *awsResolver) fromProfile(name string, p *awsProfile, top bool) (*awsSource, error) {
	where := fmt.Sprintf("profile %q", name)
	revisit := r.visited[name]
	r.visited[name] = true
	id, secret := p.has("aws_access_key_id"), p.has("aws_secret_access_key")
	if id != secret {
		file := p.from["aws_access_key_id"] + p.from["aws_secret_access_key"]
		return nil, fmt.Errorf("AWS %s in %s has only one of aws_access_key_id and aws_secret_access_key: set both", where, file)
	}
	var static *awsSource
	if id {
		static = &awsSource{kind: awsStatic, where: fmt.Sprintf("%s (%s)", where, p.from["aws_access_key_id"]), keys: aws.Credentials{
			AccessKeyID:     p.get("aws_access_key_id"),
			SecretAccessKey: p.get("aws_secret_access_key"),
			SessionToken:    p.get("aws_session_token"),
			AccountID:       p.get("aws_account_id"),
			Source:          awscreds.StaticCredentialsName,
		}}
		if !top {
			return static, nil
		}
	}
	role, sourceProfile := p.get("role_arn"), p.get("source_profile")
	if revisit {
		// A profile that is its own source_profile: the second time,
		// only its credentials count, not its role (as in the SDK).
		role, sourceProfile = "", ""
	}
	credSource, process, webToken := p.get("credential_source"), p.get("credential_process"), p.get("web_identity_token_file")
	var set []string
	for _, k := range []struct{ key, v string }{{"source_profile", sourceProfile}, {"credential_source", credSource}, {"credential_process", process}, {"web_identity_token_file", webToken}} {
		if k.v != "" {
			set = append(set, k.key)
		}
	}
	if len(set) > 1 {
		return nil, fmt.Errorf("AWS %s sets %s: keep one of them", where, strings.Join(set, " and "))
	}
	if len(set) == 1 && set[0] != "credential_process" && role == "" {
		return nil, fmt.Errorf("AWS %s sets %s but no role_arn: %s only says where the credentials that assume role_arn come from", where, set[0], set[0])
	}
	if role != "" && p.has("mfa_serial") {
		return nil, fmt.Errorf("AWS %s assumes %s with an MFA code (mfa_serial), which strata cannot ask for: export credentials first, e.g. eval \"$(aws configure export-credentials --profile %s --format env)\"", where, role, name)
	}
	var base *awsSource
	var err error
	switch {
	case sourceProfile != "":
		sp := r.files.profile(sourceProfile)
		if sp == nil {
			return nil, fmt.Errorf("AWS %s has source_profile %q, which is not in %s", where, sourceProfile, r.files.where())
		}
		base, err = r.fromProfile(sourceProfile, sp, false)
	case static != nil:
		base = static
	case credSource != "":
		base, err = r.fromCredentialSource(where, credSource)
	case webToken != "":
		return &awsSource{kind: awsWebIdentity, where: where + " web_identity_token_file", tokenFile: webToken, roleARN: role, sessionName: p.get("role_session_name")}, nil
	case process != "":
		// Before SSO, unlike the SDK: a credential_process added to an
		// SSO profile is how strata uses it.
		base = &awsSource{kind: awsProcess, where: where, command: process, env: r.env}
	case p.hasAny(ssoKeys...):
		return nil, fmt.Errorf("AWS %s signs in with IAM Identity Center (SSO), which strata does not do itself: export its credentials first, e.g. eval \"$(aws configure export-credentials --profile %s --format env)\", or add to the profile credential_process = aws configure export-credentials --profile %s --format process", where, name, name)
	case p.has("login_session"):
		return nil, fmt.Errorf("AWS %s signs in with `aws login`, which strata does not do itself: export its credentials first, e.g. eval \"$(aws configure export-credentials --profile %s --format env)\", or add to the profile credential_process = aws configure export-credentials --profile %s --format process", where, name, name)
	case !top:
		return nil, fmt.Errorf("AWS %s is a source_profile but has no credentials: give it aws_access_key_id and aws_secret_access_key, credential_process, or credential_source", where)
	default:
		base, err = r.container("")
		if err == nil && base == nil {
			base, err = r.instanceRole("")
		}
	}
	if err != nil {
		return nil, err
	}
	if role == "" {
		return base, nil
	}
	ar := &awsSource{kind: awsAssumeRole, where: where, roleARN: role, sessionName: p.get("role_session_name"), externalID: p.get("external_id"), base: base}
	if d := p.get("duration_seconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, fmt.Errorf("AWS %s has duration_seconds = %s: want a number of seconds from 900 to 43200", where, d)
		}
		ar.duration = time.Duration(n) * time.Second
	}
	return ar, nil
}

// hasAny reports whether the profile sets any of keys.
func (p *awsProfile) hasAny(keys ...string) bool {
	for _, k := range keys {
		if p.has(k) {
			return true
		}
	}
	return false
}

// fromCredentialSource chooses the source a profile's credential_source
// names.
func (r *awsResolver) fromCredentialSource(where, credSource string) (*awsSource, error) {
	switch credSource {
	case "Environment":
		keys, ok := r.envKeys()
		if !ok {
			return nil, fmt.Errorf("AWS %s has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set", where)
		}
		return &awsSource{kind: awsStatic, where: "AWS_ACCESS_KEY_ID", keys: keys}, nil
	case "EcsContainer":
		s, err := r.container(where)
		if err == nil && s == nil {
			err = fmt.Errorf("AWS %s has credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set", where)
		}
		return s, err
	case "Ec2InstanceMetadata":
		return r.instanceRole(where)
	}
	return nil, fmt.Errorf("AWS %s has credential_source = %s: want Environment, EcsContainer or Ec2InstanceMetadata", where, credSource)
}

// container chooses the container credentials endpoint of the
// environment, or nil when there is none.
func (r *awsResolver) container(where string) (*awsSource, error) {
	s := &awsSource{kind: awsContainer}
	s.authToken, _ = r.env.Lookup("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	s.authTokenFile, _ = r.env.Lookup("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	if rel, ok := r.env.Lookup("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); ok {
		s.where, s.endpoint = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "http://169.254.170.2"+rel
		return s, nil
	}
	full, ok := r.env.Lookup("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if !ok {
		return nil, nil
	}
	s.where, s.endpoint = "AWS_CONTAINER_CREDENTIALS_FULL_URI", full
	u, err := url.Parse(full)
	if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http:// or https:// URL with a host")
	}
	if u.Scheme == "http" {
		// Plain HTTP only to this machine or the ECS/EKS agents, as the SDK
		// allows.
		ok, err := containerHostAllowed(r.ctx, u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI: resolve %s: %w", u.Hostname(), err)
		}
		if !ok {
			return nil, fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI is http:// to %s: plain HTTP is allowed only to a loopback address or the ECS/EKS agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https://", u.Hostname())
		}
	}
	return s, nil
}

// containerHostAllowed reports whether every address of host is a
// loopback address or an ECS/EKS container credentials agent.
func containerHostAllowed(ctx context.Context, host string) (bool, error) {
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		var err error
		if addrs, err = net.DefaultResolver.LookupHost(ctx, host); err != nil {
			return false, err
		}
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if ip == nil || !(ip.IsLoopback() || ip.Equal(net.IPv4(169, 254, 170, 2)) || ip.Equal(net.IPv4(169, 254, 170, 23)) || ip.Equal(net.ParseIP("fd00:ec2::23"))) {
			return false, nil
		}
	}
	return true, nil
}

// instanceRole chooses the EC2 instance role, or awsNone when
// AWS_EC2_METADATA_DISABLED=true (an error when where, a profile's
// credential_source, asks for it).
func (r *awsResolver) instanceRole(where string) (*awsSource, error) {
	if v, _ := r.env.Lookup("AWS_EC2_METADATA_DISABLED"); strings.EqualFold(v, "true") {
		if where != "" {
			return nil, fmt.Errorf("AWS %s has credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true", where)
		}
		return &awsSource{kind: awsNone, err: errors.New("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or run with a container or instance role (AWS_EC2_METADATA_DISABLED is true, so the instance role is not asked)")}, nil
	}
	s := &awsSource{kind: awsIMDS, imdsMode: imds.EndpointModeStateIPv4, endpoint: "http://169.254.169.254"}
	if m, ok := r.env.Lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"); ok {
		switch {
		case strings.EqualFold(m, "IPv4"):
		case strings.EqualFold(m, "IPv6"):
			s.imdsMode, s.endpoint = imds.EndpointModeStateIPv6, "http://[fd00:ec2::254]"
		default:
			return nil, fmt.Errorf("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is %q: want IPv4 or IPv6", m)
		}
	}
	if e, ok := r.env.Lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT"); ok {
		s.endpoint = e
	}
	return s, nil
}

// provider returns the credentials provider for the source; STS calls go
// to region (or the chain's STS endpoint). Nothing is fetched until its
// Retrieve.
func (ch awsChain) provider(s *awsSource, region string) aws.CredentialsProvider {
	switch s.kind {
	case awsStatic:
		return awscreds.StaticCredentialsProvider{Value: s.keys}
	case awsWebIdentity:
		client := ch.sts(region, nil)
		return aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(client, s.roleARN, stscreds.IdentityTokenFile(s.tokenFile), func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = s.sessionName
		}))
	case awsAssumeRole:
		base := ch.provider(s.base, region)
		return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(ch.sts(region, base), s.roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = s.sessionName
			if s.externalID != "" {
				o.ExternalID = aws.String(s.externalID)
			}
			o.Duration = s.duration
		}))
	case awsProcess:
		return aws.NewCredentialsCache(newProcessCreds(s))
	case awsContainer:
		p := endpointcreds.New(s.endpoint, func(o *endpointcreds.Options) {
			o.AuthorizationToken = s.authToken
			if file := s.authTokenFile; file != "" {
				o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
					b, err := os.ReadFile(file)
					if err != nil {
						return "", fmt.Errorf("read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
					}
					return strings.TrimRight(string(b), "\r\n"), nil
				})
			}
		})
		return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	case awsIMDS:
		client := imds.New(imds.Options{Endpoint: s.endpoint, EndpointMode: s.imdsMode, ClientEnableState: imds.ClientEnabled})
		return aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client }))
	}
	err := s.err
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, err })
}

// cached returns p behind an aws.CredentialsCache, unless it is one.
func cached(p aws.CredentialsProvider) aws.CredentialsProvider {
	if _, ok := p.(*aws.CredentialsCache); ok {
		return p
	}
	return aws.NewCredentialsCache(p)
}

// sts returns an STS client for region signing with creds (nil for the
// unsigned AssumeRoleWithWebIdentity).
func (ch awsChain) sts(region string, creds aws.CredentialsProvider) *sts.Client {
	o := sts.Options{Region: region, Credentials: creds}
	if ch.stsEndpoint != "" {
		o.BaseEndpoint = aws.String(ch.stsEndpoint)
	}
	return sts.New(o)
}

// processCreds runs a profile's credential_process with sh -c in strata's
// environment (Env, not the process's own), through the SDK's
// processcreds. Its errors have the exit status and standard error but
// never what it printed on standard output (the credentials).
type processCreds struct {
	src            *awsSource
	sdk            *processcreds.Provider
	mu             sync.Mutex // one run at a time: stdout and stderr are shared
	stdout, stderr bytes.Buffer
}

func newProcessCreds(s *awsSource) *processCreds {
	pc := &processCreds{src: s}
	pc.sdk = processcreds.NewProviderCommand(processcreds.NewCommandBuilderFunc(pc.command))
	return pc
}

// command builds the credential process's command.
func (pc *processCreds) command(ctx context.Context) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", pc.src.command)
	cmd.Env = pc.src.env.List()
	pc.stdout.Reset()
	pc.stderr.Reset()
	cmd.Stdout, cmd.Stderr = &pc.stdout, &pc.stderr
	return cmd, nil
}

// Retrieve runs the command and returns the credentials it printed.
func (pc *processCreds) Retrieve(ctx context.Context) (aws.Credentials, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	c, err := pc.sdk.Retrieve(ctx)
	if err == nil {
		return c, nil
	}
	what := "the credential_process of AWS " + pc.src.where
	var ee *exec.ExitError
	if errors.As(err, &ee) || ctx.Err() != nil {
		msg := strings.TrimSpace(pc.stderr.String())
		for _, secret := range printed(pc.stdout.Bytes()) {
			msg = strings.ReplaceAll(msg, secret, Mask)
		}
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		if msg == "" {
			msg = "(nothing on stderr)"
		}
		status := "did not finish"
		if ee != nil {
			status = ee.ProcessState.String()
		}
		return aws.Credentials{}, fmt.Errorf("%s failed (%s): %s", what, status, msg)
	}
	var probe map[string]any
	if json.Unmarshal(pc.stdout.Bytes(), &probe) != nil {
		// The SDK's error would quote the output.
		return aws.Credentials{}, fmt.Errorf("%s did not print a JSON object ({\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}) on standard output", what)
	}
	return aws.Credentials{}, fmt.Errorf("%s: %w", what, err)
}

// printed returns what a credential process printed on standard output,
// to be masked in its standard error: each line and, when it is a JSON
// object, each string value of at least 4 characters (the keys).
func printed(stdout []byte) []string {
	var out []string
	for _, line := range strings.Split(string(stdout), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	var obj map[string]any
	if json.Unmarshal(stdout, &obj) == nil {
		for _, v := range obj {
			if s, ok := v.(string); ok && len(s) >= 4 {
				out = append(out, s)
			}
		}
	}
	return out
}
