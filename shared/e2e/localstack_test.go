package e2e_test

import (
	"context"
	"encoding/json"
	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"os/exec"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kittenasso/kittenasso/shared/local/apigateway"
)

// TestLocalStackInitHook runs localstack/'s init hook with the AWS CLI against the SQS
// emulator and checks that the queues it makes have template.yaml's settings.
func TestLocalStackInitHook(t *testing.T) {
	endpoint := testenv.Emulator(t, "TEST_SQS_ENDPOINT")
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no AWS CLI on this machine")
	}
	cmd := exec.Command("bash", "../../localstack/init/ready.d/kittenasso.sh")
	cmd.Env = append(cmd.Environ(), "AWS=aws --endpoint-url "+endpoint+" --region us-east-1", "AWS_SES=true",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("init hook: %v\n%s", err, out)
	}
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tmpl.Queue("MailQueue")
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: testCredentials})
	url, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	json.Unmarshal([]byte(got.Attributes["RedrivePolicy"]), &redrive)
	if got.Attributes["VisibilityTimeout"] != strconv.Itoa(want.VisibilityTimeout) ||
		redrive.DeadLetterTargetArn == "" || toString(redrive.MaxReceiveCount) != strconv.Itoa(want.MaxReceiveCount) {
		t.Errorf("mail queue attributes %v, want visibility %d and maxReceiveCount %d", got.Attributes, want.VisibilityTimeout, want.MaxReceiveCount)
	}
}

// toString renders a JSON number or string (SQS returns maxReceiveCount as either).
func toString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.Itoa(int(x))
	case string:
		return x
	}
	return ""
}
