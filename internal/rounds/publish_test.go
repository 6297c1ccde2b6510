package rounds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/rounds"
)

// publishPayload returns the publish entry's payload of round id.
func publishPayload(t *testing.T, svc *rounds.Service, id string) map[string]any {
	t.Helper()
	es, err := svc.Ledger(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Kind == rounds.EntryPublish {
			var m map[string]any
			if err := json.Unmarshal(e.Payload, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatal("no publish entry")
	return nil
}

// TestPublishRecordsTheFiles: the ledger records the SHA-256 of the exact
// files published; publishing again, and the public list, serve the same
// bytes, also days later.
func TestPublishRecordsTheFiles(t *testing.T) {
	ctx := context.Background()
	svc, now := publishedRound(t)
	p := publishPayload(t, svc, "g1")
	first, err := svc.Published(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Recorded || p["csv_sha256"] != ledger.Digest(first.CSV) || p["xlsx_sha256"] != ledger.Digest(first.XLSX) ||
		first.CSVSHA256 != p["csv_sha256"] || first.XLSXSHA256 != p["xlsx_sha256"] || p["list_sha256"] != first.ListSHA256 {
		t.Fatalf("the ledger records csv %v, xlsx %v; the published files have %s, %s (recorded %v)", p["csv_sha256"], p["xlsx_sha256"], ledger.Digest(first.CSV), ledger.Digest(first.XLSX), first.Recorded)
	}
	if len(first.Rows) != 1 || !strings.HasPrefix(first.Rows[0][0], "A0000") || !strings.Contains(first.Rows[0][8], "不予受理") || first.Header[0] != "申请编号 number" {
		t.Errorf("the list read from the stored CSV: %q %q", first.Header, first.Rows)
	}
	at(now, "2026-06-03")
	again, err := svc.Publish(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.CSV, first.CSV) || !bytes.Equal(again.XLSX, first.XLSX) {
		t.Errorf("publishing again gave other bytes")
	}
	// Rendering again with the publication instant gives the stored XLSX:
	// nothing in it depends on the clock.
	x, err := ingest.PublicationFiles{}.XLSX(&again)
	if err != nil || !bytes.Equal(x, first.XLSX) {
		t.Errorf("the XLSX rendered again two days later differs from the stored one (%v)", err)
	}
}

// TestRepublishRefusesChangedRecords: changing a stored application after
// publication (a database edit: here its refusal reason, which the list
// shows) makes publishing again a conflict that says the records changed;
// the public list keeps serving the published bytes.
func TestRepublishRefusesChangedRecords(t *testing.T) {
	ctx := context.Background()
	svc, _ := publishedRound(t)
	before, err := svc.Published(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	apps, err := svc.Store.Applications(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	apps[0].Reason, apps[0].Detail = "child_not_found", ""
	if _, err := svc.Store.Commit(ctx, "g1", rounds.Change{From: rounds.Published, Update: apps}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Publish(ctx, "g1")
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "records changed since publication") {
		t.Fatalf("publish after the records changed: %v; want a conflict saying the records changed", err)
	}
	after, err := svc.Published(ctx, "g1")
	if err != nil || !bytes.Equal(after.CSV, before.CSV) || !bytes.Equal(after.XLSX, before.XLSX) {
		t.Errorf("the published files after the change: %v, same CSV %v", err, bytes.Equal(after.CSV, before.CSV))
	}
}

// TestPublishedBeforeFilesWereKept: a round whose publish entry records
// only the rows' digest (published by an older rooted) still serves its
// list, rendered again and marked as not recorded.
func TestPublishedBeforeFilesWereKept(t *testing.T) {
	ctx := context.Background()
	svc, _ := publishedRound(t)
	svc.Store = legacyChain{svc.Store}
	p, err := svc.Published(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Recorded || len(p.CSV) == 0 || len(p.XLSX) == 0 || len(p.Rows) != 1 {
		t.Errorf("published list of an older round: recorded %v, %d CSV bytes, %d rows", p.Recorded, len(p.CSV), len(p.Rows))
	}
	if _, err := svc.Publish(ctx, "g1"); err != nil {
		t.Errorf("publish again: %v", err)
	}
}

// legacyChain reads the chain as rooted wrote it before the files were
// kept: the publish entry without the files' digests.
type legacyChain struct{ rounds.Store }

func (s legacyChain) Ledger(ctx context.Context, id string) ([]ledger.Entry, error) {
	es, err := s.Store.Ledger(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].Kind == rounds.EntryPublish {
			var m map[string]any
			if err := json.Unmarshal(es[i].Payload, &m); err != nil {
				return nil, fmt.Errorf("legacy chain: publish payload: %w", err)
			}
			delete(m, "csv_sha256")
			delete(m, "xlsx_sha256")
			if es[i].Payload, err = json.Marshal(m); err != nil {
				return nil, fmt.Errorf("legacy chain: publish payload: %w", err)
			}
		}
	}
	return es, nil
}

func TestCheckSeed(t *testing.T) {
	for _, tt := range []struct {
		seed string
		want string // "" when strong
	}{
		{"4f1c9e07b2a86d53e0c7a9f2814b6d3e5a0f9c2b7e1d8a46", ""},
		{"0000000000000000000000000000000000000000000000000000000000000000", "distinct"},
		{"seed", "4 characters"},
		{"2026-grade1-zeguo", "characters"},
		{"round-2026-grade1-zeguo-20260901", "bits"},
		{"abcdefghijklmnopqrstuvwxyz0123456789", "sequence"},
		{"9876543210zyxwvutsrqponmlkjihgfedcba", "sequence"},
		{"a1b2c3d4e5f6g7h8i9j0a1b2c3d4e5f6g7h8i9j0", "repeated"},
		{"春季入学摇号种子：2026年9月1日，泽国镇第一小学与大溪镇中心小学", "date"},
		{"Kx7#mQ2$vL9@pR4!wT6&zN8*yB3^hF5%2026-09-01", "date"},
		{"Kx7#mQ2$vL9@pR4!wT6&zN8*yB3^hF5%", ""},
		{string([]byte{0xff, 0xfe}) + strings.Repeat("x", 40), "UTF-8"},
		{strings.Repeat("Kx7#mQ2$vL9@pR4!wT6&zN8*yB3^hF5%", 9), "256 bytes"},
	} {
		err := rounds.CheckSeed(tt.seed)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckSeed(%q) = %v, want nil", tt.seed, err)
		case tt.want != "" && (!apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckSeed(%q) = %v, want an invalid error saying %q", tt.seed, err, tt.want)
		}
	}
	// The default seed passes, whatever crypto/rand draws.
	svc, _ := publishedRound(t)
	for i := range 200 {
		id := "d" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := svc.Create(t.Context(), rounds.CreateRequest{ID: id, Name: "x", Kind: rounds.Grade1, Year: 2026}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Open(t.Context(), id, ""); err != nil {
			t.Fatalf("open with the default seed: %v", err)
		}
	}
	if _, err := svc.Create(t.Context(), rounds.CreateRequest{ID: "weak", Name: "x", Kind: rounds.Grade1, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Open(t.Context(), "weak", "2026-09-01"); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "A good seed is") {
		t.Errorf("open with a date for a seed: %v, want an invalid error saying what a good seed is", err)
	}
	if r, _ := svc.Get(t.Context(), "weak"); r.Status != rounds.Draft {
		t.Errorf("a round refused its seed is %s, want still draft", r.Status)
	}
}

// TestVerifyLists: the published CSV and XLSX verify with the export; one
// changed byte, or a changed cell, is a problem naming the file.
func TestVerifyLists(t *testing.T) {
	ctx := context.Background()
	svc, now := publishedRound(t)
	at(now, "2026-06-08")
	if _, err := svc.Finalize(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	export, err := svc.Export(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Publish(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string, data []byte) rounds.List {
		t.Helper()
		l, err := ingest.ReadList(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	rep, err := rounds.VerifyLists(export, []rounds.List{read("g1-publication.csv", p.CSV), read("g1-publication.xlsx", p.XLSX)})
	if err != nil || !rep.OK() || len(rep.Lists) != 2 || !rep.Lists[0].Recorded || !rep.Lists[1].Recorded || rep.Lists[1].Rows != 1 {
		t.Fatalf("verify the published lists: %+v, %v", rep, err)
	}
	flipped := bytes.Clone(p.CSV)
	flipped[len(flipped)-3] ^= 1
	changedCell := bytes.Replace(p.CSV, []byte("不予受理 refused"), []byte("泽国镇第一小学"), 1)
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"one byte", flipped, "not the published csv"},
		{"the result of a refused application", changedCell, `line 2 (application A00001): result "泽国镇第一小学"`},
	} {
		rep, err := rounds.VerifyLists(export, []rounds.List{read("g1-publication.csv", tt.data)})
		if err != nil || rep.OK() {
			t.Errorf("%s changed: %+v, %v; want a problem", tt.name, rep, err)
			continue
		}
		var all []string
		for _, pr := range rep.Problems {
			all = append(all, pr.File+": "+pr.Where+": "+pr.What)
		}
		if s := strings.Join(all, "\n"); !strings.Contains(s, tt.want) || rep.Problems[0].File != "g1-publication.csv" {
			t.Errorf("%s changed: problems\n%s\nwant one naming the file and %q", tt.name, s, tt.want)
		}
	}
}
