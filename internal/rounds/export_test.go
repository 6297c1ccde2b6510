package rounds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
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
