// Package local gathers, in its subpackages, the local stand-ins for what AWS runs
// around the functions, each named for what it stands in for:
//
//	apigateway  API Gateway (HTTP API): template.yaml's routes → payload 2.0 events → functions
//	cloudfront  the CloudFront distribution: the web app as the bucket serves it, /api to the API
//	sqstrigger  Lambda's SQS event source mapping, and the queue operations the stack needs
//	lambdarie   the Lambda runtime interface emulator, running the real bootstraps
//	ports       free loopback ports, and emulator processes kept running on them
//
//	pgcluster   a private PostgreSQL server, for the local stack, the tests and the benchmarks
//	emulators   the SQS and SES emulators (npm packages pinned in infra/local)
//
// None of it is deployed. shared/app/stack assembles the local stack from these.
package local
