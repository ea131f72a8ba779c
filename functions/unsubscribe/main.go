// Command unsubscribe is the Lambda function behind POST /api/unsubscribe/{token}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("unsubscribe") }
