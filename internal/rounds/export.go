package rounds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/alloc"
	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ledger"
)

// ExportFormat names the export file format.
const ExportFormat = "rooted-round-export/1"

// The export file is one JSON object, written in one canonical form (so
// that changing any byte of it is detected, white space included):
//
//	{"format":"rooted-round-export/1",
//	"round":<the round's configuration, as recorded in its first ledger entry>,
//	"instance":<the allocation input (alloc.Instance JSON, one applicant a line) with the seed>,
//	"result":<the allocation output (alloc.Result JSON)>,
//	"ledger":[
//	<entry>,
//	…
//	]}
//
// Applicants are named by application number: no ID number or name is in
// the file.

// exportEntry is a ledger entry as the export writes it.
type exportEntry struct {
	Seq           int64           `json:"seq"`
	Round         string          `json:"round"`
	Kind          string          `json:"kind"`
	At            string          `json:"at"`
	Payload       json.RawMessage `json:"payload"`
	PayloadSHA256 string          `json:"payload_sha256"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
}

type exportFile struct {
	Format   string          `json:"format"`
	Round    json.RawMessage `json:"round"`
	Instance json.RawMessage `json:"instance"`
	Result   json.RawMessage `json:"result"`
	Ledger   []exportEntry   `json:"ledger"`
}

// encodeExport writes the export in its canonical form. An entry that does
// not encode (a payload that is not JSON) is an error naming it: the file
// would not be an export.
func encodeExport(format string, round, instance, result []byte, entries []exportEntry) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"format":`)
	f, _ := json.Marshal(format)
	b.Write(f)
	b.WriteString(",\n\"round\":")
	b.Write(round)
	b.WriteString(",\n\"instance\":")
	b.Write(bytes.TrimSuffix(instance, []byte("\n")))
	b.WriteString(",\n\"result\":")
	b.Write(bytes.TrimSuffix(result, []byte("\n")))
	b.WriteString(",\n\"ledger\":[")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		if err := enc.Encode(e); err != nil {
			return nil, fmt.Errorf("ledger entry %d (%s): %w", e.Seq, e.Kind, err)
		}
		b.Truncate(b.Len() - 1) // the newline Encode ends with
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// Export returns the self-contained export of an allocated (or published,
// or final) round: configuration, input with the seed, output and ledger
// chain, for `rooted verify`.
func (s *Service) Export(ctx context.Context, id string) ([]byte, error) {
	r, err := s.round(ctx, id, "export", Allocated, Published, Final)
	if err != nil {
		return nil, err
	}
	entries, err := s.Store.Ledger(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 || entries[0].Kind != EntryConfig {
		return nil, apperr.E("round.export", apperr.Internal, "error.export_chain_start", id)
	}
	input, err := s.Store.Document(ctx, id, DocInput)
	if err != nil {
		return nil, err
	}
	output, err := s.Store.Document(ctx, id, DocOutput)
	if err != nil {
		return nil, err
	}
	in, err := alloc.ParseInstance(input)
	if err != nil {
		return nil, fmt.Errorf("round %s: export: stored input: %w", id, err)
	}
	in.Seed = r.Seed
	var es []exportEntry
	for _, e := range entries {
		es = append(es, exportEntry{Seq: e.Seq, Round: e.Round, Kind: e.Kind, At: ledger.FormatTime(e.At), Payload: e.Payload,
			PayloadSHA256: e.PayloadSHA256, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	data, err := encodeExport(ExportFormat, entries[0].Payload, in.AppendJSON(nil), output, es)
	if err != nil {
		return nil, apperr.WrapE("round.export", apperr.Internal, err, "error.export_chain_write", id)
	}
	return data, nil
}

// Report is what Verify found.
type Report struct {
	Round      string    `json:"round"`
	Kind       Kind      `json:"kind"`
	SeedSHA256 string    `json:"seed_sha256"`
	Applicants int       `json:"applicants"`
	Placed     int       `json:"placed"`
	Entries    int       `json:"ledger_entries"`
	Objections int       `json:"objections"` // objection entries of the chain
	Upheld     int       `json:"upheld"`     // answers upholding one
	Dismissed  int       `json:"dismissed"`  // answers dismissing one
	Problems   []Problem `json:"problems,omitempty"`
	// Lists are the published lists checked with the export (VerifyLists).
	Lists []ListReport `json:"lists,omitempty"`
	// Warnings are what could not be checked, said plainly.
	Warnings []string `json:"warnings,omitempty"`
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Problem is one difference: where in the file, and what.
type Problem struct {
	File  string `json:"file,omitempty"` // a published list's; "" for the export
	Where string `json:"where"`
	What  string `json:"what"`
}

func (r *Report) add(where, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

// Verify checks an export: it re-runs the allocation on the instance with
// internal/alloc and compares the result; checks the ledger chain (each
// payload digest, each link, each hash, entries in time order and none
// dated after now); checks that the chain records
// this configuration, the commitment to this seed (before the input was
// frozen), the digest of this input without the seed, this seed revealed
// and the digest of this output; that its objections and answers hang
// together (each answer about an objection filed before it, given once,
// upheld or dismissed; none left unanswered when the round was made final,
// for chains that record answers); and that the file is in the canonical
// form Export writes. Every difference found is a Problem naming where it
// is. A file that cannot be read as an export at all is an *apperr.Error
// with code invalid naming the line and column.
func Verify(data []byte) (Report, error) {
	var f exportFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Report{}, unreadable(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Report{}, apperr.E("round.verify", apperr.Invalid, "error.verify_trailing", position(data, int(dec.InputOffset())))
	}
	var rep Report
	if f.Format != ExportFormat {
		rep.add("format", "%q, want %q", f.Format, ExportFormat)
	}
	var cfg Config
	cd := json.NewDecoder(bytes.NewReader(f.Round))
	cd.DisallowUnknownFields()
	if err := cd.Decode(&cfg); err != nil {
		rep.add("round", "not a round configuration: %v", err)
	}
	rep.Round, rep.Kind = cfg.ID, cfg.Kind

	// The chain.
	entries := make([]ledger.Entry, len(f.Ledger))
	for i, e := range f.Ledger {
		at, err := time.Parse(time.RFC3339Nano, e.At)
		if err != nil {
			rep.add(fmt.Sprintf("ledger[%d] (seq %d, %s): at", i, e.Seq, e.Kind), "%q is not a time", e.At)
		}
		entries[i] = ledger.Entry{Seq: e.Seq, Round: e.Round, Kind: e.Kind, At: at, Payload: e.Payload, PayloadSHA256: e.PayloadSHA256, PrevHash: e.PrevHash, Hash: e.Hash}
	}
	rep.Entries = len(entries)
	// A decision takes its time from the real clock: an entry dated after
	// this moment was recorded with a moved clock.
	if err := ledger.VerifyAt(cfg.ID, entries, time.Now()); err != nil {
		var m *ledger.MismatchError
		if errors.As(err, &m) {
			rep.add(fmt.Sprintf("ledger[%d] (seq %d, %s)", m.Index, m.Seq, m.Kind), "%s is %s, want %s", m.Field, m.Got, m.Want)
		} else {
			rep.add("ledger", "%v", err)
		}
	}
	checkObjections(&rep, entries)

	// The allocation.
	in, err := alloc.ParseInstance(f.Instance)
	var recomputed []byte
	if err != nil {
		rep.add("instance", "%v", err)
	} else {
		rep.Applicants = len(in.Applicants)
		rep.SeedSHA256 = alloc.SeedSHA256(in.Seed)
		if canon := bytes.TrimSuffix(in.AppendJSON(nil), []byte("\n")); !bytes.Equal(canon, f.Instance) {
			at := firstDiff(canon, f.Instance)
			rep.add("instance, "+position(f.Instance, at), "not in canonical form (the input is written one way only)")
		}
		if in.Round != cfg.ID {
			rep.add("instance: round", "%q, want the round's id %q", in.Round, cfg.ID)
		}
		res, err := alloc.Allocate(in)
		if err != nil {
			rep.add("instance", "%v", err)
		} else {
			for _, a := range res.Assignments {
				if a.School != "" {
					rep.Placed++
				}
			}
			recomputed = res.AppendJSON(nil)
			if canon := bytes.TrimSuffix(recomputed, []byte("\n")); !bytes.Equal(canon, f.Result) {
				rep.add("result, "+lineDiff(f.Result, canon), "differs from the allocation recomputed from the instance")
			}
		}
	}

	// What the chain says about them.
	first := map[string]*ledger.Entry{}
	for i := range entries {
		if first[entries[i].Kind] == nil {
			first[entries[i].Kind] = &entries[i]
		}
	}
	where := func(e *ledger.Entry) string { return fmt.Sprintf("ledger[%d] (seq %d, %s)", e.Seq-1, e.Seq, e.Kind) }
	// Each payload read is read once: one that is JSON but not an object
	// (the chain can hash anything) is one problem naming the entry, not a
	// comparison with "" that blames the instance or the result.
	payloads := map[*ledger.Entry]map[string]any{}
	field := func(e *ledger.Entry, name string) string {
		m, read := payloads[e]
		if !read {
			var err error
			if m, err = payloadObject(e.Payload); err != nil {
				rep.add(where(e)+": payload", "%v", err)
			}
			payloads[e] = m
		}
		s, _ := m[name].(string)
		return s
	}
	for _, kind := range []string{EntryConfig, EntryCommitment, EntryInput, EntryReveal, EntryOutput} {
		if first[kind] == nil {
			rep.add("ledger", "no %s entry", kind)
		}
	}
	if e := first[EntryConfig]; e != nil && !bytes.Equal(e.Payload, f.Round) {
		rep.add("round", "differs from the configuration recorded in %s at byte %d", where(e), firstDiff(e.Payload, f.Round))
	}
	if in != nil {
		if e := first[EntryCommitment]; e != nil && field(e, "seed_sha256") != alloc.SeedSHA256(in.Seed) {
			rep.add("instance: seed", "its SHA-256 %s is not the commitment %s in %s", alloc.SeedSHA256(in.Seed), field(e, "seed_sha256"), where(e))
		}
		if e := first[EntryReveal]; e != nil && field(e, "seed") != in.Seed {
			rep.add("instance: seed", "differs from the seed revealed in %s", where(e))
		}
		if e := first[EntryInput]; e != nil {
			blind := *in
			blind.Seed = ""
			if d := ledger.Digest(blind.AppendJSON(nil)); d != field(e, "input_sha256") {
				rep.add("instance", "the SHA-256 of the input without the seed is %s, %s recorded %s", d, where(e), field(e, "input_sha256"))
			}
		}
		if c, i := first[EntryCommitment], first[EntryInput]; c != nil && i != nil && c.Seq > i.Seq {
			rep.add(where(c), "the seed commitment comes after the input was frozen")
		}
	}
	if e := first[EntryOutput]; e != nil {
		if d := ledger.Digest(append(bytes.Clone(f.Result), '\n')); d != field(e, "output_sha256") {
			rep.add("result", "its SHA-256 is %s, %s recorded %s", d, where(e), field(e, "output_sha256"))
		}
	}
	if rep.OK() {
		canon, err := encodeExport(f.Format, f.Round, f.Instance, f.Result, f.Ledger)
		if err != nil {
			rep.add("export", "%v", err)
		} else if !bytes.Equal(canon, data) {
			rep.add("export, "+position(data, firstDiff(canon, data)), "not in the canonical form rooted writes (white space or escapes changed)")
		}
	}
	return rep, nil
}

// payloadObject reads a ledger payload as the JSON object every entry's
// payload is; null, an array or a string is an error saying so.
func payloadObject(p json.RawMessage) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if m == nil {
		return nil, errors.New("not a JSON object: null")
	}
	return m, nil
}

// unreadable turns a JSON error into an invalid error with a position.
func unreadable(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apperr.E("round.verify", apperr.Invalid, "error.verify_syntax", position(data, int(se.Offset)), err)
	case errors.As(err, &te):
		return apperr.E("round.verify", apperr.Invalid, "error.verify_field", position(data, int(te.Offset)), te.Field, err)
	}
	return apperr.E("round.verify", apperr.Invalid, "error.verify_not_export", err)
}

// position describes a byte offset as byte, line and column.
func position(data []byte, off int) string {
	off = max(0, min(off, len(data)))
	line := bytes.Count(data[:off], []byte("\n")) + 1
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("byte %d (line %d, column %d)", off, line, col)
}

func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// lineDiff names the first line where got differs from want, with both.
func lineDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: recorded %s, recomputed %s", i+1, clip(gl), clip(wl))
		}
	}
	return "same lines"
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
