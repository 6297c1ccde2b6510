package alloc

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strings"
)

// Instance is one allocation round's input.
type Instance struct {
	Round      string      // name of the round; free text, may be empty
	Seed       string      // lottery seed, published as SHA-256 before applications closed; required
	Schools    []School    // ids unique
	Applicants []Applicant // ids unique
}

// School is a place with seats: a school, or a housing project.
type School struct {
	ID       string // unique, non-empty
	Capacity int    // seats, ≥ 0
	District string // optional: applicants of this district come first
}

// Applicant is one application.
type Applicant struct {
	ID          string    // unique, non-empty
	Points      float64   // finite; may have decimals, may be negative
	District    string    // optional
	Tiebreak    []float64 // optional: nil on every applicant, or of one length on all; finite
	Preferences []string  // school ids, most wanted first, each at most once; may be empty
}

// Result is the outcome of a round.
type Result struct {
	Round       string
	SeedSHA256  [sha256.Size]byte // SHA-256 of the seed: what was published before the round
	Assignments []Assignment      // one per applicant, in input order
	Schools     []SchoolResult    // one per school, in input order
}

// Assignment is where one applicant was placed.
type Assignment struct {
	Applicant string
	School    string // "" when the applicant got none of their choices
	Choice    int    // 1-based position of School in the applicant's preferences; 0 when none
	Ticket    uint64 // Ticket(seed, Applicant)
}

// SchoolResult is one school's admissions.
type SchoolResult struct {
	ID       string
	Capacity int
	Admitted int     // ≤ Capacity
	Cutoff   *Cutoff // the lowest-priority admitted applicant; nil when none admitted
}

// Cutoff is the priority of the last applicant a school admitted: anyone of
// higher priority who asked for the school got it or a school they wanted more.
type Cutoff struct {
	InDistrict bool      // always false at a school without a district
	Points     float64   //
	Tiebreak   []float64 // nil when the round has no tie-break
	Ticket     uint64
}

// Ticket is the lottery ticket of applicant id under seed: the first 8
// bytes, big-endian, of SHA-256 over seed + ":" + id. Lower goes first.
func Ticket(seed, id string) uint64 {
	var buf [128]byte
	return ticket(buf[:0], seed, id)
}

// ticket is Ticket with a scratch buffer, so that a million tickets do not
// make a million garbage strings.
func ticket(scratch []byte, seed, id string) uint64 {
	b := append(append(append(scratch[:0], seed...), ':'), id...)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])
}

