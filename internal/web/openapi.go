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
	officer := []any{map[string]any{"session": []any{}}, map[string]any{"bearer": []any{}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "rooted API",
			"version":     "1",
			"description": "新市民服务平台 API. Aggregate figures are public. Everything else needs a session (the cookie of a signed-in citizen or officer; officers see what their role's scopes allow) or, for scripts, the deployment's bearer token, which acts as an admin. Errors are application/problem+json (RFC 9457).",
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
				"summary":     "a person's points rule by rule, eligibility, and what would raise them (ID number masked)",
				"description": "admin role (scope persons) or the bearer token",
				"security":    officer,
				"parameters": []any{
					map[string]any{"name": "id", "in": "path", "required": true, "description": "resident ID number", "schema": map[string]any{"type": "string"}},
					asOf, lang,
				},
				"responses": map[string]any{"200": jsonBody("the explanation"), "403": problem, "404": problem}}},
			"/api/v1/me/points": map[string]any{"get": map[string]any{
				"summary":    "the signed-in citizen's own points, eligibility and what would raise them (ID number masked)",
				"security":   []any{map[string]any{"session": []any{}}},
				"parameters": []any{asOf, lang},
				"responses":  map[string]any{"200": jsonBody("the explanation"), "403": problem}}},
			"/api/v1/persons": map[string]any{"get": map[string]any{
				"summary":     "search persons by ID-number suffix (4+ characters) or name; identities masked",
				"description": "roles with scope registry (admin, police)",
				"security":    officer,
				"parameters":  []any{query("q", "ID-number suffix or part of a name")},
				"responses":   map[string]any{"200": jsonBody("{persons: [{ref, id_masked, name_masked, sex, birth_year, origin}]}"), "400": problem, "403": problem}}},
			"/api/v1/dashboard": map[string]any{"get": map[string]any{
				"summary":     "aggregate figures and the distribution of the latest stored scores (nothing personal)",
				"description": "every officer role",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("figures and scores"), "403": problem}}},
			"/api/v1/forecast": map[string]any{"get": map[string]any{
				"summary":     "school demand forecast by town, level and year with bands, capacity and warnings",
				"description": "roles with scope schools (admin, education); cached for 10 minutes",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("the forecast"), "403": problem}}},
			"/api/v1/schemes/diff": map[string]any{"get": map[string]any{
				"summary":     "reform simulation: every person scored under the scheme in force and the reform scheme",
				"description": "roles with scope schemes (admin, hrss); cached for an hour",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("the simulation report"), "403": problem}}},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "the deployment's API token (ROOTED_API_TOKEN_FILE); acts as an admin"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "session of a signed-in citizen or officer"},
			},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
				"detail": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"}}}},
		},
	}
}

func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, openAPI())
}
