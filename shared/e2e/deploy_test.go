package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/config"
)

// TestMakeDeployFollowsSAM: `make deploy ENV=x` is the standard SAM path (sam build,
// then sam deploy with samconfig's environment), then the migration step, then the
// web app; `make destroy` empties the bucket before sam delete. Printed, not run:
// nothing here reaches AWS.
func TestMakeDeployFollowsSAM(t *testing.T) {
	for target, want := range map[string][]string{
		"deploy":  {"sam build", "sam deploy --config-env staging", "infra/migrate.sh kittenasso-staging", "infra/deploy-web.sh kittenasso-staging"},
		"destroy": {"infra/empty-bucket.sh kittenasso-staging", "sam delete --config-env staging"},
	} {
		out, err := exec.Command("make", "-s", "-n", "-C", "../..", target, "ENV=staging").CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "make") {
				got = append(got, line)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("make %s runs\n%s\nwant\n%s", target, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestMigrateScriptFailsTheDeploy: `aws lambda invoke` exits 0 when the function
// fails; infra/migrate.sh reads FunctionError and fails. A stand-in `aws` on the PATH
// answers as the CLI does.
func TestMigrateScriptFailsTheDeploy(t *testing.T) {
	bin := t.TempDir()
	fake := `#!/bin/sh
case "$*" in
  *describe-stacks*) echo kittenasso-staging-MigrateFunction ;;
  *"lambda invoke"*) for last; do :; done; echo '{"applied":[3]}' > "$last"; echo "$FUNCTION_ERROR" ;;
  *) echo "unexpected: aws $*" >&2; exit 2 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	for functionError, wantOK := range map[string]bool{"None": true, "Unhandled": false} {
		cmd := exec.Command("../../infra/migrate.sh", "kittenasso-staging")
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FUNCTION_ERROR="+functionError)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Errorf("FunctionError %s: exit %v, want success %v\n%s", functionError, err, wantOK, out)
		}
		if !strings.Contains(string(out), `{"applied":[3]}`) {
			t.Errorf("FunctionError %s: the function's answer is not shown:\n%s", functionError, out)
		}
	}
}

// TestSAMLocalEnvironment: `sam local start-api --env-vars infra/env.example.json`
// gives every function a working configuration (without it, parameters with no
// value become blank variables and the functions exit at init), and names every
// variable the template sets.
func TestSAMLocalEnvironment(t *testing.T) {
	data, err := os.ReadFile("../../infra/env.example.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Parameters map[string]string }
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return env.Parameters[k] }
	if _, err := config.Load(getenv); err != nil {
		t.Errorf("the API functions would not start: %v", err)
	}
	if _, err := config.LoadMail(getenv); err != nil {
		t.Errorf("the mail functions would not start: %v", err)
	}
	if _, err := config.LoadDatabase(getenv); err != nil {
		t.Errorf("migrate would not start: %v", err)
	}
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Every variable the template sets from a parameter (NAME: !Ref Param, or an !If of them).
	for _, m := range regexp.MustCompile(`(?m)^\s+([A-Z][A-Z0-9_]+): !(Ref|If|Sub)\b`).FindAllStringSubmatch(string(tmpl), -1) {
		if _, ok := env.Parameters[m[1]]; !ok && m[1] != "SES_CONFIGURATION_SET" {
			t.Errorf("template.yaml sets %s, which infra/env.example.json does not give", m[1])
		}
	}
}
