// Command associations-members is the Lambda function behind GET /api/associations/{id}/members.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-members") }
