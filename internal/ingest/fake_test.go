package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// fakeStore is an in-memory registry.Store for the unit tests of validation:
// it keeps committed records by natural key, refuses a duplicate key within
// one batch as the real store does, and counts batches.
type fakeStore struct {
	mu         sync.Mutex
	towns      map[string]registry.Town
	schools    map[string]registry.School
	persons    map[string]registry.Person
	guardians  map[registry.Guardianship]bool
	residences map[string]registry.Residence
	jobs       map[string]registry.Job
	insurance  map[string]registry.Insurance
	facts      map[string]registry.Fact
	runs       []registry.ImportRun
	begun      int
	rolledBack int
	// discard makes batches drop every row (for the benchmark).
	discard bool
}

func newFakeStore() *fakeStore {
	s := &fakeStore{
		towns:      map[string]registry.Town{},
		schools:    map[string]registry.School{},
		persons:    map[string]registry.Person{},
		guardians:  map[registry.Guardianship]bool{},
		residences: map[string]registry.Residence{},
		jobs:       map[string]registry.Job{},
		insurance:  map[string]registry.Insurance{},
		facts:      map[string]registry.Fact{},
	}
	for _, t := range registry.DefaultTowns {
		s.towns[t.Code] = t
	}
	return s
}

func (s *fakeStore) Towns(ctx context.Context) ([]registry.Town, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []registry.Town
	for _, t := range s.towns {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func (s *fakeStore) Schools(ctx context.Context) ([]registry.School, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []registry.School
	for _, x := range s.schools {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func (s *fakeStore) ForEachPersonID(ctx context.Context, fn func(id string) error) error {
	s.mu.Lock()
	ids := make([]string, 0, len(s.persons))
	for id := range s.persons {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) Person(ctx context.Context, id string) (registry.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.persons[id]
	if !ok {
		return p, apperr.E("store.person", apperr.NotFound, "error.person_not_found", ident.MaskID(id))
	}
	return p, nil
}

func (s *fakeStore) BeginBatch(ctx context.Context) (registry.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun++
	return &fakeBatch{s: s, keys: map[string]bool{}}, nil
}

func (s *fakeStore) UpdatePermits(ctx context.Context, decide func(registry.PersonHistory) registry.PermitChange, progress func(int)) (registry.PermitSummary, error) {
	return registry.PermitSummary{}, errors.New("fake: not implemented")
}

func (s *fakeStore) Stats(ctx context.Context) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]int64{
		"persons": int64(len(s.persons)), "guardians": int64(len(s.guardians)),
		"residences": int64(len(s.residences)), "jobs": int64(len(s.jobs)),
		"insurance": int64(len(s.insurance)), "facts": int64(len(s.facts)),
		"towns": int64(len(s.towns)), "schools": int64(len(s.schools)),
		"imports": int64(len(s.runs)),
	}, nil
}

func (s *fakeStore) Figures(ctx context.Context, asOf date.Date) (registry.Figures, error) {
	return registry.Figures{}, errors.New("fake: not implemented")
}

func (s *fakeStore) Close() error { return nil }

// snapshot renders every committed record, sorted, for comparing imports.
func (s *fakeStore) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, x := range s.persons {
		out = append(out, fmt.Sprintf("person %+v", x))
	}
	for g := range s.guardians {
		out = append(out, fmt.Sprintf("guardian %+v", g))
	}
	for _, x := range s.residences {
		out = append(out, fmt.Sprintf("residence %+v", x))
	}
	for _, x := range s.jobs {
		out = append(out, fmt.Sprintf("job %+v", x))
	}
	for _, x := range s.insurance {
		out = append(out, fmt.Sprintf("insurance %+v", x))
	}
	for _, x := range s.facts {
		out = append(out, fmt.Sprintf("fact %+v", x))
	}
	for _, x := range s.schools {
		out = append(out, fmt.Sprintf("school %+v", x))
	}
	sort.Strings(out)
	return out
}

type fakeBatch struct {
	s    *fakeStore
	keys map[string]bool
	ops  []func() bool // applied on Commit; true when something changed
	done bool
}

// put buffers one upsert, refusing a key seen before in this batch.
func (b *fakeBatch) put(key string, apply func() bool) error {
	if b.done {
		return errors.New("fake: batch finished")
	}
	if b.keys[key] {
		return fmt.Errorf("fake: duplicate key %s in one batch", key)
	}
	b.keys[key] = true
	if !b.s.discard {
		b.ops = append(b.ops, apply)
	}
	return nil
}

func upsert[K comparable, V comparable](m map[K]V, k K, v V) bool {
	old, ok := m[k]
	m[k] = v
	return !ok || old != v
}

func (b *fakeBatch) PutTown(ctx context.Context, t registry.Town) error {
	return b.put("town "+t.Code, func() bool { return upsert(b.s.towns, t.Code, t) })
}

func (b *fakeBatch) PutSchool(ctx context.Context, x registry.School) error {
	return b.put("school "+x.Code, func() bool { return upsert(b.s.schools, x.Code, x) })
}

func (b *fakeBatch) PutPerson(ctx context.Context, p registry.Person) error {
	return b.put("person "+p.IDNumber, func() bool { return upsert(b.s.persons, p.IDNumber, p) })
}

func (b *fakeBatch) PutGuardian(ctx context.Context, g registry.Guardianship) error {
	return b.put(fmt.Sprintf("guardian %s %s", g.Child, g.Guardian), func() bool { return upsert(b.s.guardians, g, true) })
}

func (b *fakeBatch) PutResidence(ctx context.Context, r registry.Residence) error {
	k := fmt.Sprintf("%s|%d|%s", r.IDNumber, r.Since, r.Address)
	return b.put("residence "+k, func() bool { return upsert(b.s.residences, k, r) })
}

func (b *fakeBatch) PutJob(ctx context.Context, j registry.Job) error {
	k := fmt.Sprintf("%s|%s|%d", j.IDNumber, j.EmployerUSCC, j.Since)
	return b.put("job "+k, func() bool { return upsert(b.s.jobs, k, j) })
}

func (b *fakeBatch) PutInsurance(ctx context.Context, in registry.Insurance) error {
	k := fmt.Sprintf("%s|%s|%d", in.IDNumber, in.Kind, in.From)
	return b.put("insurance "+k, func() bool { return upsert(b.s.insurance, k, in) })
}

func (b *fakeBatch) PutFact(ctx context.Context, f registry.Fact) error {
	k := fmt.Sprintf("%s|%s|%d", f.IDNumber, f.Kind, f.Date)
	return b.put("fact "+k, func() bool { return upsert(b.s.facts, k, f) })
}

func (b *fakeBatch) Commit(ctx context.Context, run registry.ImportRun) (int64, error) {
	if b.done {
		return 0, errors.New("fake: batch finished")
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b.done = true
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	var changed int64
	for _, op := range b.ops {
		if op() {
			changed++
		}
	}
	b.s.runs = append(b.s.runs, run)
	return changed, nil
}

func (b *fakeBatch) Rollback() error {
	if !b.done {
		b.done = true
		b.s.mu.Lock()
		b.s.rolledBack++
		b.s.mu.Unlock()
	}
	return nil
}
