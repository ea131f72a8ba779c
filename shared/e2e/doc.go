// Package e2e holds the end-to-end tests: the whole local stack (real PostgreSQL,
// the SQS and SES emulators, every function of template.yaml behind the local API
// gateway, the web app in a headless browser, the real bootstraps under the Lambda
// runtime emulator) driven over HTTP, as a client and as AWS would drive it. The
// rules of each part are tested beside that part; here, that the parts agree.
package e2e
