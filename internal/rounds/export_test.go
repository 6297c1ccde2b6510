package rounds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/rounds"
)

// brokenPayload is a real store whose chain reads back with one entry's
// payload cut short, as a damaged database would give it.
type brokenPayload struct {
	rounds.Store
	seq int64
}

func (s brokenPayload) Ledger(ctx context.Context, id string) ([]ledger.Entry, error) {
	es, err := s.Store.Ledger(ctx, id)
	for i := range es {
		if es[i].Seq == s.seq {
			es[i].Payload = json.RawMessage(`{"published_on":`)
		}
	}
	return es, err
}

// TestExportRefusesAnEntryThatDoesNotEncode: an export whose chain has an
// entry that cannot be written is an error, not a file with ",," that
// reports success.
func TestExportRefusesAnEntryThatDoesNotEncode(t *testing.T) {
	svc, _ := publishedRound(t)
	good, err := svc.Export(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(good, []byte(",,")) {
		t.Fatalf("a sound export has ,,")
	}
	svc.Store = brokenPayload{Store: svc.Store, seq: 2}
	data, err := svc.Export(t.Context(), "g1")
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		t.Fatalf("export of a chain with a broken payload: %d bytes (,, %v), %v; want an internal error", len(data), bytes.Contains(data, []byte(",,")), err)
	}
}

// reshaped is a real store whose chain reads back with the payload of the
// first entry of one kind replaced and the chain sealed again after it:
// a chain whose links all check, carrying a payload that is JSON but not
// the object rooted writes.
type reshaped struct {
	rounds.Store
	kind    string
	payload string
}

func (s reshaped) Ledger(ctx context.Context, id string) ([]ledger.Entry, error) {
	es, err := s.Store.Ledger(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]ledger.Entry, 0, len(es))
	done := false
	for _, e := range es {
		d := ledger.Draft{Kind: e.Kind, At: e.At, Payload: e.Payload}
		if e.Kind == s.kind && !done {
			d.Payload, done = []byte(s.payload), true
		}
		var prev *ledger.Entry
		if len(out) > 0 {
			prev = &out[len(out)-1]
		}
		sealed, err := ledger.Seal(prev, id, d)
		if err != nil {
			return nil, err
		}
		out = append(out, sealed)
	}
	return out, nil
}

// problemsOf joins a report's problems, one a line.
func problemsOf(rep rounds.Report) string {
	var all []string
	for _, p := range rep.Problems {
		all = append(all, p.File+": "+p.Where+": "+p.What)
	}
	return strings.Join(all, "\n")
}

// TestVerifyNamesAPayloadThatIsNotAnObject: an export whose chain checks
// link by link but whose seed commitment (or output) payload is JSON
// other than an object is a problem naming that entry's payload, not a
// comparison with "" that blames the instance's seed or the result.
func TestVerifyNamesAPayloadThatIsNotAnObject(t *testing.T) {
	svc, _ := publishedRound(t)
	st := svc.Store
	for _, tt := range []struct{ kind, payload, where string }{
		{rounds.EntryCommitment, `["not","an","object"]`, "seed_commitment): payload"},
		{rounds.EntryOutput, `null`, "output): payload"},
	} {
		svc.Store = reshaped{Store: st, kind: tt.kind, payload: tt.payload}
		data, err := svc.Export(t.Context(), "g1")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := rounds.Verify(data)
		if err != nil || rep.OK() {
			t.Fatalf("%s payload %s: %+v, %v; want a problem", tt.kind, tt.payload, rep, err)
		}
		if s := problemsOf(rep); !strings.Contains(s, tt.where+": not a JSON object") {
			t.Errorf("%s payload %s: problems\n%s\nwant one naming %q as not a JSON object", tt.kind, tt.payload, s, tt.where)
		}
	}
}

// TestVerifyListsWithAnUnreadablePublishEntry: a list checked against an
// export whose publish payload is not an object cannot be checked, and
// says so naming the entry, rather than saying the round was never
// published.
func TestVerifyListsWithAnUnreadablePublishEntry(t *testing.T) {
	svc, _ := publishedRound(t)
	p, err := svc.Publish(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	svc.Store = reshaped{Store: svc.Store, kind: rounds.EntryPublish, payload: `"published"`}
	data, err := svc.Export(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ingest.ReadList("g1-publication.csv", p.CSV)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rounds.VerifyLists(data, []rounds.List{l})
	if err != nil || rep.OK() || len(rep.Lists) != 1 {
		t.Fatalf("verify lists: %+v, %v; want a problem and the list reported", rep, err)
	}
	s := problemsOf(rep)
	if !strings.Contains(s, "g1-publication.csv: file: cannot be checked: the export's ledger[5] (seq 6, publish) payload (not a JSON object") {
		t.Errorf("problems\n%s\nwant the list unchecked, naming the publish payload", s)
	}
	if strings.Contains(s, "not published") {
		t.Errorf("problems\n%s\nsay the round was not published; it was", s)
	}
}
