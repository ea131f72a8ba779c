package apigateway

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kittenasso/kittenasso/shared/httpapi"
)

// TestTemplateInDepth checks what deploying template.yaml relies on.
func TestTemplateInDepth(t *testing.T) {
	doc := templateDocument(t)
	resources := child(doc, "Resources")
	globalTimeout := atoiOr(scalar(child(child(child(doc, "Globals"), "Function"), "Timeout")), 3)

	if stage := scalar(child(child(child(resources, "HttpApi"), "Properties"), "StageName")); stage != "$default" {
		t.Errorf("HttpApi stage %q: a named stage would prefix every path", stage)
	}
	secret := regexp.MustCompile(`Secret$|Pass`) // a value; the *SecretArn parameters only name secrets
	params := child(doc, "Parameters")
	for i := 0; i+1 < len(params.Content); i += 2 {
		name := params.Content[i].Value
		if secret.MatchString(name) && scalar(child(params.Content[i+1], "NoEcho")) != "true" {
			t.Errorf("parameter %s is secret but not NoEcho", name)
		}
	}

	// IAM compares a policy's Resource with the secret's full ARN, which ends in the 6
	// characters Secrets Manager adds to its name: a name alone would deny every read.
	for i := 0; i+1 < len(params.Content); i += 2 {
		name := params.Content[i].Value
		if !strings.HasSuffix(name, "SecretArn") {
			continue
		}
		pattern := regexp.MustCompile(scalar(child(params.Content[i+1], "AllowedPattern")))
		const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kittenasso/dev/jwt"
		if pattern.MatchString(arn) || !pattern.MatchString(arn+"-AbC123") {
			t.Errorf("parameter %s: AllowedPattern %q must require the full ARN, with its -AbC123 suffix", name, pattern)
		}
	}

	functions := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(child(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		functions++
		props := child(res, "Properties")
		name := filepath.Base(scalar(child(props, "CodeUri")))
		// sam build: the project's Makefile builds every function (TestSAMBuildsEveryFunction).
		meta := child(res, "Metadata")
		if scalar(child(meta, "BuildMethod")) != "makefile" || scalar(child(meta, "ContextPath")) != "." {
			t.Errorf("%s: Metadata must be {BuildMethod: makefile, ContextPath: .}, or sam build cannot build it", id)
		}
		if want := logicalID(name); id != want {
			t.Errorf("%s builds functions/%s, whose build target would be build-%s", id, name, want)
		}
		if _, err := os.Stat(filepath.Join("../../../functions", name, "main.go")); err != nil {
			t.Errorf("%s: no functions/%s/main.go", id, name)
		}
		policies := child(props, "Policies")
		if policies == nil || policies.Kind != yaml.SequenceNode || len(policies.Content) == 0 {
			t.Errorf("%s has no Policies", id)
			continue
		}
		sendsToQueue := false
		for _, p := range policies.Content {
			if child(p, "SQSSendMessagePolicy") != nil {
				sendsToQueue = true
			}
			for _, st := range sequence(child(p, "Statement")) {
				if slices.Contains(values(child(st, "Action")), "*") && slices.Contains(values(child(st, "Resource")), "*") {
					t.Errorf("%s allows * on *", id)
				}
			}
		}
		// Each function may read only the secrets it uses, and connect to the database
		// with IAM tokens when it reads the database secret.
		var readsSecrets []string
		connects := false
		for _, p := range policies.Content {
			if arn := child(child(p, "AWSSecretsManagerGetSecretValuePolicy"), "SecretArn"); arn != nil {
				readsSecrets = append(readsSecrets, arn.Value)
			}
			// A secret that may not be given: !If [Condition, {the policy}, !Ref AWS::NoValue].
			if p.Tag == "!If" && len(p.Content) == 3 {
				if arn := child(child(p.Content[1], "AWSSecretsManagerGetSecretValuePolicy"), "SecretArn"); arn != nil {
					readsSecrets = append(readsSecrets, arn.Value)
				}
			}
			if p.Tag == "!If" && strings.Contains(strings.Join(values(p), " "), "DatabaseConnectPolicy") {
				connects = true
			}
		}
		if connects != slices.Contains(readsSecrets, "DatabaseSecretArn") {
			t.Errorf("%s: may connect with IAM tokens: %v, but reads the database secret: %v", id, connects,
				slices.Contains(readsSecrets, "DatabaseSecretArn"))
		}
		usesDB, usesKey, isRoute := true, false, false // mailer, mail-relay, mail-feedback and migrate read the database
		if rt, ok := httpapi.RouteByName(name); ok {
			usesDB, usesKey, isRoute = rt.UsesDatabase(), rt.UsesSigningKey(), true
		}
		var want []string
		if isRoute { // every request is checked for CloudFront's origin secret
			want = append(want, "OriginSecretArn")
		}
		if usesDB {
			want = append(want, "DatabaseSecretArn")
		}
		if usesKey {
			want = append(want, "JwtSecretArn")
		}
		if name == "migrate" { // the default admin's password
			want = append(want, "DefaultUserSecretArn")
		}
		if !slices.Equal(readsSecrets, want) {
			t.Errorf("%s may read the secrets %v, want %v", id, readsSecrets, want)
		}
		if rt, ok := httpapi.RouteByName(name); ok && sendsToQueue != rt.QueuesMail() {
			t.Errorf("%s may send to the mail queue: %v, but its route queues mail: %v", id, sendsToQueue, rt.QueuesMail())
		}
		timeout := atoiOr(scalar(child(props, "Timeout")), globalTimeout)
		for _, ev := range mapValues(child(props, "Events")) {
			evProps := child(ev, "Properties")
			switch scalar(child(ev, "Type")) {
			case "HttpApi":
				if api := child(evProps, "ApiId"); api == nil || api.Tag != "!Ref" || api.Value != "HttpApi" {
					t.Errorf("%s: an HttpApi event outside the one HttpApi", id)
				}
			case "SQS":
				checkSQSEvent(t, id, resources, evProps, timeout)
			}
		}
	}
	checkOperations(t, doc, resources)
	if functions != len(httpapi.Routes)+4 {
		t.Errorf("%d functions, want one per route plus migrate, mailer, mail-relay and mail-feedback", functions)
	}
}

// checkSQSEvent: the queue is declared, partial batch failures are reported, the
// concurrency is capped, and the queue's redrive and visibility fit the consumer.
func checkSQSEvent(t *testing.T, id string, resources, props *yaml.Node, timeout int) {
	t.Helper()
	ref := child(props, "Queue")
	if ref == nil || ref.Tag != "!GetAtt" || !strings.HasSuffix(ref.Value, ".Arn") {
		t.Errorf("%s: SQS event Queue must be !GetAtt <Queue>.Arn", id)
		return
	}
	queue := child(resources, strings.TrimSuffix(ref.Value, ".Arn"))
	if scalar(child(queue, "Type")) != "AWS::SQS::Queue" {
		t.Errorf("%s: SQS event points at %s, not a declared queue", id, ref.Value)
		return
	}
	if !slices.Contains(values(child(props, "FunctionResponseTypes")), "ReportBatchItemFailures") {
		t.Errorf("%s: SQS event without ReportBatchItemFailures", id)
	}
	if scalar(child(child(props, "ScalingConfig"), "MaximumConcurrency")) == "" {
		t.Errorf("%s: SQS event without ScalingConfig.MaximumConcurrency", id)
	}
	qprops := child(queue, "Properties")
	if v := atoiOr(scalar(child(qprops, "VisibilityTimeout")), 30); v < 6*timeout {
		t.Errorf("%s: queue visibility %d s < 6 x function timeout %d s", id, v, timeout)
	}
	if n := scalar(child(child(qprops, "RedrivePolicy"), "maxReceiveCount")); n != "5" {
		t.Errorf("%s: queue maxReceiveCount %q, want 5", id, n)
	}
	// A dead letter keeps the time it was first queued: the dead-letter queue must
	// keep messages longer than the source queue, or they expire as they arrive.
	dlq := child(child(resources, strings.TrimSuffix(scalar(child(child(qprops, "RedrivePolicy"), "deadLetterTargetArn")), ".Arn")), "Properties")
	const defaultRetention = 345600 // 4 days, as in SQS
	if kept, dead := atoiOr(scalar(child(qprops, "MessageRetentionPeriod")), defaultRetention),
		atoiOr(scalar(child(dlq, "MessageRetentionPeriod")), defaultRetention); dead <= kept {
		t.Errorf("%s: the dead-letter queue keeps messages %d s, not longer than its source queue (%d s)", id, dead, kept)
	}
}

func sequence(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// values returns a scalar or a sequence of scalars as strings.
func values(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range sequence(n) {
		out = append(out, c.Value)
	}
	return out
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// templateDocument reads template.yaml as a YAML tree and returns its top mapping,
// for the checks that look at what LoadTemplate does not keep.
func templateDocument(t *testing.T) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return child(&root, "")
}

// logicalID is the logical id of the function in functions/<name>: the Makefile's
// build-<LogicalId> target finds the folder back from it (users-list, UsersListFunction).
func logicalID(name string) string {
	var b strings.Builder
	for _, word := range strings.Split(name, "-") {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String() + "Function"
}

// checkOperations: what running the stack in AWS relies on. The mailer may send from
// MailFrom through any identity (the sandbox checks recipients' identities too); logs
// are kept and retained; the API writes access logs; the alarms reach a topic.
func checkOperations(t *testing.T, doc, resources *yaml.Node) {
	t.Helper()
	var mailerStatement *yaml.Node
	for _, p := range sequence(child(child(child(resources, "MailerFunction"), "Properties"), "Policies")) {
		for _, st := range sequence(child(p, "Statement")) {
			if slices.Contains(values(child(st, "Action")), "ses:SendRawEmail") {
				mailerStatement = st
			}
		}
	}
	if mailerStatement == nil {
		t.Fatal("the mailer may not send through SES")
	}
	if resources := values(child(mailerStatement, "Resource")); len(resources) == 0 || !strings.HasSuffix(resources[0], ":identity/*") {
		t.Errorf("the mailer's SES rights %v: want every identity (identity/*)", resources)
	}
	if from := child(child(child(mailerStatement, "Condition"), "StringEquals"), "ses:FromAddress"); from == nil || from.Value != "MailFrom" {
		t.Error("the mailer's SES rights are not limited to ses:FromAddress = MailFrom")
	}
	logging := child(child(child(doc, "Globals"), "Function"), "LoggingConfig")
	if group := child(logging, "LogGroup"); group == nil || group.Value != "FunctionLogGroup" ||
		scalar(child(child(child(resources, "FunctionLogGroup"), "Properties"), "RetentionInDays")) == "" {
		t.Error("the functions do not log to a log group with a retention")
	}
	if child(child(child(resources, "HttpApi"), "Properties"), "AccessLogSettings") == nil {
		t.Error("the HTTP API writes no access log")
	}
	alarms := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		res := resources.Content[i+1]
		if scalar(child(res, "Type")) != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms++
		if len(sequence(child(child(res, "Properties"), "AlarmActions"))) == 0 {
			t.Errorf("alarm %s notifies no one", resources.Content[i].Value)
		}
	}
	if alarms < 6 {
		t.Errorf("%d alarms; want dead letters (depth and each arrival), queue age, mailer errors, API 5xx and throttles", alarms)
	}
}

// TestConditionsDefined: every condition the template names (a resource's or an
// output's Condition, !If, !Condition) is one of Conditions. CloudFormation refuses
// the template otherwise, and SAM's transform does not look.
func TestConditionsDefined(t *testing.T) {
	doc := templateDocument(t)
	defined := child(doc, "Conditions")
	if defined == nil || len(defined.Content) == 0 {
		t.Fatal("template.yaml has no Conditions")
	}
	named := func(name string) {
		if child(defined, name) == nil {
			t.Errorf("condition %s is used but not defined in Conditions", name)
		}
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3:
			named(n.Content[0].Value)
		case n.Tag == "!Condition":
			named(n.Value)
		case n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				// A resource's or output's Condition is a name; a policy statement's is a mapping.
				if n.Content[i].Value == "Condition" && n.Content[i+1].Kind == yaml.ScalarNode {
					named(n.Content[i+1].Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
}
