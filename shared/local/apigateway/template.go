// Package apigateway is the local stand-in for API Gateway (HTTP API): it reads the routes
// from template.yaml, the way `sam local start-api` does, turns each HTTP request into
// the payload 2.0 event of the matching function, invokes it through the Lambda JSON
// path, and turns the function's response back into HTTP.
package apigateway

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/intrinsics"
	"gopkg.in/yaml.v3"
)

// Route is one HttpApi event of a function.
type Route struct {
	Method string
	Path   string
}

// Function is one AWS::Serverless::Function of the template.
type Function struct {
	LogicalID string
	// Name is the function's folder: CodeUri functions/<name>.
	Name   string
	Routes []Route
}

// Queue is an AWS::SQS::Queue of the template, with the settings the local stack
// reproduces.
type Queue struct {
	LogicalID         string
	VisibilityTimeout int    // seconds; 30 when unset, as in SQS
	MaxReceiveCount   int    // 0 without a redrive policy
	DeadLetterQueue   string // logical id of the redrive target
}

// Template is what the local stack needs of template.yaml.
type Template struct {
	Functions []Function
	Queues    []Queue
	// WebHeaders are the security headers CloudFront adds to the web app's files
	// (the template's ResponseHeadersPolicy).
	WebHeaders http.Header
}

// Queue returns the queue with logicalID.
func (t Template) Queue(logicalID string) (Queue, bool) {
	for _, q := range t.Queues {
		if q.LogicalID == logicalID {
			return q, true
		}
	}
	return Queue{}, false
}

// LoadTemplate reads template.yaml. goformation checks that it is a SAM template and
// gives each function's CodeUri; the HttpApi events come from a plain YAML walk,
// because goformation decodes event properties as an untyped union (an Api and an
// HttpApi event look alike) and drops properties it does not know.
func LoadTemplate(file string) (Template, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Template{}, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Template{}, fmt.Errorf("%s: %w", file, err)
	}
	resources := child(child(&root, ""), "Resources")
	modelled, err := withoutUnmodelled(root)
	if err != nil {
		return Template{}, fmt.Errorf("%s: %w", file, err)
	}
	goformationMu.Lock()
	cf, err := goformation.ParseYAMLWithOptions(modelled, &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: placeholderIntrinsics,
	})
	goformationMu.Unlock()
	if err != nil {
		return Template{}, fmt.Errorf("%s: %w", file, err)
	}

	var t Template
	for id, fn := range cf.GetAllServerlessFunctionResources() {
		if fn.CodeUri == nil || fn.CodeUri.String == nil {
			return Template{}, fmt.Errorf("%s: function %s has no CodeUri folder", file, id)
		}
		f := Function{LogicalID: id, Name: path.Base(*fn.CodeUri.String)}
		for _, ev := range mapValues(child(child(child(resources, id), "Properties"), "Events")) {
			if scalar(child(ev, "Type")) != "HttpApi" {
				continue
			}
			props := child(ev, "Properties")
			r := Route{Method: strings.ToUpper(scalar(child(props, "Method"))), Path: scalar(child(props, "Path"))}
			if r.Method == "" || r.Path == "" {
				return Template{}, fmt.Errorf("%s: function %s has an HttpApi event without Method and Path", file, id)
			}
			f.Routes = append(f.Routes, r)
		}
		t.Functions = append(t.Functions, f)
	}
	sort.Slice(t.Functions, func(i, j int) bool { return t.Functions[i].Name < t.Functions[j].Name })
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(child(res, "Type")) != "AWS::SQS::Queue" {
			continue
		}
		props := child(res, "Properties")
		q := Queue{LogicalID: id, VisibilityTimeout: 30}
		if v := scalar(child(props, "VisibilityTimeout")); v != "" {
			if q.VisibilityTimeout, err = strconv.Atoi(v); err != nil {
				return Template{}, fmt.Errorf("%s: queue %s: VisibilityTimeout %q", file, id, v)
			}
		}
		if redrive := child(props, "RedrivePolicy"); redrive != nil {
			if q.MaxReceiveCount, err = strconv.Atoi(scalar(child(redrive, "maxReceiveCount"))); err != nil {
				return Template{}, fmt.Errorf("%s: queue %s: maxReceiveCount", file, id)
			}
			// deadLetterTargetArn: !GetAtt Queue.Arn
			target := child(redrive, "deadLetterTargetArn")
			if target == nil || target.Tag != "!GetAtt" {
				return Template{}, fmt.Errorf("%s: queue %s: deadLetterTargetArn must be !GetAtt <Queue>.Arn", file, id)
			}
			q.DeadLetterQueue = strings.TrimSuffix(target.Value, ".Arn")
		}
		t.Queues = append(t.Queues, q)
	}
	if t.WebHeaders, err = webHeaders(resources); err != nil {
		return Template{}, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}

