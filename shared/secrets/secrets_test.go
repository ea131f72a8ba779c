package secrets

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestDatabaseURL(t *testing.T) {
	for name, tc := range map[string]struct {
		secret, key, want string
	}{
		"a plain URL":                 {"postgres://u:p@db:5432/app", "url", "postgres://u:p@db:5432/app"},
		"a url key":                   {`{"url":"postgres://pooled/app","directUrl":"postgres://direct/app"}`, "url", "postgres://pooled/app"},
		"a directUrl key":             {`{"url":"postgres://pooled/app","directUrl":"postgres://direct/app"}`, "directUrl", "postgres://direct/app"},
		"no directUrl":                {`{"url":"postgres://pooled/app"}`, "directUrl", "postgres://pooled/app"},
		"an RDS secret":               {`{"engine":"postgres","username":"app","password":"p@ss/w:rd","host":"db.example","port":5432,"dbname":"kitten"}`, "url", "postgres://app:p%40ss%2Fw%3Ard@db.example:5432/kitten?sslmode=require"},
		"an RDS secret, port as text": {`{"username":"app","password":"x","host":"h","port":"6432","dbname":"k"}`, "url", "postgres://app:x@h:6432/k?sslmode=require"},
	} {
		got, _, err := DatabaseURL(tc.secret, tc.key)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "not a url", `{"password":"x"}`, `[1]`} {
		if _, _, err := DatabaseURL(bad, "url"); err == nil {
			t.Errorf("%q was taken for a database secret", bad)
		}
	}
}

// fakeSecrets stands in for Secrets Manager in this unit test of the caching rules;
// nothing here can reach the real service.
type fakeSecrets struct {
	value string
	err   error
	reads int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	return &secretsmanager.GetSecretValueOutput{Name: in.SecretId, SecretString: aws.String(f.value)}, nil
}

func TestManagerReadsAgainAfterTTLAndOnRefresh(t *testing.T) {
	ctx := context.Background()
	fake := &fakeSecrets{value: "first"}
	m := &Manager{Client: fake, ID: "kittenasso/jwt", TTL: 50 * time.Millisecond}
	for range 3 {
		if v, err := m.Value(ctx); v != "first" || err != nil {
			t.Fatalf("Value = %q, %v", v, err)
		}
	}
	if fake.reads != 1 {
		t.Errorf("%d reads within the TTL, want 1", fake.reads)
	}
	fake.value = "rotated"
	if v, _ := m.Refresh(ctx); v != "first" || fake.reads != 1 {
		t.Errorf("a refresh right after a read read again (%q, %d reads): a burst of bad tokens would hammer the service", v, fake.reads)
	}
	time.Sleep(60 * time.Millisecond)
	if v, _ := m.Value(ctx); v != "rotated" || fake.reads != 2 {
		t.Errorf("after the TTL: %q, %d reads", v, fake.reads)
	}
	// A failed read reports the error and keeps the last value for the caller to judge.
	fake.err = errors.New("throttled")
	time.Sleep(60 * time.Millisecond)
	if v, err := m.Value(ctx); err == nil || v != "rotated" {
		t.Errorf("a failed read: %q, %v", v, err)
	}
}

// TestIAMDatabaseAuthentication: a secret marked iamAuth has no password; each new
// connection gets a fresh token, signed for the secret's host and user.
func TestIAMDatabaseAuthentication(t *testing.T) {
	ctx := context.Background()
	src := Static(`{"iamAuth":true,"username":"app","host":"proxy.example","port":5432,"dbname":"kitten"}`)
	var asked []string
	n := 0
	token := func(_ context.Context, endpoint, user string) (string, error) {
		n++
		asked = append(asked, endpoint+" "+user)
		return "token/" + strconv.Itoa(n), nil
	}
	credentials := databaseCredentials(src, "url", token)
	for i := 1; i <= 2; i++ {
		got, err := credentials(ctx)
		want := "postgres://app:token%2F" + strconv.Itoa(i) + "@proxy.example:5432/kitten?sslmode=require"
		if err != nil || got != want {
			t.Errorf("connection %d: %q, %v; want %q", i, got, err, want)
		}
	}
	if len(asked) != 2 || asked[0] != "proxy.example:5432 app" {
		t.Errorf("tokens asked for %v", asked)
	}
	// A secret with a password is used as it is.
	plain := databaseCredentials(Static(`{"username":"app","password":"pw","host":"h","port":5432,"dbname":"k"}`), "url", token)
	if got, _ := plain(ctx); got != "postgres://app:pw@h:5432/k?sslmode=require" || n != 2 {
		t.Errorf("a password secret: %q (tokens made: %d)", got, n)
	}
}

// TestIAMTokenIsSigned: the real token is a SigV4-presigned connect request for the
// user, made offline from the function's credentials.
func TestIAMTokenIsSigned(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tok, err := iamToken(context.Background(), "proxy.example:5432", "app")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"proxy.example:5432?", "Action=connect", "DBUser=app", "X-Amz-Signature=", "eu-west-1%2Frds-db"} {
		if !strings.Contains(tok, part) {
			t.Errorf("token %q lacks %q", tok, part)
		}
	}
}
