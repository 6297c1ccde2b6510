package web

import "net/http"

// openAPI is the OpenAPI 3 description of /api/v1: every route of routes()
// under /api/v1/ is listed here (TestOpenAPIListsEveryRoute checks it).
func openAPI() map[string]any {
	problem := map[string]any{"description": "an error (RFC 9457 problem details)",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	jsonBody := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	}
	query := func(name, desc string) map[string]any {
		return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": map[string]any{"type": "string"}}
	}
	asOf := query("as_of", "the day to score as of, YYYY-MM-DD (default today)")
	lang := query("lang", "language of explanations: zh (default) or en")
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "rooted API",
			"version":     "1",
			"description": "新市民服务平台 API. Aggregate figures are public; personal resources need the deployment's bearer token until sign-in exists.",
		},
		"paths": map[string]any{
			"/api/v1/openapi.json": map[string]any{"get": map[string]any{
				"summary": "this document", "responses": map[string]any{"200": jsonBody("the OpenAPI document")}}},
			"/api/v1/figures": map[string]any{"get": map[string]any{
				"summary": "aggregate counts of current residents (nothing personal)", "responses": map[string]any{"200": jsonBody("figures"), "default": problem}}},
			"/api/v1/stats": map[string]any{"get": map[string]any{
				"summary": "row counts of the registry", "responses": map[string]any{"200": jsonBody("counts by table"), "default": problem}}},
			"/api/v1/score": map[string]any{"post": map[string]any{
				"summary":     "score one person's facts (the points contract's input object); nothing is stored",
				"parameters":  []any{asOf, lang},
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}},
				"responses":   map[string]any{"200": jsonBody("the contract's result object"), "400": problem}}},
			"/api/v1/persons/{id}/points": map[string]any{"get": map[string]any{
				"summary":  "a person's points rule by rule, eligibility, and what would raise them (ID number masked)",
				"security": []any{map[string]any{"bearer": []any{}}},
				"parameters": []any{
					map[string]any{"name": "id", "in": "path", "required": true, "description": "resident ID number", "schema": map[string]any{"type": "string"}},
					asOf, lang,
				},
				"responses": map[string]any{"200": jsonBody("the explanation"), "403": problem, "404": problem}}},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
				"detail": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"}}}},
		},
	}
}

func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, openAPI())
}
