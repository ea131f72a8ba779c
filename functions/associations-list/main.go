// Command associations-list is the Lambda function behind GET /api/associations.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-list") }
