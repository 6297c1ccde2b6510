package alloc

import (
	"math"
	"runtime"
	"sync"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

// MaxApplicants and MaxCapacity bound an instance so that the engine can
// index with 32-bit integers; both are far above any city's round.
const (
	MaxApplicants = math.MaxInt32 - 1
	MaxCapacity   = math.MaxInt32
)

// Validate reports the first thing wrong with in, in document order, as an
// *apperr.Error with code invalid whose message names what and where: a
// missing seed; a school or applicant without an id; duplicate school or
// applicant ids; a capacity below 0 or above MaxCapacity; points or a
// tie-break element that is NaN or infinite; tie-breaks on only some
// applicants, or of different lengths; an unknown school, or a school
// listed twice, in an applicant's preferences. A nil error means Allocate
// will succeed.
func (in *Instance) Validate() error {
	_, err := compile(in)
	return err
}

// invalid returns the package's one kind of error: the catalogue's key
// with args.
func invalid(key string, args ...any) error {
	return apperr.E("alloc.validate", apperr.Invalid, key, args...)
}

// schoolAt and applicantAt name an element for messages: its id (quoted, so
// that no id can break the one-line message) and its index in the document.
func schoolAt(i int, id string) msg.M {
	if id == "" {
		return msg.M{Key: "error.alloc_school_n", Args: []any{i}}
	}
	return msg.M{Key: "error.alloc_school", Args: []any{id, i}}
}

func applicantAt(i int, id string) msg.M {
	if id == "" {
		return msg.M{Key: "error.alloc_applicant_n", Args: []any{i}}
	}
	return msg.M{Key: "error.alloc_applicant", Args: []any{id, i}}
}

// compile validates in and interns it to dense integers. It computes the
// tickets first: duplicate ids have equal tickets, so sorting by ticket
// finds them without a map of a million strings.
func compile(in *Instance) (*problem, error) {
	if in == nil {
		return nil, invalid("error.alloc_no_instance")
	}
	if in.Seed == "" {
		return nil, invalid("error.alloc_no_seed")
	}
	n := len(in.Applicants)
	if n > MaxApplicants {
		return nil, invalid("error.alloc_applicants_max", n, MaxApplicants)
	}
	if len(in.Schools) > MaxApplicants {
		return nil, invalid("error.alloc_schools_max", len(in.Schools), MaxApplicants)
	}
	p := &problem{}

	districts := map[string]int32{}
	district := func(d string) int32 {
		if d == "" {
			return -1
		}
		i, ok := districts[d]
		if !ok {
			i = int32(len(districts))
			districts[d] = i
		}
		return i
	}

	schoolIndex := make(map[string]int32, len(in.Schools))
	p.schools = make([]schoolState, len(in.Schools))
	for i, s := range in.Schools {
		if s.ID == "" {
			return nil, invalid("error.alloc_missing_id", schoolAt(i, s.ID))
		}
		if j, dup := schoolIndex[s.ID]; dup {
			return nil, invalid("error.alloc_school_dup", schoolAt(i, s.ID), j)
		}
		schoolIndex[s.ID] = int32(i)
		if s.Capacity < 0 || s.Capacity > MaxCapacity {
			return nil, invalid("error.alloc_capacity", schoolAt(i, s.ID), s.Capacity, MaxCapacity)
		}
		p.schools[i] = schoolState{capacity: int32(min(s.Capacity, n)), district: district(s.District)}
	}

	p.tickets = computeTickets(in)
	p.order = make([]entry, n)
	for i, t := range p.tickets {
		p.order[i] = entry{ticket: t, a: int32(i)}
	}
	p.order, p.spare = radixSortTickets(p.order, make([]entry, n))
	dupAt, dupFirst := duplicates(in, p.order)

	tiebreakLen := -1 // -1: no applicant has one
	if n > 0 && in.Applicants[0].Tiebreak != nil {
		tiebreakLen = len(in.Applicants[0].Tiebreak)
		p.withTie = true
	}
	// Offsets first, so that workers can each fill their share of prefs.
	p.apps = make([]applicantState, n)
	total := 0
	for i := range in.Applicants {
		p.apps[i].next = int32(min(total, math.MaxInt32))
		total += len(in.Applicants[i].Preferences)
		p.apps[i].end = int32(min(total, math.MaxInt32))
	}
	if total > math.MaxInt32 {
		return nil, invalid("error.alloc_preferences_max", total, math.MaxInt32)
	}
	p.prefs = make([]int32, total)
	for i := range in.Applicants {
		district(in.Applicants[i].District) // intern now: the workers only read the map
	}

	// Check and intern applicants on all processors: a million applicants
	// make ten million map lookups. Each worker reports its first problem;
	// the first in document order wins, as if checked in one pass.
	type share struct {
		demand []int32
		err    error
	}
	workers := min(runtime.GOMAXPROCS(0), max(n/100_000, 1))
	shares := make([]share, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			sh := &shares[w]
			sh.demand = make([]int32, len(in.Schools))
			seen := make([]int32, len(in.Schools)) // seen[s] = 1 + the last applicant that listed s
			for i := lo; i < hi; i++ {
				if err := p.checkApplicant(in, i, tiebreakLen, dupAt, dupFirst, schoolIndex, districts, seen, sh.demand); err != nil {
					sh.err = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, sh := range shares {
		if sh.err != nil {
			return nil, sh.err
		}
		for s, d := range sh.demand {
			p.schools[s].demand += d
		}
	}
	return p, nil
}

// checkApplicant checks applicant i and fills its district and choices.
func (p *problem) checkApplicant(in *Instance, i, tiebreakLen, dupAt, dupFirst int, schoolIndex, districts map[string]int32, seen, demand []int32) error {
	a := &in.Applicants[i]
	if a.ID == "" {
		return invalid("error.alloc_missing_id", applicantAt(i, a.ID))
	}
	if i == dupAt {
		return invalid("error.alloc_applicant_dup", applicantAt(i, a.ID), dupFirst)
	}
	if math.IsNaN(a.Points) || math.IsInf(a.Points, 0) {
		return invalid("error.alloc_points", applicantAt(i, a.ID), a.Points)
	}
	switch {
	case tiebreakLen < 0 && a.Tiebreak != nil:
		return invalid("error.alloc_tiebreak_extra", applicantAt(i, a.ID))
	case tiebreakLen >= 0 && a.Tiebreak == nil:
		return invalid("error.alloc_tiebreak_missing", applicantAt(i, a.ID))
	case tiebreakLen >= 0 && len(a.Tiebreak) != tiebreakLen:
		return invalid("error.alloc_tiebreak_length", applicantAt(i, a.ID), len(a.Tiebreak), tiebreakLen)
	}
	for k, v := range a.Tiebreak {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid("error.alloc_tiebreak_value", applicantAt(i, a.ID), k, v)
		}
	}
	st := &p.apps[i]
	st.district = -1
	if a.District != "" {
		st.district = districts[a.District]
	}
	prefs := p.prefs[st.next:st.end]
	for k, id := range a.Preferences {
		s, ok := schoolIndex[id]
		if !ok {
			return invalid("error.alloc_unknown_school", applicantAt(i, a.ID), k, id)
		}
		if seen[s] == int32(i)+1 {
			return invalid("error.alloc_school_twice", applicantAt(i, a.ID), k, id)
		}
		seen[s] = int32(i) + 1
		demand[s]++
		prefs[k] = s
	}
	return nil
}

// duplicates finds repeated applicant ids among applicants sorted by
// ticket (equal ids have equal tickets). It returns the smallest index that
// repeats an earlier id, and that earlier index; -1, -1 when ids are unique.
func duplicates(in *Instance, byTicket []entry) (at, first int) {
	at, first = -1, -1
	for i := 0; i+1 < len(byTicket); i++ {
		if byTicket[i].ticket != byTicket[i+1].ticket {
			continue
		}
		j := i + 1
		for j < len(byTicket) && byTicket[j].ticket == byTicket[i].ticket {
			j++
		}
		run := byTicket[i:j]
		for x := range run {
			for y := range run {
				ax, ay := int(run[x].a), int(run[y].a)
				if ax < ay && in.Applicants[ax].ID == in.Applicants[ay].ID && (at < 0 || ay < at || ay == at && ax < first) {
					at, first = ay, ax
				}
			}
		}
		i = j - 1
	}
	return at, first
}

// computeTickets returns Ticket(in.Seed, id) for each applicant, hashing on
// all processors: SHA-256 is the largest single cost of a round.
func computeTickets(in *Instance) []uint64 {
	tickets := make([]uint64, len(in.Applicants))
	workers := min(runtime.GOMAXPROCS(0), max(len(tickets)/50_000, 1))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(tickets)/workers, (w+1)*len(tickets)/workers
		wg.Go(func() {
			scratch := make([]byte, 0, 128)
			for i := lo; i < hi; i++ {
				tickets[i] = ticket(scratch, in.Seed, in.Applicants[i].ID)
			}
		})
	}
	wg.Wait()
	return tickets
}