// webHeaders reads the security headers of the template's one ResponseHeadersPolicy.
func webHeaders(resources *yaml.Node) (http.Header, error) {
	var policies []*yaml.Node
	for _, res := range mapValues(resources) {
		if scalar(child(res, "Type")) == "AWS::CloudFront::ResponseHeadersPolicy" {
			policies = append(policies, res)
		}
	}
	if len(policies) != 1 {
		return nil, fmt.Errorf("want one AWS::CloudFront::ResponseHeadersPolicy for the web app, found %d", len(policies))
	}
	sec := child(child(child(policies[0], "Properties"), "ResponseHeadersPolicyConfig"), "SecurityHeadersConfig")
	h := http.Header{}
	if v := scalar(child(child(sec, "ContentSecurityPolicy"), "ContentSecurityPolicy")); v != "" {
		h.Set("Content-Security-Policy", v)
	}
	if child(sec, "ContentTypeOptions") != nil {
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if v := scalar(child(child(sec, "FrameOptions"), "FrameOption")); v != "" {
		h.Set("X-Frame-Options", v)
	}
	if v := scalar(child(child(sec, "ReferrerPolicy"), "ReferrerPolicy")); v != "" {
		h.Set("Referrer-Policy", v)
	}
	if h.Get("Content-Security-Policy") == "" {
		return nil, errors.New("the web app's ResponseHeadersPolicy sets no Content-Security-Policy")
	}
	return h, nil
}

// goformationMu serialises goformation's parsing: each parse rewrites a package-level
// map of tag resolvers that another parse may be reading (a fatal concurrent map
// access when parallel tests load the template).
var goformationMu sync.Mutex

// unmodelled are SAM properties that goformation v7 does not know, and refuses: the
// local stack needs none of them.
var unmodelled = map[string][]string{"AWS::Serverless::HttpApi": {"AccessLogSettings"}}

// withoutUnmodelled returns the template without the unmodelled properties.
func withoutUnmodelled(root yaml.Node) ([]byte, error) {
	resources := child(child(&root, ""), "Resources")
	if resources != nil {
		for i := 1; i < len(resources.Content); i += 2 {
			res := resources.Content[i]
			props := child(res, "Properties")
			for _, key := range unmodelled[scalar(child(res, "Type"))] {
				for j := 0; props != nil && j+1 < len(props.Content); j += 2 {
					if props.Content[j].Value == key {
						props.Content = append(props.Content[:j], props.Content[j+2:]...)
					}
				}
			}
		}
	}
	return yaml.Marshal(&root)
}

// placeholderIntrinsics resolve references to strings, where goformation would give
// null for !GetAtt and "" for a resource's !Ref: the gateway never needs their values.
var placeholderIntrinsics = map[string]intrinsics.IntrinsicHandler{
	"Ref":        reference,
	"Fn::GetAtt": placeholder,
	"Fn::Sub":    placeholder,
	"Fn::Join":   placeholder,
}

func placeholder(name string, input any, template any) any { return "local-placeholder" }

// reference resolves a !Ref to a Number parameter to its default, as a number, and to
// a list parameter as a list: the typed fields they fill (ReservedConcurrentExecutions,
// SubnetIds) take nothing else. Any other !Ref becomes a placeholder.
func reference(name string, input any, template any) any {
	doc, _ := template.(map[string]any)
	params, _ := doc["Parameters"].(map[string]any)
	p, _ := params[fmt.Sprint(input)].(map[string]any)
	switch p["Type"] {
	case "Number":
		if n, err := strconv.ParseFloat(fmt.Sprint(p["Default"]), 64); err == nil {
			return n
		}
	case "CommaDelimitedList":
		return []any{placeholder(name, input, template)}
	}
	return placeholder(name, input, template)
}

// child returns the value under key of a mapping node (the document's root for key ""),
// or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// mapValues returns the values of a mapping node.
func mapValues(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var vs []*yaml.Node
	for i := 1; i < len(n.Content); i += 2 {
		vs = append(vs, n.Content[i])
	}
	return vs
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
