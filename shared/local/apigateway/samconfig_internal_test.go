package apigateway

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// samconfig is what the tests read of samconfig.toml: per environment, its sections.
type samconfig map[string]any

// TestSamconfigGivesEveryParameter: `sam deploy --config-env X` needs a value for every
// template parameter without a default, secrets as dynamic references, never values.
func TestSamconfigGivesEveryParameter(t *testing.T) {
	var conf samconfig
	if _, err := toml.DecodeFile("../../../samconfig.toml", &conf); err != nil {
		t.Fatal(err)
	}
	params := child(templateDocument(t), "Parameters")
	for _, env := range []string{"default", "staging", "production"} {
		section := func(name string) map[string]any {
			m, _ := conf[env].(map[string]any)
			s, _ := m[name].(map[string]any)
			s2, _ := s["parameters"].(map[string]any)
			return s2
		}
		global, deploy := section("global"), section("deploy")
		if global["stack_name"] == nil || global["region"] == nil {
			t.Errorf("%s: no stack_name or region", env)
		}
		if deploy["capabilities"] != "CAPABILITY_IAM" {
			t.Errorf("%s: capabilities %v", env, deploy["capabilities"])
		}
		given := overrides(t, deploy["parameter_overrides"])
		for i := 0; i+1 < len(params.Content); i += 2 {
			name, p := params.Content[i].Value, params.Content[i+1]
			value, ok := given[name]
			if !ok {
				if child(p, "Default") == nil {
					t.Errorf("%s: parameter %s has no default and samconfig gives none", env, name)
				}
				continue
			}
			if scalar(child(p, "NoEcho")) == "true" && !strings.HasPrefix(value, "{{resolve:secretsmanager:") {
				t.Errorf("%s: secret parameter %s is given as a value, not a dynamic reference", env, name)
			}
			if pattern := scalar(child(p, "AllowedPattern")); pattern != "" && !regexp.MustCompile(pattern).MatchString(value) {
				t.Errorf("%s: %s=%q does not match its AllowedPattern", env, name, value)
			}
			if allowed := values(child(p, "AllowedValues")); len(allowed) > 0 && !strings.Contains(" "+strings.Join(allowed, " ")+" ", " "+value+" ") {
				t.Errorf("%s: %s=%q is not one of %v", env, name, value, allowed)
			}
		}
		for name := range given {
			if child(params, name) == nil {
				t.Errorf("%s: samconfig gives %s, which the template does not have", env, name)
			}
		}
	}
}

// overrides reads parameter_overrides, a list of Key=Value strings (or one string of
// them, space-separated, as older samconfig files have it).
func overrides(t *testing.T, v any) map[string]string {
	var items []string
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			items = append(items, item.(string))
		}
	case string:
		items = strings.Fields(x)
	default:
		t.Fatalf("parameter_overrides is %T", v)
	}
	out := map[string]string{}
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			t.Fatalf("parameter override %q is not Key=Value", item)
		}
		out[k] = v
	}
	return out
}

// TestConnectionBudget: reserved concurrency is off unless ReserveConcurrency is
// "true", so that the first create works on an account whose concurrency limit is
// small. With it on, every function's concurrency is capped, and with the defaults
// all of them together hold at most 100 connections, the max_connections of the
// smallest RDS instances (README, connection budget).
func TestConnectionBudget(t *testing.T) {
	doc := templateDocument(t)
	params := child(doc, "Parameters")
	if def := scalar(child(child(params, "ReserveConcurrency"), "Default")); def != "false" {
		t.Errorf("ReserveConcurrency defaults to %q: a new account's concurrency limit (often 10) refuses any reservation", def)
	}
	number := func(n *yaml.Node) int {
		if n.Tag == "!Ref" {
			n = child(child(params, n.Value), "Default")
		}
		v, err := strconv.Atoi(scalar(n))
		if err != nil {
			t.Fatalf("concurrency %q is not a number", scalar(n))
		}
		return v
	}
	// reservation is the concurrency of !If [ReservesConcurrency, <concurrency>, !Ref AWS::NoValue].
	reservation := func(id string, n *yaml.Node) (int, bool) {
		if n == nil || n.Tag != "!If" || len(n.Content) != 3 || n.Content[0].Value != "ReservesConcurrency" ||
			n.Content[2].Tag != "!Ref" || n.Content[2].Value != "AWS::NoValue" {
			t.Errorf("%s: ReservedConcurrentExecutions must be !If [ReservesConcurrency, <concurrency>, !Ref AWS::NoValue]", id)
			return 0, false
		}
		return number(n.Content[1]), true
	}
	global := child(child(child(doc, "Globals"), "Function"), "ReservedConcurrentExecutions")
	total := 0
	resources := child(doc, "Resources")
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(child(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		reserved := child(child(res, "Properties"), "ReservedConcurrentExecutions")
		if reserved == nil {
			reserved = global
		}
		if n, ok := reservation(id, reserved); ok {
			total += n
		}
	}
	if total > 100 {
		t.Errorf("with the defaults the functions may hold %d connections, over 100", total)
	}
	t.Logf("connection budget with ReserveConcurrency=true and the defaults: %d; account concurrency limit needed: %d", total, total+100)
}
