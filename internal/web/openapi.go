package web

import "net/http"

// The OpenAPI 3 description of /api/v1: every route of routes() under
// /api/v1/ is an apiOp of apiOps (TestOpenAPIListsEveryRoute checks it).

// openAPI is the document: its info, the operations by path, and the
// shared components.
func openAPI() map[string]any {
	paths := map[string]any{}
	for _, op := range apiOps() {
		methods, ok := paths[op.path].(map[string]any)
		if !ok {
			methods = map[string]any{}
			paths[op.path] = methods
		}
		methods[op.method] = op.object()
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "rooted API",
			"version":     "1",
			"description": "新市民服务平台 API. Aggregate figures are public. Everything else needs a session (the cookie of a signed-in citizen or officer; officers see what their role's scopes allow) or, for scripts, the deployment's bearer token, which acts as an admin. Errors are application/problem+json (RFC 9457).",
		},
		"paths":      paths,
		"components": apiComponents(),
	}
}

// apiOp is one operation of the API as the document describes it. Empty
// fields are left out.
type apiOp struct {
	method, path         string // method in lower case, as OpenAPI spells it
	summary, description string
	security             []any // who may call it: docOfficer, docCitizen; nil for anyone
	parameters           []any
	requestBody          map[string]any
	responses            map[string]any // by status
}

func (op apiOp) object() map[string]any {
	o := map[string]any{"summary": op.summary, "responses": op.responses}
	if op.description != "" {
		o["description"] = op.description
	}
	if op.security != nil {
		o["security"] = op.security
	}
	if op.parameters != nil {
		o["parameters"] = op.parameters
	}
	if op.requestBody != nil {
		o["requestBody"] = op.requestBody
	}
	return o
}

// The document's building blocks.
var (
	docProblem = map[string]any{"description": "an error (RFC 9457 problem details)",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	docOfficer = []any{map[string]any{"session": []any{}}, map[string]any{"bearer": []any{}}}
	docCitizen = []any{map[string]any{"session": []any{}}}
	docRoundID = map[string]any{"name": "id", "in": "path", "required": true, "description": "round ID", "schema": map[string]any{"type": "string"}}
	docAsOf    = docQuery("as_of", "the day to score as of, YYYY-MM-DD (default today)")
	docLang    = docQuery("lang", "language of explanations: zh (default) or en")
	docString  = map[string]any{"type": "string"}
	docInteger = map[string]any{"type": "integer"}
)

// docJSON is a JSON answer described by desc.
func docJSON(desc string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
}

// docRef is a JSON answer described by desc whose schema is the
// component schema.
func docRef(desc, schema string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}}}
}

// docBody is a required JSON request body of schema.
func docBody(schema map[string]any) map[string]any {
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
}

func docQuery(name, desc string) map[string]any {
	return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": map[string]any{"type": "string"}}
}

// docStep documents POST /api/v1/rounds/{id}/<step>.
func docStep(step, summary, answer string) apiOp {
	return apiOp{method: "post", path: "/api/v1/rounds/{id}/" + step, summary: summary,
		description: "the department that runs the round's kind (education: grade1 and grade7; housing: public_rental and talent_apartment), admins and the bearer token; auditors may not",
		security:    docOfficer, parameters: []any{docRoundID},
		responses: map[string]any{"200": docJSON(answer), "403": docProblem, "404": docProblem, "409": docProblem}}
}

// apiOps lists the operations: the public and points ones, then the
// rounds'.
func apiOps() []apiOp {
	return append(generalOps(), roundOps()...)
}

