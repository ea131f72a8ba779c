#!/usr/bin/env bash
# Empty the stack's web bucket, so that `sam delete` can remove it (CloudFormation
# does not delete a bucket that holds files).
# usage: infra/empty-bucket.sh STACK_NAME   (make destroy runs it)
set -euo pipefail
stack=${1:?usage: infra/empty-bucket.sh STACK_NAME}
bucket=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='WebBucketName'].OutputValue" --output text 2>/dev/null || true)
if [ -z "$bucket" ] || [ "$bucket" = None ]; then
  echo "empty-bucket: stack $stack has no web bucket (already gone?); nothing to empty"
  exit 0
fi
echo "emptying s3://$bucket ..."
aws s3 rm "s3://$bucket" --recursive
