// Command associations-update is the Lambda function behind PUT /api/associations/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-update") }