func generalOps() []apiOp {
	computed := docJSON("being computed: the view job's status {id, view, state, done, total, message, error, href}, also at Location (/api/v1/views/{id}); ask again when it is done")
	return []apiOp{
		{method: "get", path: "/api/v1/openapi.json", summary: "this document", responses: map[string]any{"200": docJSON("the OpenAPI document")}},
		{method: "get", path: "/api/v1/figures", summary: "aggregate counts of current residents (nothing personal)",
			responses: map[string]any{"200": docJSON("figures"), "default": docProblem}},
		{method: "get", path: "/api/v1/stats", summary: "row counts of the registry",
			responses: map[string]any{"200": docJSON("counts by table"), "default": docProblem}},
		{method: "post", path: "/api/v1/score", summary: "score one person's facts (the points contract's input object); nothing is stored",
			parameters: []any{docAsOf, docLang}, requestBody: docBody(map[string]any{"type": "object"}),
			responses: map[string]any{"200": docJSON("the contract's result object"), "400": docProblem}},
		{method: "get", path: "/api/v1/persons/{id}/points", summary: "a person's points rule by rule, eligibility, and what would raise them (ID number masked)",
			description: "admin role (scope persons) or the bearer token", security: docOfficer,
			parameters: []any{
				map[string]any{"name": "id", "in": "path", "required": true, "description": "resident ID number", "schema": map[string]any{"type": "string"}},
				docAsOf, docLang,
			},
			responses: map[string]any{"200": docJSON("the explanation"), "403": docProblem, "404": docProblem}},
		{method: "get", path: "/api/v1/me/points", summary: "the signed-in citizen's own points, eligibility and what would raise them (ID number masked)",
			security: docCitizen, parameters: []any{docAsOf, docLang},
			responses: map[string]any{"200": docJSON("the explanation"), "403": docProblem}},
		{method: "get", path: "/api/v1/persons", summary: "search persons by ID-number suffix (4+ characters) or name; identities masked",
			description: "roles with scope registry (admin, police)", security: docOfficer,
			parameters: []any{docQuery("q", "ID-number suffix or part of a name")},
			responses:  map[string]any{"200": docJSON("{persons: [{ref, id_masked, name_masked, sex, birth_year, origin}]}"), "400": docProblem, "403": docProblem}},
		{method: "get", path: "/api/v1/dashboard", summary: "aggregate figures and the distribution of the latest stored scores (nothing personal)",
			description: "every officer role", security: docOfficer,
			responses: map[string]any{"200": docJSON("figures and scores"), "202": docJSON("the score summary is being computed: the view job's status, also at Location (/api/v1/views/{id})"), "403": docProblem}},
		{method: "get", path: "/api/v1/forecast", summary: "school demand forecast by town, level and year with bands, capacity and warnings",
			description: "roles with scope schools (admin, education); a computed view: stored for the registry's version and the day, computed by a job when either changes",
			security:    docOfficer,
			responses:   map[string]any{"200": docJSON("the forecast"), "202": computed, "403": docProblem}},
		{method: "get", path: "/api/v1/schemes/diff", summary: "reform simulation: every person scored under the scheme in force and the reform scheme",
			description: "roles with scope schemes (admin, hrss); a computed view: stored for the registry's version and the day, computed by a job when either changes",
			security:    docOfficer,
			responses:   map[string]any{"200": docJSON("the simulation report"), "202": computed, "403": docProblem}},
		{method: "get", path: "/api/v1/views/{id}", summary: "the status of a computed view's job (the Location of a 202 answer): state queued, running, done or failed, progress done of total, href to ask again when done",
			description: "officers whose role may see the view, or the bearer token; 404 for any other job", security: docOfficer,
			responses: map[string]any{"200": docJSON("{id, view, state, done, total, message, error, href}"), "403": docProblem, "404": docProblem}},
	}
}