// SeedSHA256 returns the lowercase hex SHA-256 of seed: the commitment
// published before applications close.
func SeedSHA256(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// Allocate validates in (see Validate) and runs student-proposing deferred
// acceptance on it. The result is the applicant-optimal stable matching,
// which is unique because priority is strict; it depends on the content of
// in, not on the order of its applicants. The error is an *apperr.Error
// with code invalid naming what is wrong and where; in is not modified.
func Allocate(in *Instance) (*Result, error) {
	p, err := compile(in)
	if err != nil {
		return nil, err
	}
	p.rank(in)
	p.deferredAcceptance()
	return p.result(in), nil
}

// problem is an Instance compiled to dense integers.
type problem struct {
	tickets []uint64 // per applicant
	order   []entry  // applicants by ticket after compile, by district-blind priority after rank
	spare   []entry  // a buffer as long as order, for radix sorting
	prefs   []int32  // school indexes; applicant a's choices are prefs[apps[a].first:apps[a].end]
	apps    []applicantState
	schools []schoolState
	withTie bool // the round has tie-breaks
}

// applicantState is what deferred acceptance reads and writes for one
// applicant, packed so that a proposal touches one cache line.
type applicantState struct {
	rank     uint32 // in the district-blind order, 0 = first
	district int32  // interned; -1 when none
	next     int32  // index into prefs of the school proposed to or held by; end when none
	end      int32  // end of the applicant's choices in prefs
}

// schoolState is one school during deferred acceptance.
type schoolState struct {
	held     []uint64 // keys of the applicants held, a max-heap: lowest priority on top
	capacity int32    // clamped to the number of applicants
	district int32    // interned; -1 when none
	demand   int32    // how many applicants list the school
}

// entry is an applicant in a sort by priority.
type entry struct {
	points uint64 // descending points as an ascending unsigned key
	ticket uint64
	a      int32
}

// A key is an applicant's priority at one school, smaller first, with the
// applicant in it: bit 63 is set when the district rule puts the applicant
// behind, bits 32–62 are the district-blind rank, bits 0–31 the applicant.
func (p *problem) key(a int32, st *applicantState, s *schoolState) uint64 {
	k := uint64(st.rank)<<32 | uint64(uint32(a))
	if s.district < 0 || st.district != s.district {
		k |= 1 << 63
	}
	return k
}

const keyOutOfDistrict = 1 << 63

// rank sorts the applicants, already in ticket order, into the strict
// district-blind order — points descending, tie-break descending element
// by element, ticket ascending, id ascending — and records each one's rank.
func (p *problem) rank(in *Instance) {
	es := p.order
	for i := range es {
		es[i].points = ^orderedBits(in.Applicants[es[i].a].Points)
	}
	// A stable radix sort on points keeps the ticket order within equal
	// points: cheaper than a comparison sort for a million applicants.
	es, p.spare = radixSortPoints(es, p.spare)
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].points == es[i].points {
			j++
		}
		if j-i > 1 && p.withTie {
			run := es[i:j]
			slices.SortStableFunc(run, func(x, y entry) int {
				tx, ty := in.Applicants[x.a].Tiebreak, in.Applicants[y.a].Tiebreak
				for k := range tx {
					if c := cmp.Compare(ty[k], tx[k]); c != 0 { // higher first
						return c
					}
				}
				return 0
			})
		}
		i = j
	}
	// Distinct ids with equal tickets (about 1 in 10^7 per million-applicant
	// round): order them by id so that the order stays strict.
	for i := 0; i+1 < len(es); i++ {
		if es[i].ticket == es[i+1].ticket && es[i].points == es[i+1].points {
			j := i + 1
			for j < len(es) && es[j].ticket == es[i].ticket && es[j].points == es[i].points {
				j++
			}
			slices.SortStableFunc(es[i:j], func(x, y entry) int {
				if c := p.compareTiebreak(in, x.a, y.a); c != 0 {
					return c
				}
				return strings.Compare(in.Applicants[x.a].ID, in.Applicants[y.a].ID)
			})
			i = j - 1
		}
	}
	p.order = es
	for r, e := range es {
		p.apps[e.a].rank = uint32(r)
	}
}

// compareTiebreak compares the tie-breaks of applicants a and b, higher first.
func (p *problem) compareTiebreak(in *Instance, a, b int32) int {
	ta, tb := in.Applicants[a].Tiebreak, in.Applicants[b].Tiebreak
	for k := range ta {
		if c := cmp.Compare(tb[k], ta[k]); c != 0 {
			return c
		}
	}
	return 0
}

// radixSortPoints sorts es by points, stably, using buf (as long as es) as
// scratch; it returns the sorted slice and the other one. Passes on bytes
// that are the same for every entry are skipped: points on a few levels
// take two or three passes.
func radixSortPoints(es, buf []entry) (sorted, spare []entry) {
	var counts [8][256]int
	for _, e := range es {
		for d := range 8 {
			counts[d][byte(e.points>>(8*d))]++
		}
	}
	for d := range 8 {
		c := &counts[d]
		if len(es) == 0 || c[byte(es[0].points>>(8*d))] == len(es) {
			continue
		}
		sum := 0
		for v := range c {
			c[v], sum = sum, sum+c[v]
		}
		for _, e := range es {
			v := byte(e.points >> (8 * d))
			buf[c[v]] = e
			c[v]++
		}
		es, buf = buf, es
	}
	return es, buf
}

