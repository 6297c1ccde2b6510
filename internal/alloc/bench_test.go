package alloc

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// reportCPU adds the process's CPU time per operation since start (all
// goroutines, the garbage collector included) as the metric cpu-ms/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// The benchmark round: a million applicants, 2,000 schools, ten choices
// each, seats for 90%, 20 districts, points on few levels (many ties).
var (
	bigOnce sync.Once
	big     *Instance
	bigJSON []byte
)

func bigInstance(b *testing.B) (*Instance, []byte) {
	b.Helper()
	bigOnce.Do(func() {
		big = genInstance(rand.New(rand.NewPCG(1, 2)), genOptions{
			applicants: 1_000_000, schools: 2000, prefs: 10, exact: true,
			seats: 0.9, districts: 20, tiebreak: -1, pointLevels: 80,
		})
		bigJSON = big.AppendJSON(nil)
	})
	return big, bigJSON
}

// BenchmarkAllocate1M is the engine alone: validation, tickets, priority
// order and deferred acceptance.
//
//	go test ./internal/alloc -run '^$' -bench 1M -benchmem -benchtime 5x
func BenchmarkAllocate1M(b *testing.B) {
	in, _ := bigInstance(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		if _, err := Allocate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse1M is ParseInstance (decode, without validation) on the
// round's JSON document (about 140 MB).
func BenchmarkParse1M(b *testing.B) {
	_, data := bigInstance(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		if _, err := ParseInstance(data); err != nil {
			b.Fatal(err)
		}
	}
}

// stdInstance mirrors the input document for encoding/json, for comparison.
type stdInstance struct {
	Round   string `json:"round"`
	Seed    string `json:"seed"`
	Schools []struct {
		ID       string `json:"id"`
		Capacity int    `json:"capacity"`
		District string `json:"district"`
	} `json:"schools"`
	Applicants []struct {
		ID          string    `json:"id"`
		Points      float64   `json:"points"`
		District    string    `json:"district"`
		Tiebreak    []float64 `json:"tiebreak"`
		Preferences []string  `json:"preferences"`
	} `json:"applicants"`
}

// BenchmarkParse1MStdlib decodes the same document with encoding/json:
// what the hand-written decoder is measured against.
func BenchmarkParse1MStdlib(b *testing.B) {
	_, data := bigInstance(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		var v stdInstance
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode1M is Result.AppendJSON on the round's result.
func BenchmarkEncode1M(b *testing.B) {
	in, _ := bigInstance(b)
	r, err := Allocate(in)
	if err != nil {
		b.Fatal(err)
	}
	buf := r.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
}

// BenchmarkCommand1M is what `rooted allocate` does in memory: decode,
// validate and allocate, encode.
func BenchmarkCommand1M(b *testing.B) {
	_, data := bigInstance(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		in, err := ParseInstance(data)
		if err != nil {
			b.Fatal(err)
		}
		r, err := Allocate(in)
		if err != nil {
			b.Fatal(err)
		}
		_ = r.AppendJSON(make([]byte, 0, 96*len(r.Assignments)))
	}
}