func roundOps() []apiOp {
	langParam := docQuery("lang", "language of explanations: zh or en (default: the language cookie or Accept-Language)")
	return []apiOp{
		{method: "get", path: "/api/v1/rounds",
			summary:     "rounds the caller may see, newest first: an officer's department's rounds (every round for auditors and admins); a citizen's the rounds open for applications, with their places",
			description: "officers with scope rounds (admin, education, housing, auditor), the bearer token, or a signed-in citizen", security: docOfficer,
			responses: map[string]any{"200": docJSON("{rounds: [{id, name, kind, year, town, mode, choices, status, seed_sha256, closes_on, opened_on, …, places: [{code, name, town, seats}], can_manage}]}"), "403": docProblem}},
		{method: "post", path: "/api/v1/rounds", summary: "create a round in draft (rounds.CreateRequest as JSON); answers its overview, with its address in Location",
			description: "the department that runs the kind, admins and the bearer token", security: docOfficer,
			requestBody: docBody(map[string]any{"$ref": "#/components/schemas/CreateRound"}),
			responses:   map[string]any{"201": docJSON("the round's overview, as GET /api/v1/rounds/{id}"), "400": docProblem, "403": docProblem, "409": docProblem}},
		{method: "get", path: "/api/v1/rounds/{id}",
			summary:     "a round at a glance: status, dates, applications by status, refusals by reason, places with demand, admissions and (once allocated) cutoffs, ledger entries; nothing personal",
			description: "officers who see the round (its department, auditors, admins) and the bearer token", security: docOfficer, parameters: []any{docRoundID},
			responses: map[string]any{"200": docJSON("rounds.Overview with can_manage and actions (the steps the caller may take next)"), "403": docProblem, "404": docProblem}},
		docStep("open", "open a draft round for applications, committing to a secret lottery seed (its SHA-256 is published)", "the round's overview"),
		docStep("close", "close an open round: gates and priorities evaluated as of today, the allocation input frozen", "{round, as_of, scheme_version, applications, accepted, refused, reasons, input_sha256}"),
		docStep("allocate", "allocate a closed round, revealing the seed", "{round, seed, seed_sha256, applicants, placed, unplaced, output_sha256}"),
		docStep("publish", "publish an allocated round for objections (公示); a round already published only rebuilds its list", "{round, name, title, published_on, window_ends, header, rows, warnings}: one row per application, names and ID numbers masked"),
		docStep("finalize", "make a published round final once its objection window has ended and every objection is answered (409 before, saying until when or how many objections wait)", "the round's overview"),
		{method: "get", path: "/api/v1/rounds/{id}/export", summary: "the round's self-contained, verifiable export (`rooted verify`); applicants by application number only",
			description: "officers who see the round and the bearer token", security: docOfficer, parameters: []any{docRoundID},
			responses: map[string]any{"200": docJSON("the export file (format rooted-round-export/1), byte for byte"), "403": docProblem, "404": docProblem, "409": docProblem}},
		{method: "get", path: "/api/v1/rounds/{id}/results",
			summary:     "outcomes of the round's applications with their explanation (own priority, result, each place ranked above it with its cutoff and why); names and ID numbers masked",
			description: "officers who see the round get every outcome or one applicant's; a signed-in citizen gets their family's only (their own applications and those for their children), 403 for any other applicant",
			security:    docOfficer,
			parameters:  []any{docRoundID, docQuery("applicant", "ID number of the applicant (guardian or housing applicant); citizens: their own or none"), langParam},
			responses:   map[string]any{"200": docJSON("{round, status, outcomes: [rounds.Outcome]}"), "400": docProblem, "403": docProblem, "404": docProblem}},
		{method: "post", path: "/api/v1/rounds/{id}/applications",
			summary:     "the signed-in citizen applies to an open round, for one of their own registered children (school) or for their household (housing)",
			description: "citizens only; a child of another family is 403. An application the registry refuses at once is recorded as refused and answered 400 saying why; a second one for the same person, or to a round not open, 409",
			security:    docCitizen,
			parameters:  []any{docRoundID, docQuery("lang", "language of a refusal: zh or en (default: the language cookie or Accept-Language)")},
			requestBody: docBody(map[string]any{"type": "object",
				"properties": map[string]any{"child": map[string]any{"type": "string", "description": "school rounds: the child's ID number"},
					"choices": map[string]any{"type": "array", "items": docString, "description": "place codes (schools or unit types), most wanted first"}},
				"required": []any{"choices"}}),
			responses: map[string]any{"201": docJSON("the application: {round, round_name, person (masked), status, reason, submitted}"), "400": docProblem, "403": docProblem, "404": docProblem, "409": docProblem}},
		{method: "get", path: "/api/v1/rounds/{id}/objections",
			summary:     "the objections to a published round (公示), in the order filed, with the department's answers: who objected (masked), when, the text, the decision, reply, who answered and when",
			description: "officers who see the round (its department, auditors, admins) and the bearer token", security: docOfficer, parameters: []any{docRoundID},
			responses: map[string]any{"200": docJSON("{round, status, window_ends, unanswered, objections: [Objection]}"), "403": docProblem, "404": docProblem}},
		{method: "post", path: "/api/v1/rounds/{id}/objections",
			summary:     "the signed-in citizen objects, during the round's 公示 window, to one of their family's applications: their own, or one made for their registered child",
			description: "citizens only. An application of another family is 403, and so is a round outside its window; a family without an application in the round is 404; an empty text or one over 2,000 characters is 400",
			security:    docCitizen, parameters: []any{docRoundID},
			requestBody: docBody(map[string]any{"type": "object", "additionalProperties": false,
				"properties": map[string]any{"application": map[string]any{"type": "string", "description": "the application number (as the 公示 list names it); optional when the family has one application in the round"},
					"text": map[string]any{"type": "string", "maxLength": 2000, "description": "the objection"}},
				"required": []any{"text"}}),
			responses: map[string]any{"201": docRef("the objection filed", "Objection"), "400": docProblem, "403": docProblem, "404": docProblem, "409": docProblem}},
		{method: "post", path: "/api/v1/rounds/{id}/objections/{n}/decision",
			summary:     "the department answers objection n of a published round, once: upheld (成立) or dismissed (不成立), with a reply. An upheld objection changes no result: the reply says what the department will do (a re-run is a new round). The answer's digest goes into the round's ledger",
			description: "the department that runs the round's kind, admins and the bearer token; auditors may not. A second answer is 409, an unknown objection 404",
			security:    docOfficer,
			parameters:  []any{docRoundID, map[string]any{"name": "n", "in": "path", "required": true, "description": "the objection's number in the round", "schema": docInteger}},
			requestBody: docBody(map[string]any{"type": "object", "additionalProperties": false,
				"properties": map[string]any{"decision": map[string]any{"type": "string", "enum": []any{"upheld", "dismissed"}},
					"reply": map[string]any{"type": "string", "maxLength": 2000, "description": "the reply to the objector: why, and what the department will do"}},
				"required": []any{"decision", "reply"}}),
			responses: map[string]any{"200": docRef("the objection answered", "Objection"), "400": docProblem, "403": docProblem, "404": docProblem, "409": docProblem}},
		{method: "get", path: "/api/v1/me/applications",
			summary:    "the signed-in citizen's applications and their children's, newest round first, with results and explanation once allocated (ID numbers masked)",
			security:   docCitizen,
			parameters: []any{docQuery("lang", "zh or en (default: the language cookie or Accept-Language)")},
			responses:  map[string]any{"200": docJSON("{applications: [{round, round_name, number, person, status, result, reason, explanation, submitted, published_on, window_ends, can_object, objections: [Objection]}]}"), "403": docProblem}},
	}
}

