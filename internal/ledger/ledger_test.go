package ledger

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func chain(t *testing.T, round string, n int) []Entry {
	t.Helper()
	var es []Entry
	at := time.Date(2026, 6, 1, 9, 0, 0, 123456789, time.UTC)
	for i := range n {
		var prev *Entry
		if i > 0 {
			prev = &es[i-1]
		}
		e, err := Seal(prev, round, Draft{Kind: fmt.Sprintf("k%d", i+1), At: at.Add(time.Duration(i) * time.Minute), Payload: []byte(fmt.Sprintf(`{ "n": %d }`, i))})
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

func TestSealAndVerify(t *testing.T) {
	es := chain(t, "r1", 6)
	if err := Verify("r1", es); err != nil {
		t.Fatalf("Verify of an intact chain: %v", err)
	}
	if string(es[0].Payload) != `{"n":0}` || es[0].PrevHash != Genesis("r1") || es[5].Seq != 6 {
		t.Errorf("first entry %+v", es[0])
	}
	if got := FormatTime(es[0].At); got != "2026-06-01T09:00:00.123456Z" {
		t.Errorf("at = %s, want microseconds in UTC", got)
	}
}

func TestTamperDetectedAtTheRightSeq(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tamper func(es []Entry) []Entry
		seq    int64
		field  string
	}{
		{"payload changed", func(es []Entry) []Entry { es[2].Payload = []byte(`{"n":99}`); return es }, 3, "payload_sha256"},
		{"payload and its digest changed", func(es []Entry) []Entry {
			es[3].Payload = []byte(`{"n":99}`)
			es[3].PayloadSHA256 = Digest(es[3].Payload)
			return es
		}, 4, "hash"},
		{"entry resealed: next entry's link breaks", func(es []Entry) []Entry {
			es[1].Payload = []byte(`{"n":99}`)
			es[1].PayloadSHA256 = Digest(es[1].Payload)
			es[1].Hash = es[1].ComputeHash()
			return es
		}, 3, "prev_hash"},
		{"time moved", func(es []Entry) []Entry { es[4].At = es[4].At.Add(time.Second); return es }, 5, "hash"},
		{"kind changed", func(es []Entry) []Entry { es[0].Kind = "other"; return es }, 1, "hash"},
		{"entry dropped", func(es []Entry) []Entry { return append(es[:2:2], es[3:]...) }, 4, "seq"},
		{"entries swapped", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 3, "seq"},
		{"last hash changed", func(es []Entry) []Entry { es[5].Hash = es[4].Hash; return es }, 6, "hash"},
		{"entry of another round", func(es []Entry) []Entry { es[2].Round = "r2"; return es }, 3, "round"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.tamper(chain(t, "r1", 6))
			err := Verify("r1", es)
			var m *MismatchError
			if !errors.As(err, &m) || m.Seq != tt.seq || m.Field != tt.field {
				t.Errorf("Verify = %v; want a mismatch at seq %d in %s", err, tt.seq, tt.field)
			}
		})
	}
}

// reseal recomputes the hashes of es from i on, as someone who rewrites
// the chain would: every hash then checks.
func reseal(es []Entry, i int) []Entry {
	for ; i < len(es); i++ {
		if i > 0 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = es[i].ComputeHash()
	}
	return es
}

func TestTimeOrder(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) // after chain's last entry (09:05)
	for _, tt := range []struct {
		name   string
		tamper func(es []Entry) []Entry
		seq    int64 // 0: no mismatch
	}{
		{"intact", func(es []Entry) []Entry { return es }, 0},
		{"same instant as the previous", func(es []Entry) []Entry { es[3].At = es[2].At; return reseal(es, 3) }, 0},
		{"back-dated and resealed", func(es []Entry) []Entry { es[3].At = es[1].At.Add(-time.Hour); return reseal(es, 3) }, 4},
		{"dated after now and resealed", func(es []Entry) []Entry { es[5].At = now.AddDate(0, 6, 0); return reseal(es, 5) }, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.tamper(chain(t, "r1", 6))
			err := VerifyAt("r1", es, now)
			var m *MismatchError
			switch {
			case tt.seq == 0 && err != nil:
				t.Errorf("VerifyAt = %v; want nil", err)
			case tt.seq != 0 && (!errors.As(err, &m) || m.Seq != tt.seq || m.Field != "at"):
				t.Errorf("VerifyAt = %v; want a mismatch at seq %d in at", err, tt.seq)
			}
		})
	}
	// Verify alone knows no "now": a future entry in order passes it.
	es := chain(t, "r1", 2)
	es[1].At = now.AddDate(1, 0, 0)
	if err := Verify("r1", reseal(es, 1)); err != nil {
		t.Errorf("Verify of a chain in order = %v; want nil", err)
	}
}

func TestSealRefusesOutOfOrder(t *testing.T) {
	es := chain(t, "r1", 2)
	_, err := Seal(&es[1], "r1", Draft{Kind: "late", At: es[1].At.Add(-time.Microsecond), Payload: []byte(`{}`)})
	if !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("Seal of an entry dated before the previous = %v; want ErrOutOfOrder", err)
	}
	if _, err := Seal(&es[1], "r1", Draft{Kind: "same", At: es[1].At, Payload: []byte(`{}`)}); err != nil {
		t.Errorf("Seal at the previous entry's instant = %v; want nil", err)
	}
}

func TestSealRefuses(t *testing.T) {
	es := chain(t, "r1", 1)
	if _, err := Seal(&es[0], "r2", Draft{Kind: "x", Payload: []byte(`{}`)}); err == nil {
		t.Error("Seal after an entry of another round: no error")
	}
	if _, err := Seal(nil, "r1", Draft{Kind: "x", Payload: []byte(`{`)}); err == nil {
		t.Error("Seal of a payload that is not JSON: no error")
	}
	if _, err := Seal(nil, "r1", Draft{Payload: []byte(`{}`)}); err == nil {
		t.Error("Seal without a kind: no error")
	}
}
