// Package secrets reads the functions' secrets (the database credentials, the token
// signing key) from AWS Secrets Manager, so that no secret value sits in a function's
// environment, and reads them again so that a rotated secret is picked up without a
// redeploy. Locally, where there is no Secrets Manager, a Static value stands in.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdsauth "github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kittenasso/kittenasso/shared/awsenv"
)

// Source gives a secret's current value.
type Source interface {
	// Value returns the value, read again once the last read is older than the source's TTL.
	Value(ctx context.Context) (string, error)
	// Refresh reads the value again now, after a failure suggests it was rotated.
	Refresh(ctx context.Context) (string, error)
}

// Static is a value from the environment (local development and tests).
type Static string

func (s Static) Value(context.Context) (string, error)   { return string(s), nil }
func (s Static) Refresh(context.Context) (string, error) { return string(s), nil }

// WithRotation calls use with the secret's value and, when use fails, once more with
// the value read again, if that differs: the secret may have been rotated since it was
// read. It returns use's error, or the error of reading the secret.
func WithRotation(ctx context.Context, src Source, use func(value string) error) error {
	value, err := src.Value(ctx)
	if err != nil {
		return err
	}
	if err = use(value); err == nil {
		return nil
	}
	fresh, readErr := src.Refresh(ctx)
	if readErr != nil {
		return readErr
	}
	if fresh == value {
		return err
	}
	return use(fresh)
}

// Getter is the one call of the Secrets Manager client used here.
type Getter interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Manager is one secret of AWS Secrets Manager, named by ID (its ARN or name).
type Manager struct {
	Client Getter
	ID     string
	// TTL is how long a read value is used before it is read again.
	TTL time.Duration

	mu     sync.Mutex
	value  string
	readAt time.Time
}

// minRefreshGap keeps a burst of failures (bad tokens, say) from reading the secret
// again and again: one read every few seconds is enough to catch a rotation.
const minRefreshGap = 5 * time.Second

// Value returns the cached value, or reads it when it is older than TTL.
func (m *Manager) Value(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.readAt.IsZero() && time.Since(m.readAt) < m.TTL {
		return m.value, nil
	}
	return m.read(ctx)
}

// Refresh reads the value again, unless it was read only a moment ago.
func (m *Manager) Refresh(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.readAt.IsZero() && time.Since(m.readAt) < minRefreshGap {
		return m.value, nil
	}
	return m.read(ctx)
}

func (m *Manager) read(ctx context.Context) (string, error) {
	out, err := m.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(m.ID)})
	if err != nil {
		// The error names the secret, never its value.
		return m.value, fmt.Errorf("secrets: read %s: %w", m.ID, err)
	}
	if out.SecretString == nil {
		return m.value, fmt.Errorf("secrets: %s holds no SecretString", m.ID)
	}
	m.value, m.readAt = *out.SecretString, time.Now()
	return m.value, nil
}

// DatabaseURL reads a PostgreSQL connection string out of a database secret: the
// string itself, or a JSON object with a "url" (or, with key "directUrl", the direct
// URL a migration needs), or the fields RDS keeps in the secrets it manages and
// rotates: username, password, host, port, dbname. iamAuth reports a JSON secret
// marked "iamAuth": true, whose password is an IAM token made at each connection.
func DatabaseURL(secret, key string) (dsn string, iamAuth bool, err error) {
	secret = strings.TrimSpace(secret)
	if strings.HasPrefix(secret, "postgres://") || strings.HasPrefix(secret, "postgresql://") {
		return secret, false, nil
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(secret), &fields); err != nil {
		return "", false, errors.New("secrets: the database secret is neither a postgres:// URL nor a JSON object")
	}
	iamAuth = fields["iamAuth"] == true
	for _, k := range []string{key, "url"} {
		if u, ok := fields[k].(string); ok && u != "" {
			return u, iamAuth, nil
		}
	}
	text := func(k string) string {
		switch v := fields[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	if text("username") == "" || text("host") == "" {
		return "", false, errors.New("secrets: the database secret has no url, and no username and host")
	}
	host := text("host")
	if port := text("port"); port != "" {
		host += ":" + port
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(text("username"), text("password")), Host: host,
		Path: "/" + text("dbname"), RawQuery: "sslmode=require"}
	return u.String(), iamAuth, nil
}

// DefaultTTL is how long a secret read from Secrets Manager is used before it is read
// again: a rotation reaches every function within it.
const DefaultTTL = 5 * time.Minute

// FromEnv is the secret named by arn in Secrets Manager, read with client, or, with
// no arn (local development), the plain value.
func FromEnv(arn, plain string, client func() Getter) Source {
	if arn == "" {
		return Static(plain)
	}
	return &Manager{Client: client(), ID: arn, TTL: DefaultTTL}
}

// newClient is the Secrets Manager client of the Lambda environment.
func newClient() Getter {
	return secretsmanager.NewFromConfig(awsenv.Config(), func(o *secretsmanager.Options) {
		o.BaseEndpoint = awsenv.Endpoint("SECRETS_MANAGER")
	})
}

// Key is the token signing key: the secret named by arn, or locally the plain key.
func Key(arn string, plain []byte) Source {
	return FromEnv(arn, string(plain), newClient)
}

// DefaultUserPass is the default admin's password: the secret named by arn, or
// locally the plain password.
func DefaultUserPass(arn, plain string) Source {
	return FromEnv(arn, plain, newClient)
}

// DatabaseCredentials gives the connection string held by the database secret arn
// (under key, see DatabaseURL), read again at each call so that a new connection
// after a rotation uses the new password; nil without an arn (locally, DATABASE_URL).
// A secret with "iamAuth": true (RDS Proxy or RDS with IAM database authentication)
// gets a fresh IAM authentication token as its password at each call.
func DatabaseCredentials(arn, key string) func(context.Context) (string, error) {
	if arn == "" {
		return nil
	}
	return databaseCredentials(FromEnv(arn, "", newClient), key, iamToken)
}

// tokenFunc makes an IAM database authentication token for user at endpoint (host:port).
type tokenFunc func(ctx context.Context, endpoint, user string) (string, error)

func databaseCredentials(src Source, key string, token tokenFunc) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		v, err := src.Refresh(ctx)
		if err != nil {
			return "", err
		}
		dsn, iamAuth, err := DatabaseURL(v, key)
		if err != nil || !iamAuth {
			return dsn, err // a plain URL, or a secret with its password
		}
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("secrets: the database secret does not make a valid URL")
		}
		password, err := token(ctx, u.Host, u.User.Username())
		if err != nil {
			return "", fmt.Errorf("secrets: IAM database token: %w", err)
		}
		u.User = url.UserPassword(u.User.Username(), password)
		return u.String(), nil
	}
}

// iamToken signs an IAM database authentication token with the function's role.
func iamToken(ctx context.Context, endpoint, user string) (string, error) {
	cfg := awsenv.Config()
	return rdsauth.BuildAuthToken(ctx, endpoint, cfg.Region, user, cfg.Credentials)
}

// Origin is the secret CloudFront adds to the requests it sends to the API, named by
// arn; nil without one (locally, and wherever no CloudFront stands in front).
func Origin(arn string) Source {
	if arn == "" {
		return nil
	}
	return FromEnv(arn, "", newClient)
}
