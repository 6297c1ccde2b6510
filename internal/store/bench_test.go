package store

import (
	"flag"

	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

var benchRows = flag.Int("store.rows", 200_000, "rows per BenchmarkBatchPersons import")

// BenchmarkBatchPersons imports -store.rows persons in one batch into a
// fresh database per engine and reports rows/s and the peak heap in use
// (sampled), which must not grow with the number of rows:
//
//	go test -run='^$' -bench=BatchPersons -benchtime=1x ./internal/store/ -store.rows=1000000
func BenchmarkBatchPersons(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			b.ReportAllocs()
			n := *benchRows
			var elapsed, cpu time.Duration
			var peak uint64
			for range b.N {
				b.StopTimer()
				db, err := Open(ctx, e.dsn(b))
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				cpu0 := cpuTime()
				p := peakHeap{}
				batch, err := db.BeginBatch(ctx)
				if err != nil {
					b.Fatal(err)
				}
				birth := date.MustParse("1990-01-01")
				for i := range n {
					id := benchID(i)
					err := batch.PutPerson(ctx, registry.Person{
						IDNumber:  id,
						Name:      "张三" + strconv.Itoa(i%1000),
						Phone:     "13800000000",
						Education: "senior",
						HukouType: "agricultural",
						BirthDate: birth + date.Date(i%20000),
						Sex:       registry.Male,
						Origin:    id[:6],
					})
					if err != nil {
						b.Fatal(err)
					}
					if i%50_000 == 0 {
						p.sample()
					}
				}
				changed, err := batch.Commit(ctx, registry.ImportRun{File: "bench.csv", Kind: "persons", Read: n, Accepted: n})
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				cpu += cpuTime() - cpu0
				p.sample()
				peak = max(peak, p.max)
				b.StopTimer()
				if changed != int64(n) {
					b.Fatalf("changed %d, want %d", changed, n)
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
		})
	}
}

// benchID returns a distinct 18-character ID-like string for i, scattered
// (i times a multiplier coprime to 10¹², modulo 10¹²) as the IDs of a real
// file are, rather than ascending, which would only ever append to the key
// index.
func benchID(i int) string {
	var buf [18]byte
	copy(buf[:], "510102")
	s := strconv.Itoa(int((uint64(i) * 999_999_937) % 1_000_000_000_000))
	for j := range 12 {
		buf[6+j] = '0'
	}
	copy(buf[18-len(s):], s)
	return string(buf[:])
}

// peakHeap samples the heap in use.
type peakHeap struct{ max uint64 }

func (p *peakHeap) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p.max = max(p.max, m.HeapInuse)
}

// cpuTime returns the CPU time (user and system) this process has used, so
// that a run on a shared machine can be judged by work rather than by wall
// time alone. The PostgreSQL server's own work is not included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRegistryRuns loads -store.rows persons with a residence each,
// then times one Figures query and one UpdatePermits run that issues a
// permit to everyone:
//
//	go test -run='^$' -bench=RegistryRuns -benchtime=1x ./internal/store/ -store.rows=200000
func BenchmarkRegistryRuns(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			n := *benchRows
			db, err := Open(ctx, e.dsn(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			batch, err := db.BeginBatch(ctx)
			if err != nil {
				b.Fatal(err)
			}
			birth := date.MustParse("1960-01-01")
			towns := registry.DefaultTowns
			for i := range n {
				id := benchID(i)
				p := registry.Person{IDNumber: id, Name: "李四", BirthDate: birth + date.Date(i%20000), Sex: registry.Female, Origin: id[:6]}
				r := registry.Residence{IDNumber: id, Town: towns[i%len(towns)].Code, Address: "某路" + strconv.Itoa(i), Since: date.MustParse("2020-01-01"), Kind: "rented"}
				if err := batch.PutPerson(ctx, p); err != nil {
					b.Fatal(err)
				}
				if err := batch.PutResidence(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := batch.Commit(ctx, registry.ImportRun{}); err != nil {
				b.Fatal(err)
			}
			asOf := date.MustParse("2024-06-15")
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				f, err := db.Figures(ctx, asOf)
				if err != nil || f.Total != int64(n) {
					b.Fatalf("Figures: total %d, %v", f.Total, err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "figures-s")
				start = time.Now()
				sum, err := db.UpdatePermits(ctx, func(h registry.PersonHistory) registry.PermitChange {
					if len(h.Permits) > 0 {
						return registry.PermitChange{}
					}
					p := registry.Permit{Number: "P" + h.Person.IDNumber, IDNumber: h.Person.IDNumber, Town: h.Residences[0].Town,
						IssuedOn: asOf, ValidTo: asOf.AddDate(1, 0, -1), Status: registry.PermitActive, UpdatedOn: asOf}
					return registry.PermitChange{Permits: []registry.Permit{p},
						Events: []registry.PermitEvent{{Permit: p.Number, IDNumber: p.IDNumber, Kind: registry.EventIssue, On: asOf}}}
				}, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(sum.Persons)/time.Since(start).Seconds(), "permit-persons/s")
			}
		})
	}
}
