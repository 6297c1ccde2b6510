package rounds

import (
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/ledger"
)

// TestCheckObjections: chains that hash correctly (resealed by whoever
// forged them) but whose objections and answers do not hang together are
// reported; chains recorded before objections were answered still pass.
func TestCheckObjections(t *testing.T) {
	const sum = `"0000000000000000000000000000000000000000000000000000000000000000"`
	obj := func(n, number string) [2]string {
		return [2]string{EntryObjection, `{"objection":` + n + `,"number":"` + number + `","text_sha256":` + sum + `}`}
	}
	legacyObj := func(number string) [2]string {
		return [2]string{EntryObjection, `{"number":"` + number + `","text_sha256":` + sum + `}`}
	}
	dec := func(n, number, decision string) [2]string {
		return [2]string{EntryDecision, `{"objection":` + n + `,"number":"` + number + `","decision":"` + decision + `","reply_sha256":` + sum + `}`}
	}
	final := func(objections, upheld, dismissed string) [2]string {
		return [2]string{EntryFinal, `{"final_on":"2026-06-08","objections":` + objections + `,"upheld":` + upheld + `,"dismissed":` + dismissed + `}`}
	}
	legacyFinal := func(objections string) [2]string {
		return [2]string{EntryFinal, `{"final_on":"2026-06-08","objections":` + objections + `}`}
	}
	for _, tt := range []struct {
		name  string
		chain [][2]string
		want  string // a problem's text; "" for none
	}{
		{"answered", [][2]string{obj("1", "A1"), obj("2", "A2"), dec("2", "A2", "upheld"), dec("1", "A1", "dismissed"), final("2", "1", "1")}, ""},
		{"no objection", [][2]string{final("0", "0", "0")}, ""},
		{"recorded before answers", [][2]string{legacyObj("A1"), legacyFinal("1")}, ""},
		{"legacy objections answered", [][2]string{legacyObj("A1"), dec("1", "A1", "upheld"), final("1", "1", "0")}, ""},
		{"misnumbered objection", [][2]string{obj("1", "A1"), obj("1", "A2")}, "objection number 1, want 2"},
		{"answer before the objection", [][2]string{dec("1", "A1", "upheld"), obj("1", "A1")}, "not filed before it"},
		{"answer to no objection", [][2]string{obj("1", "A1"), dec("2", "A1", "upheld")}, "not filed before it"},
		{"answered twice", [][2]string{obj("1", "A1"), dec("1", "A1", "upheld"), dec("1", "A1", "dismissed")}, "a second time"},
		{"another application", [][2]string{obj("1", "A1"), dec("1", "A2", "upheld")}, `objection 1 was about "A1"`},
		{"another decision", [][2]string{obj("1", "A1"), dec("1", "A1", "partly")}, "want upheld or dismissed"},
		{"no reply digest", [][2]string{obj("1", "A1"), {EntryDecision, `{"objection":1,"number":"A1","decision":"upheld"}`}}, "not a SHA-256"},
		{"final with one unanswered", [][2]string{obj("1", "A1"), obj("2", "A2"), dec("1", "A1", "upheld"), final("2", "1", "0")}, "1 of 2 objections not answered"},
		{"final miscounting", [][2]string{obj("1", "A1"), dec("1", "A1", "upheld"), final("1", "0", "1")}, "the chain has 1 (1 upheld, 0 dismissed)"},
		{"answer after final", [][2]string{obj("1", "A1"), legacyFinal("1"), dec("1", "A1", "upheld")}, "after the round was made final"},
		{"not an object", [][2]string{{EntryObjection, `[1]`}}, "not a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var entries []ledger.Entry
			for i, e := range tt.chain {
				entries = append(entries, ledger.Entry{Seq: int64(i + 1), Round: "r", Kind: e[0], Payload: []byte(e[1])})
			}
			var rep Report
			checkObjections(&rep, entries)
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.Where+": "+p.What)
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("problems %q, want none", got)
			case tt.want != "" && !strings.Contains(strings.Join(got, "\n"), tt.want):
				t.Errorf("problems %q, want one saying %q", got, tt.want)
			}
		})
	}
}