// radixSortTickets sorts es by ticket, like radixSortPoints.
func radixSortTickets(es, buf []entry) (sorted, spare []entry) {
	var counts [8][256]int
	for _, e := range es {
		for d := range 8 {
			counts[d][byte(e.ticket>>(8*d))]++
		}
	}
	for d := range 8 {
		c := &counts[d]
		sum := 0
		for v := range c {
			c[v], sum = sum, sum+c[v]
		}
		for _, e := range es {
			v := byte(e.ticket >> (8 * d))
			buf[c[v]] = e
			c[v]++
		}
		es, buf = buf, es
	}
	return es, buf
}

// orderedBits maps a finite float64 to a uint64 with the same order;
// -0 and +0 map to the same value.
func orderedBits(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 → +0
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// deferredAcceptance runs student-proposing deferred acceptance in the
// McVitie–Wilson order: each applicant in turn proposes, and whoever is
// displaced proposes on at once. The applicant-optimal stable matching does
// not depend on the order of proposals, so this gives the same result as
// the round-based textbook form, with no queue.
func (p *problem) deferredAcceptance() {
	// Each school holds at most min(capacity, demand) applicants: one flat
	// buffer, bounded by the number of preferences, sliced per school.
	total := 0
	for s := range p.schools {
		total += int(min(p.schools[s].capacity, p.schools[s].demand))
	}
	buf := make([]uint64, total)
	for s := range p.schools {
		st := &p.schools[s]
		c := int(min(st.capacity, st.demand))
		st.held, buf = buf[:0:c], buf[c:]
	}
	// Input order rather than priority order: it reads the applicants'
	// arrays front to back, which measured faster than having fewer
	// displacements.
	for i := range p.apps {
		for a := int32(i); a >= 0; {
			a = p.propose(a)
		}
	}
}

// propose makes applicant a propose down its list until a school holds it.
// It returns the applicant that school displaced, or -1.
func (p *problem) propose(a int32) int32 {
	st := &p.apps[a]
	for ; st.next < st.end; st.next++ {
		s := &p.schools[p.prefs[st.next]]
		k := p.key(a, st, s)
		h := s.held
		if len(h) < int(s.capacity) {
			s.held = heapPush(h, k)
			return -1
		}
		if len(h) == 0 || k > h[0] {
			continue // full (or no seats), and a is behind everyone held
		}
		b := int32(uint32(h[0]))
		h[0] = k
		heapDown(h, 0)
		p.apps[b].next++
		return b
	}
	return -1
}

// heapPush adds k to the max-heap h, whose capacity has room.
func heapPush(h []uint64, k uint64) []uint64 {
	h = append(h, k)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent] >= k {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = k
	return h
}

// heapDown restores the max-heap property below i.
func heapDown(h []uint64, i int) {
	n := len(h)
	k := h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r] > h[c] {
			c = r
		}
		if h[c] <= k {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = k
}

func (p *problem) result(in *Instance) *Result {
	r := &Result{
		Round:       in.Round,
		SeedSHA256:  sha256.Sum256([]byte(in.Seed)),
		Assignments: make([]Assignment, len(in.Applicants)),
		Schools:     make([]SchoolResult, len(in.Schools)),
	}
	first := int32(0)
	for i := range in.Applicants {
		st := &p.apps[i]
		as := Assignment{Applicant: in.Applicants[i].ID, Ticket: p.tickets[i]}
		if st.next < st.end {
			as.School = in.Schools[p.prefs[st.next]].ID
			as.Choice = int(st.next-first) + 1
		}
		r.Assignments[i] = as
		first = st.end
	}
	for s := range in.Schools {
		h := p.schools[s].held
		sr := SchoolResult{ID: in.Schools[s].ID, Capacity: in.Schools[s].Capacity, Admitted: len(h)}
		if len(h) > 0 {
			a := uint32(h[0])
			sr.Cutoff = &Cutoff{
				InDistrict: h[0]&keyOutOfDistrict == 0,
				Points:     in.Applicants[a].Points,
				Tiebreak:   slices.Clone(in.Applicants[a].Tiebreak),
				Ticket:     p.tickets[a],
			}
		}
		r.Schools[s] = sr
	}
	return r
}
