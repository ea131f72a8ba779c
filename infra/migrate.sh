#!/usr/bin/env bash
# Run the stack's migration step once, and fail when it fails: `make deploy` stops
# there, before the web app that needs the new schema goes out.
# usage: infra/migrate.sh STACK_NAME   (needs the AWS CLI with the deploying account's credentials)
set -euo pipefail
stack=${1:?usage: infra/migrate.sh STACK_NAME}
function=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='MigrateFunctionName'].OutputValue" --output text)
if [ -z "$function" ] || [ "$function" = None ]; then
  echo "migrate: stack $stack has no MigrateFunctionName output: deploy the stack first" >&2
  exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "running the migration step ($function) ..."
# invoke exits 0 even when the function fails; the failure is in FunctionError.
error=$(aws lambda invoke --function-name "$function" --cli-read-timeout 0 \
  --query FunctionError --output text "$out")
cat "$out"; echo
if [ -n "$error" ] && [ "$error" != None ]; then
  echo "migrate: the migration step failed ($error); the deploy stops here" >&2
  exit 1
fi
