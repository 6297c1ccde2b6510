package alloc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// genOptions shapes a random instance.
type genOptions struct {
	applicants, schools int
	prefs               int     // at most this many preferences each (exactly, when exact)
	exact               bool    // every applicant lists exactly prefs schools
	seats               float64 // total capacity as a fraction of applicants
	districts           int     // 0: no districts
	tiebreak            int     // length of tie-breaks; -1: none
	pointLevels         int     // distinct points values: few levels, many ties
}

// genInstance returns a random instance from rng: points in few levels so
// that tickets decide many ties, preferences skewed toward popular schools
// (the chance of school s is proportional to 1/(s+1)), capacities around
// the mean. It is deterministic in rng.
func genInstance(rng *rand.Rand, o genOptions) *Instance {
	in := &Instance{Round: "test", Seed: fmt.Sprintf("seed-%d", rng.Uint64())}
	district := func() string {
		if o.districts == 0 || rng.IntN(5) == 0 {
			return ""
		}
		return fmt.Sprintf("d%d", rng.IntN(o.districts))
	}
	meanCap := o.seats * float64(o.applicants) / float64(max(o.schools, 1))
	for s := range o.schools {
		c := int(meanCap * (0.5 + rng.Float64()))
		if meanCap < 3 {
			c = rng.IntN(int(2*meanCap) + 2)
		}
		in.Schools = append(in.Schools, School{ID: fmt.Sprintf("S%04d", s), Capacity: c, District: district()})
	}
	// Zipf-like popularity by inverse transform on the harmonic CDF.
	logN := math.Log(float64(o.schools) + 1)
	pick := func() int { return min(int(math.Exp(rng.Float64()*logN))-1, o.schools-1) }
	levels := max(o.pointLevels, 1)
	prefPool := make([]string, 0, o.applicants*o.prefs)
	seen := make([]int, o.schools)
	for i := range o.applicants {
		a := Applicant{
			ID:       fmt.Sprintf("A%07d", i),
			Points:   60 + 0.5*math.Round(2*rng.NormFloat64()*float64(levels)/12),
			District: district(),
		}
		if o.tiebreak >= 0 {
			a.Tiebreak = make([]float64, o.tiebreak)
			for k := range a.Tiebreak {
				a.Tiebreak[k] = float64(rng.IntN(4))
			}
		}
		k := o.prefs
		if !o.exact {
			k = rng.IntN(o.prefs + 1)
		}
		k = min(k, o.schools)
		start := len(prefPool)
		for len(prefPool)-start < k {
			s := pick()
			if len(prefPool)-start > 3*k { // fall back to uniform when the skew keeps repeating
				s = rng.IntN(o.schools)
			}
			if seen[s] == i+1 {
				continue
			}
			seen[s] = i + 1
			prefPool = append(prefPool, in.Schools[s].ID)
		}
		a.Preferences = prefPool[start:len(prefPool):len(prefPool)]
		in.Applicants = append(in.Applicants, a)
	}
	return in
}

func nan() float64 { return math.NaN() }
func inf() float64 { return math.Inf(1) }
