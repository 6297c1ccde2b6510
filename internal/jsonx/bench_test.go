package jsonx

import (
	"strconv"
	"testing"
)

// The numbers of a person's line or an applicant: whole numbers, halves,
// quarters. BenchmarkNumber against BenchmarkNumberStrconv is what keeps
// Number's fast path (BENCHMARKS.md, "jsonx").
var benchNumbers = [][]byte{[]byte("86.5"), []byte("12"), []byte("0"), []byte("1234.25"), []byte("36"), []byte("60.75"), []byte("2026"), []byte("0.5")}

func BenchmarkNumber(b *testing.B) {
	var sum float64
	for b.Loop() {
		for _, n := range benchNumbers {
			s := Scanner{Data: n}
			x, _ := s.Number()
			sum += x
		}
	}
	_ = sum
}

func BenchmarkNumberStrconv(b *testing.B) {
	var sum float64
	for b.Loop() {
		for _, n := range benchNumbers {
			x, _ := strconv.ParseFloat(string(n), 64)
			sum += x
		}
	}
	_ = sum
}
