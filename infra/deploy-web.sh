#!/usr/bin/env bash
# Upload the web app to the stack's bucket and refresh CloudFront's copy.
# usage: infra/deploy-web.sh STACK_NAME   (make deploy runs it after sam deploy)
# Needs the AWS CLI with the deploying account's credentials.
set -euo pipefail
stack=${1:?usage: infra/deploy-web.sh STACK_NAME}
cd "$(dirname "$0")/.."

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket=$(output WebBucketName)
distribution=$(output DistributionId)
if [ -z "$bucket" ] || [ "$bucket" = None ] || [ -z "$distribution" ] || [ "$distribution" = None ]; then
  echo "deploy-web: stack $stack has no WebBucketName or DistributionId output: deploy the stack first" >&2
  exit 1
fi

# Files keep their names from one release to the next (there is no build step),
# so browsers revalidate each one (no-cache), and CloudFront drops its copies.
echo "uploading web/ to s3://$bucket ..."
aws s3 sync web/ "s3://$bucket/" --delete --cache-control no-cache
echo "invalidating CloudFront distribution $distribution ..."
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' \
  --query 'Invalidation.Id' --output text
echo "the web app is at $(output SiteUrl)"
