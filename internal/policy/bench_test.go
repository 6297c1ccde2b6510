package policy

import (
	"github.com/newcitizens/rooted/internal/msg"

	"bytes"
	"context"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newcitizens/rooted/policies"
)

// BenchmarkEvaluate measures in-process scoring: one op is one batch of
// batchSize persons already decoded, evaluated on every core, with every
// rule's points copied out per person (nothing is dropped).
func BenchmarkEvaluate(b *testing.B) {
	s := mustLoad(b, "")
	v, _ := s.Version(asOfTest)
	d := newDecoder(s)
	persons := genPersons(s, batchSize*16, 1)
	var batches []*Batch
	for i := 0; i < len(persons); i += batchSize {
		bt := v.NewBatch(batchSize, asOfTest)
		for _, p := range persons[i : i+batchSize] {
			row := bt.Add()
			if _, msg := d.decodeLine(p, bt, row, asOfTest); msg != "" {
				b.Fatal(msg)
			}
		}
		batches = append(batches, bt)
	}
	// The stored inputs, column by column, as a registry extract would
	// hold them; each op copies one batch's inputs into a goroutine's
	// working batch, evaluates it, and keeps every rule's points.
	inputs := make([][][]float64, len(batches))
	for i, src := range batches {
		for k := range s.Inputs {
			inputs[i] = append(inputs[i], slices.Clone(src.regs[k]))
		}
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		bt := v.NewBatch(batchSize, asOfTest)
		kept := make([]float64, batchSize*len(v.Rules))
		i := int(next.Add(1))
		for pb.Next() {
			cols := inputs[i%len(inputs)]
			i++
			for k, col := range cols {
				copy(bt.regs[k], col)
			}
			bt.n = batchSize
			bt.Evaluate()
			for r := range v.Rules {
				col := bt.regs[v.prog.ruleReg[r]][:bt.n]
				for p, x := range col {
					kept[p*len(v.Rules)+r] = x
				}
			}
		}
	})
	b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "persons/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/person")
}

// BenchmarkScoreJSONL measures `rooted score` without the process: JSON
// Lines bytes in, JSON Lines bytes out (explanations in Chinese), on every
// core. One op is 20,000 persons.
func BenchmarkScoreJSONL(b *testing.B) {
	s := mustLoad(b, "")
	in := bytes.Join(genPersons(s, 20000, 2), []byte("\n"))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	var outBytes int64
	for range b.N {
		cw := &countWriter{}
		st, err := s.ScoreJSONL(context.Background(), bytes.NewReader(in), cw, ScoreOptions{AsOf: asOfTest, Lang: msg.ZH})
		if err != nil || st.Scored != 20000 {
			b.Fatal(err, st)
		}
		outBytes += cw.n
	}
	b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "persons/s")
	b.ReportMetric(float64(outBytes)/float64(b.N*20000), "out-bytes/person")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkExplain measures one person scored and every rule explained, the
// way a caseworker's screen asks for it: Inputs → Result → 24 sentences.
// It reports the 99th percentile of single calls.
func BenchmarkExplain(b *testing.B) {
	s := mustLoad(b, "")
	v, _ := s.Version(asOfTest)
	d := newDecoder(s)
	persons := genPersons(s, 1000, 3)
	inputs := make([]*Inputs, len(persons))
	for i, p := range persons {
		bt := v.NewBatch(1, asOfTest)
		row := bt.Add()
		d.decodeLine(p, bt, row, asOfTest)
		in := s.NewInputs()
		for k := range in.vals {
			in.vals[k] = bt.regs[k][row]
		}
		inputs[i] = in
	}
	durs := make([]time.Duration, 0, min(b.N, 1<<20))
	b.ReportAllocs()
	b.ResetTimer()
	var sink int
	for i := range b.N {
		start := time.Now()
		r, err := s.Evaluate(inputs[i%len(inputs)], asOfTest)
		if err != nil {
			b.Fatal(err)
		}
		for k := range r.Items {
			sink += len(r.Explain(k, msg.ZH))
		}
		if len(durs) < cap(durs) {
			durs = append(durs, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
	_ = sink
}

// BenchmarkLoadScheme measures parsing, type-checking and compiling the
// default scheme.
func BenchmarkLoadScheme(b *testing.B) {
	data, err := fs.ReadFile(policies.FS, policies.Default)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := Parse(policies.Default, data); err != nil {
			b.Fatal(err)
		}
	}
}
