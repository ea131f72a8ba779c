// Command associations-create is the Lambda function behind POST /api/associations.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-create") }
