package rounds

import (
	"math"
	"regexp"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

// A round's lottery seed decides every tie the points leave. Its SHA-256
// is published when the round opens and the seed itself only once the
// input is frozen, so that nobody — the department included — can choose
// an input knowing the tickets. That holds only if the seed cannot be
// guessed from its hash: a seed is strong when it is
//
//   - at least MinSeedLength characters (and at most 256 bytes of UTF-8);
//   - of at least 10 distinct characters, and at least 128 bits by a
//     simple estimate (length × log2 of the distinct characters): a long
//     run of few characters is no better than a short one;
//   - not one block repeated (abcabcabc…, 1111…);
//   - not mostly a sequence (0123456789abcdef…, zyxw…: more than half of
//     its neighbouring characters one step apart, or equal);
//   - without a written date (2026-09-01, 2026/9/1, 2026年9月1日): dates,
//     round names and words are what a guesser tries first.
//
// The default — 32 bytes from crypto/rand written as 64 hex digits —
// passes: anything typed by a person rarely does, which is the point.
const MinSeedLength = 32

// minSeedBits is the least strength a seed may have by the estimate.
const minSeedBits = 128

var writtenDate = regexp.MustCompile(`(19|20)\d\d\s*([-/.年])\s*(0?[1-9]|1[0-2])\s*[-/.月]\s*(0?[1-9]|[12]\d|3[01])`)

// CheckSeed returns nil when seed is strong enough to be a round's
// lottery seed (see MinSeedLength), else an *apperr.Error with code
// invalid saying what is wrong and what a good seed is.
func CheckSeed(seed string) error {
	weak := func(why string, args ...any) error {
		return apperr.E("round.check_seed", apperr.Invalid, "error.seed_weak", msg.M{Key: why, Args: args}, MinSeedLength)
	}
	if !utf8.ValidString(seed) || len(seed) > 256 {
		return apperr.E("round.check_seed", apperr.Invalid, "error.seed_encoding")
	}
	rs := []rune(seed)
	n := len(rs)
	if n < MinSeedLength {
		return weak("error.seed_length", n, MinSeedLength)
	}
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < 10 {
		return weak("error.seed_distinct", len(distinct))
	}
	if bits := float64(n) * math.Log2(float64(len(distinct))); bits < minSeedBits {
		return weak("error.seed_bits", n, len(distinct), bits, minSeedBits)
	}
	for p := 1; p <= n/2; p++ {
		repeated := true
		for i := p; i < n && repeated; i++ {
			repeated = rs[i] == rs[i-p]
		}
		if repeated {
			return weak("error.seed_repeated", string(rs[:p]))
		}
	}
	steps := 0
	for i := 1; i < n; i++ {
		if d := rs[i] - rs[i-1]; d >= -1 && d <= 1 {
			steps++
		}
	}
	if steps*2 > n-1 {
		return weak("error.seed_sequence", steps, n-1)
	}
	if m := writtenDate.FindString(seed); m != "" {
		return weak("error.seed_date", m)
	}
	return nil
}
