#!/usr/bin/env bash
# LocalStack init hook: the mail queue and its dead-letter queue with template.yaml's
# settings, and the SES identity that sends. Inside LocalStack, AWS defaults to
# awslocal; shared/e2e's TestLocalStackInitHook runs it with the AWS CLI against
# the project's SQS emulator.
set -euo pipefail
AWS=${AWS:-awslocal}
AWS_SES=${AWS_SES:-$AWS}

$AWS sqs create-queue --queue-name mail-dlq --attributes MessageRetentionPeriod=1209600 >/dev/null
dlq_url=$($AWS sqs get-queue-url --queue-name mail-dlq --query QueueUrl --output text)
dlq_arn=$($AWS sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn --query Attributes.QueueArn --output text)
cat > /tmp/kittenasso-mail-queue.json <<JSON
{
  "VisibilityTimeout": "180",
  "MessageRetentionPeriod": "345600",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":\"5\"}"
}
JSON
$AWS sqs create-queue --queue-name mail --attributes file:///tmp/kittenasso-mail-queue.json >/dev/null
$AWS_SES ses verify-email-identity --email-address "${MAIL_FROM:-hello@kittenasso.local}"
echo "kittenasso: mail queues and SES identity ready"