// apiComponents are the security schemes and the schemas the operations
// refer to.
func apiComponents() map[string]any {
	return map[string]any{
		"securitySchemes": map[string]any{
			"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "the deployment's API token (ROOTED_API_TOKEN_FILE); acts as an admin"},
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "session of a signed-in citizen or officer"},
		},
		"schemas": map[string]any{
			"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": docString, "title": docString, "status": docInteger, "detail": docString, "code": docString}},
			"Objection": map[string]any{"type": "object", "properties": map[string]any{
				"round":       docString,
				"objection":   map[string]any{"type": "integer", "description": "its number in the round, in the order filed"},
				"application": map[string]any{"type": "string", "description": "the application objected about"},
				"applicant":   map[string]any{"type": "string", "description": "who objected, masked (officers only)"},
				"filed_at":    map[string]any{"type": "string", "format": "date-time"},
				"text":        docString,
				"decision":    map[string]any{"type": "string", "enum": []any{"upheld", "dismissed"}, "description": "absent until answered"},
				"reply":       docString,
				"decided_by":  map[string]any{"type": "string", "description": "the officer who answered (officers only)"},
				"decided_at":  map[string]any{"type": "string", "format": "date-time"}}},
			"CreateRound": map[string]any{"type": "object", "required": []any{"name", "kind"}, "additionalProperties": false, "properties": map[string]any{
				"id":          map[string]any{"type": "string", "description": "default YEAR-KIND-TOWN (or -city)"},
				"name":        docString,
				"kind":        map[string]any{"type": "string", "enum": []any{"grade1", "grade7", "public_rental", "talent_apartment"}},
				"year":        map[string]any{"type": "integer", "description": "default this year"},
				"town":        map[string]any{"type": "string", "description": "town code; none for the whole city"},
				"mode":        map[string]any{"type": "string", "enum": []any{"points", "lottery"}},
				"choices":     map[string]any{"type": "integer", "description": "most places an application may rank"},
				"window_days": map[string]any{"type": "integer", "description": "公示 working days, 5 to 60 (default 5)"},
				"seats":       map[string]any{"type": "object", "additionalProperties": docInteger, "description": "school rounds: seats per school code"},
				"seat_share":  map[string]any{"type": "number", "description": "school rounds: share of entry seats offered, default 1"},
				"units":       map[string]any{"type": "object", "additionalProperties": docInteger, "description": "housing rounds (required): units per unit type"},
				"unit_rules": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
					"min": docInteger, "max": docInteger, "unit_type": docString}}},
				"unit_names": map[string]any{"type": "object", "additionalProperties": docString},
				"closes_on":  map[string]any{"type": "string", "format": "date", "description": "planned closing day, shown to applicants"},
			}},
		},
	}
}

func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.pub.openAPI.write(w, r) // encoded once, at start
}
