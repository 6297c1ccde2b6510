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
	citizen := []any{map[string]any{"session": []any{}}}
	roundID := map[string]any{"name": "id", "in": "path", "required": true, "description": "round ID", "schema": map[string]any{"type": "string"}}
	// step documents POST /api/v1/rounds/{id}/<step>.
	step := func(summary, answer string) map[string]any {
		return map[string]any{"post": map[string]any{
			"summary":     summary,
			"description": "the department that runs the round's kind (education: grade1 and grade7; housing: public_rental and talent_apartment), admins and the bearer token; auditors may not",
			"security":    officer,
			"parameters":  []any{roundID},
			"responses":   map[string]any{"200": jsonBody(answer), "403": problem, "404": problem, "409": problem}}}
	}
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
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
				"responses":   map[string]any{"200": jsonBody("figures and scores"), "202": jsonBody("the score summary is being computed: the view job's status, also at Location (/api/v1/views/{id})"), "403": problem}}},
			"/api/v1/forecast": map[string]any{"get": map[string]any{
				"summary":     "school demand forecast by town, level and year with bands, capacity and warnings",
				"description": "roles with scope schools (admin, education); a computed view: stored for the registry's version and the day, computed by a job when either changes",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("the forecast"), "202": jsonBody("being computed: the view job's status {id, view, state, done, total, message, error, href}, also at Location (/api/v1/views/{id}); ask again when it is done"), "403": problem}}},
			"/api/v1/schemes/diff": map[string]any{"get": map[string]any{
				"summary":     "reform simulation: every person scored under the scheme in force and the reform scheme",
				"description": "roles with scope schemes (admin, hrss); a computed view: stored for the registry's version and the day, computed by a job when either changes",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("the simulation report"), "202": jsonBody("being computed: the view job's status {id, view, state, done, total, message, error, href}, also at Location (/api/v1/views/{id}); ask again when it is done"), "403": problem}}},
			"/api/v1/views/{id}": map[string]any{"get": map[string]any{
				"summary":     "the status of a computed view's job (the Location of a 202 answer): state queued, running, done or failed, progress done of total, href to ask again when done",
				"description": "officers whose role may see the view, or the bearer token; 404 for any other job",
				"security":    officer,
				"responses":   map[string]any{"200": jsonBody("{id, view, state, done, total, message, error, href}"), "403": problem, "404": problem}}},
			"/api/v1/rounds": map[string]any{
				"get": map[string]any{
					"summary":     "rounds the caller may see, newest first: an officer's department's rounds (every round for auditors and admins); a citizen's the rounds open for applications, with their places",
					"description": "officers with scope rounds (admin, education, housing, auditor), the bearer token, or a signed-in citizen",
					"security":    officer,
					"responses":   map[string]any{"200": jsonBody("{rounds: [{id, name, kind, year, town, mode, choices, status, seed_sha256, closes_on, opened_on, …, places: [{code, name, town, seats}], can_manage}]}"), "403": problem}},
				"post": map[string]any{
					"summary":     "create a round in draft (rounds.CreateRequest as JSON); answers its overview, with its address in Location",
					"description": "the department that runs the kind, admins and the bearer token",
					"security":    officer,
					"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/CreateRound"}}}},
					"responses":   map[string]any{"201": jsonBody("the round's overview, as GET /api/v1/rounds/{id}"), "400": problem, "403": problem, "409": problem}}},
			"/api/v1/rounds/{id}": map[string]any{"get": map[string]any{
				"summary":     "a round at a glance: status, dates, applications by status, refusals by reason, places with demand, admissions and (once allocated) cutoffs, ledger entries; nothing personal",
				"description": "officers who see the round (its department, auditors, admins) and the bearer token",
				"security":    officer,
				"parameters":  []any{roundID},
				"responses":   map[string]any{"200": jsonBody("rounds.Overview with can_manage and actions (the steps the caller may take next)"), "403": problem, "404": problem}}},
			"/api/v1/rounds/{id}/open":     step("open a draft round for applications, committing to a secret lottery seed (its SHA-256 is published)", "the round's overview"),
			"/api/v1/rounds/{id}/close":    step("close an open round: gates and priorities evaluated as of today, the allocation input frozen", "{round, as_of, scheme_version, applications, accepted, refused, reasons, input_sha256}"),
			"/api/v1/rounds/{id}/allocate": step("allocate a closed round, revealing the seed", "{round, seed, seed_sha256, applicants, placed, unplaced, output_sha256}"),
			"/api/v1/rounds/{id}/publish":  step("publish an allocated round for objections (公示); a round already published only rebuilds its list", "{round, name, title, published_on, window_ends, header, rows, warnings}: one row per application, names and ID numbers masked"),
			"/api/v1/rounds/{id}/finalize": step("make a published round final once its objection window has ended and every objection is answered (409 before, saying until when or how many objections wait)", "the round's overview"),
			"/api/v1/rounds/{id}/export": map[string]any{"get": map[string]any{
				"summary":     "the round's self-contained, verifiable export (`rooted verify`); applicants by application number only",
				"description": "officers who see the round and the bearer token",
				"security":    officer,
				"parameters":  []any{roundID},
				"responses":   map[string]any{"200": jsonBody("the export file (format rooted-round-export/1), byte for byte"), "403": problem, "404": problem, "409": problem}}},
			"/api/v1/rounds/{id}/results": map[string]any{"get": map[string]any{
				"summary":     "outcomes of the round's applications with their explanation (own priority, result, each place ranked above it with its cutoff and why); names and ID numbers masked",
				"description": "officers who see the round get every outcome or one applicant's; a signed-in citizen gets their family's only (their own applications and those for their children), 403 for any other applicant",
				"security":    officer,
				"parameters": []any{roundID,
					query("applicant", "ID number of the applicant (guardian or housing applicant); citizens: their own or none"),
					query("lang", "language of explanations: zh or en (default: the language cookie or Accept-Language)")},
				"responses": map[string]any{"200": jsonBody("{round, status, outcomes: [rounds.Outcome]}"), "400": problem, "403": problem, "404": problem}}},
			"/api/v1/rounds/{id}/applications": map[string]any{"post": map[string]any{
				"summary":     "the signed-in citizen applies to an open round, for one of their own registered children (school) or for their household (housing)",
				"description": "citizens only; a child of another family is 403. An application the registry refuses at once is recorded as refused and answered 400 saying why; a second one for the same person, or to a round not open, 409",
				"security":    citizen,
				"parameters":  []any{roundID, query("lang", "language of a refusal: zh or en (default: the language cookie or Accept-Language)")},
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object",
					"properties": map[string]any{"child": map[string]any{"type": "string", "description": "school rounds: the child's ID number"},
						"choices": map[string]any{"type": "array", "items": str, "description": "place codes (schools or unit types), most wanted first"}},
					"required": []any{"choices"}}}}},
				"responses": map[string]any{"201": jsonBody("the application: {round, round_name, person (masked), status, reason, submitted}"), "400": problem, "403": problem, "404": problem, "409": problem}}},
			"/api/v1/rounds/{id}/objections": map[string]any{
				"get": map[string]any{
					"summary":     "the objections to a published round (公示), in the order filed, with the department's answers: who objected (masked), when, the text, the decision, reply, who answered and when",
					"description": "officers who see the round (its department, auditors, admins) and the bearer token",
					"security":    officer,
					"parameters":  []any{roundID},
					"responses":   map[string]any{"200": jsonBody("{round, status, window_ends, unanswered, objections: [Objection]}"), "403": problem, "404": problem}},
				"post": map[string]any{
					"summary":     "the signed-in citizen objects, during the round's 公示 window, to one of their family's applications: their own, or one made for their registered child",
					"description": "citizens only. An application of another family is 403, and so is a round outside its window; a family without an application in the round is 404; an empty text or one over 2,000 characters is 400",
					"security":    citizen,
					"parameters":  []any{roundID},
					"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "additionalProperties": false,
						"properties": map[string]any{"application": map[string]any{"type": "string", "description": "the application number (as the 公示 list names it); optional when the family has one application in the round"},
							"text": map[string]any{"type": "string", "maxLength": 2000, "description": "the objection"}},
						"required": []any{"text"}}}}},
					"responses": map[string]any{"201": map[string]any{"description": "the objection filed", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Objection"}}}},
						"400": problem, "403": problem, "404": problem, "409": problem}}},
			"/api/v1/rounds/{id}/objections/{n}/decision": map[string]any{"post": map[string]any{
				"summary":     "the department answers objection n of a published round, once: upheld (成立) or dismissed (不成立), with a reply. An upheld objection changes no result: the reply says what the department will do (a re-run is a new round). The answer's digest goes into the round's ledger",
				"description": "the department that runs the round's kind, admins and the bearer token; auditors may not. A second answer is 409, an unknown objection 404",
				"security":    officer,
				"parameters": []any{roundID,
					map[string]any{"name": "n", "in": "path", "required": true, "description": "the objection's number in the round", "schema": integer}},
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "additionalProperties": false,
					"properties": map[string]any{"decision": map[string]any{"type": "string", "enum": []any{"upheld", "dismissed"}},
						"reply": map[string]any{"type": "string", "maxLength": 2000, "description": "the reply to the objector: why, and what the department will do"}},
					"required": []any{"decision", "reply"}}}}},
				"responses": map[string]any{"200": map[string]any{"description": "the objection answered", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Objection"}}}},
					"400": problem, "403": problem, "404": problem, "409": problem}}},
			"/api/v1/me/applications": map[string]any{"get": map[string]any{
				"summary":    "the signed-in citizen's applications and their children's, newest round first, with results and explanation once allocated (ID numbers masked)",
				"security":   citizen,
				"parameters": []any{query("lang", "zh or en (default: the language cookie or Accept-Language)")},
				"responses":  map[string]any{"200": jsonBody("{applications: [{round, round_name, number, person, status, result, reason, explanation, submitted, published_on, window_ends, can_object, objections: [Objection]}]}"), "403": problem}}},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "the deployment's API token (ROOTED_API_TOKEN_FILE); acts as an admin"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "session of a signed-in citizen or officer"},
			},
			"schemas": map[string]any{
				"Problem": map[string]any{"type": "object", "properties": map[string]any{
					"type": str, "title": str, "status": integer, "detail": str, "code": str}},
				"Objection": map[string]any{"type": "object", "properties": map[string]any{
					"round":       str,
					"objection":   map[string]any{"type": "integer", "description": "its number in the round, in the order filed"},
					"application": map[string]any{"type": "string", "description": "the application objected about"},
					"applicant":   map[string]any{"type": "string", "description": "who objected, masked (officers only)"},
					"filed_at":    map[string]any{"type": "string", "format": "date-time"},
					"text":        str,
					"decision":    map[string]any{"type": "string", "enum": []any{"upheld", "dismissed"}, "description": "absent until answered"},
					"reply":       str,
					"decided_by":  map[string]any{"type": "string", "description": "the officer who answered (officers only)"},
					"decided_at":  map[string]any{"type": "string", "format": "date-time"}}},
				"CreateRound": map[string]any{"type": "object", "required": []any{"name", "kind"}, "additionalProperties": false, "properties": map[string]any{
					"id":          map[string]any{"type": "string", "description": "default YEAR-KIND-TOWN (or -city)"},
					"name":        str,
					"kind":        map[string]any{"type": "string", "enum": []any{"grade1", "grade7", "public_rental", "talent_apartment"}},
					"year":        map[string]any{"type": "integer", "description": "default this year"},
					"town":        map[string]any{"type": "string", "description": "town code; none for the whole city"},
					"mode":        map[string]any{"type": "string", "enum": []any{"points", "lottery"}},
					"choices":     map[string]any{"type": "integer", "description": "most places an application may rank"},
					"window_days": map[string]any{"type": "integer", "description": "公示 working days, 5 to 60 (default 5)"},
					"seats":       map[string]any{"type": "object", "additionalProperties": integer, "description": "school rounds: seats per school code"},
					"seat_share":  map[string]any{"type": "number", "description": "school rounds: share of entry seats offered, default 1"},
					"units":       map[string]any{"type": "object", "additionalProperties": integer, "description": "housing rounds (required): units per unit type"},
					"unit_rules": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
						"min": integer, "max": integer, "unit_type": str}}},
					"unit_names": map[string]any{"type": "object", "additionalProperties": str},
					"closes_on":  map[string]any{"type": "string", "format": "date", "description": "planned closing day, shown to applicants"},
				}},
			},
		},
	}
}

func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.pub.openAPI.write(w, r) // encoded once, at start
}
