package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/store"
)

const person = "520102198503033311"

func newServer(t *testing.T, token string) (*server, http.Handler) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := st.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := date.MustParse
	for _, err := range []error{
		b.PutPerson(ctx, registry.Person{IDNumber: person, Name: "测试", BirthDate: d("1985-03-03"), Sex: registry.Male, Origin: "520102", Education: "college"}),
		b.PutResidence(ctx, registry.Residence{IDNumber: person, Town: "zeguo", Address: "a", Since: d("2020-01-01"), Kind: "rented"}),
		b.PutInsurance(ctx, registry.Insurance{IDNumber: person, Kind: "pension", From: d("2023-01-01")}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, registry.ImportRun{File: "t"}); err != nil {
		t.Fatal(err)
	}
	h := New(st, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), APIToken: token, Today: func() date.Date { return d("2026-11-29") }})
	s := &server{st: st, opt: Options{}}
	s.routes()
	return s, h
}

func do(t *testing.T, h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestScore(t *testing.T) {
	_, h := newServer(t, "")
	for _, tt := range []struct {
		name, body, query string
		status            int
		want              string
	}{
		{"contract example", `{"id":"p1","birth_date":"1994-06-01","education":"college","skill_level":4,
			"insurance_months":36,"residence_months":48}`, "?as_of=2026-11-29", 200, `"total":63`},
		{"english", `{"id":"p1","birth_date":"1994-06-01"}`, "?as_of=2026-11-29&lang=en", 200, `"explain":"age 32 → 20"`},
		{"not JSON", `{"id":`, "", 400, `"status":400`},
		{"an array", `[1]`, "", 400, `one JSON object`},
		{"out of range", `{"id":"p1","skill_level":9}`, "", 400, `skill_level`},
		{"bad date", `{"id":"p1"}`, "?as_of=2026-02-30", 400, `as_of`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, "POST", "/api/v1/score"+tt.query, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("status %d, body %s; want %d and %s", w.Code, w.Body, tt.status, tt.want)
			}
			if tt.status != 200 && w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("error content type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestPersonPoints(t *testing.T) {
	target := "/api/v1/persons/" + person + "/points?as_of=2026-11-29"
	_, open := newServer(t, "")
	if w := do(t, open, "GET", target, "", "Authorization", "Bearer "); w.Code != 403 || !strings.Contains(w.Body.String(), "sign-in required") {
		t.Errorf("without a configured token: %d %s; want 403 sign-in required", w.Code, w.Body)
	}
	_, h := newServer(t, "s3cret")
	for _, tt := range []struct {
		name, target, auth string
		status             int
	}{
		{"no token", target, "", 403},
		{"wrong token", target, "Bearer nope", 403},
		{"token", target, "Bearer s3cret", 200},
		{"unknown person", "/api/v1/persons/520102199001011234/points", "Bearer s3cret", 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, "GET", tt.target, "", "Authorization", tt.auth)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if strings.Contains(w.Body.String(), "19850303") {
				t.Errorf("answer shows the full ID number: %s", w.Body)
			}
			if tt.status != 200 {
				return
			}
			var ex struct {
				Person string
				Total  float64
				Items  []struct{ Code, Explain string }
				Raise  []struct {
					Action string
					Points float64
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &ex); err != nil {
				t.Fatal(err)
			}
			if ex.Person != "520102********3311" || ex.Total <= 0 || len(ex.Items) == 0 || len(ex.Raise) == 0 {
				t.Errorf("explanation %+v", ex)
			}
		})
	}
}

// TestOpenAPIListsEveryRoute checks that every /api/v1 route registered in
// routes() is in the OpenAPI document, and that the document lists nothing
// else.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s, h := newServer(t, "")
	w := do(t, h, "GET", "/api/v1/openapi.json", "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("document: %v, openapi %q", err, doc.OpenAPI)
	}
	routed := map[string]bool{}
	for _, p := range s.routed {
		method, path, _ := strings.Cut(p, " ")
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/" {
			continue
		}
		routed[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routed[method+" "+path] {
				t.Errorf("the OpenAPI document lists %s %s, which is not routed", method, path)
			}
		}
	}
	if len(routed) < 5 {
		t.Errorf("only %d /api/v1 routes recorded", len(routed))
	}
}
