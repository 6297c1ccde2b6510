package demo

import (
	"math"
	"sort"
	"strconv"
)

// writeSchools sizes and writes the schools once the children are known.
// For each level, each town's entry-grade seats aim at the town's cohort of
// migrant children entering at the next intake times a ratio: a little above
// it in most towns, under it in the busiest (calibration.go). The number of
// schools per town follows the town's total population, within what the
// norm's 24–36 classes (9–15 for kindergartens) allow for that many seats;
// a town with too few children for one full school gets one small school.
func (g *gen) writeSchools() {
	nt := len(g.towns)
	popDist := make([]float64, nt)
	popTotal := 0.0
	for _, w := range townPopulation {
		if i, ok := g.townIndex[w.key]; ok {
			popDist[i] = w.w
			popTotal += w.w
		}
	}
	type school struct {
		town, level, classes int
		seats                int // entry seats open to migrant children
	}
	var all []school
	for li, lv := range schoolLevels {
		seats := func(classes int) int { return classes * lv.classSize / lv.grades }
		demand := g.stats.demand[li]
		order := make([]int, nt)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return demand[order[a]] > demand[order[b]] })
		tight := make([]bool, nt)
		for _, t := range order[:lv.tightTowns] {
			tight[t] = demand[t] > 0
		}
		target := make([]int, nt)
		total := 0
		for t := range nt {
			lo, hi := lv.ratioLo, lv.ratioHi
			if tight[t] {
				lo, hi = lv.tightLo, lv.tightHi
			}
			ratio := lo + g.r.Float64()*(hi-lo)
			target[t] = max(1, int(math.Round(float64(demand[t])*ratio)))
			total += target[t]
		}
		avg := float64(seats((lv.minC + lv.maxC) / 2))
		nSchools := max(nt, int(math.Round(float64(total)/avg)))
		for t := range nt {
			if target[t] < seats(lv.minC) {
				// Too few migrant children for a school of their own: a
				// school of the norm's smallest size, most of whose seats
				// go to local children, keeps places for them — at least a
				// class's worth, except in the towns short of seats.
				n := target[t]
				if !tight[t] {
					n = max(n, lv.classSize)
				}
				all = append(all, school{t, li, lv.minC, n})
				continue
			}
			n := int(math.Round(popDist[t] / popTotal * float64(nSchools)))
			lo := (target[t] + seats(lv.maxC) - 1) / seats(lv.maxC)
			hi := max(1, target[t]/seats(lv.minC))
			// Enough schools for the target even where that makes them
			// small, no more than it fills; else as the population says.
			hi = max(hi, lo)
			n = max(1, min(max(n, lo), hi))
			classes := make([]int, n)
			base := float64(target[t]) * float64(lv.grades) / float64(lv.classSize*n)
			minC := lv.minC
			if base < float64(lv.minC) {
				minC = lv.grades // one class per grade at the least
			}
			for i := range classes {
				c := int(math.Round(base + g.r.NormFloat64()*2))
				classes[i] = min(lv.maxC, max(minC, c))
			}
			// Bring the town's seats to its target, a class at a time.
			sum := 0
			for _, c := range classes {
				sum += seats(c)
			}
			step := lv.classSize / lv.grades
			for guard := 0; guard < 10*n*(lv.maxC-minC+1); guard++ {
				i := guard % n
				if diff := sum - target[t]; diff <= step/2 && -diff <= step/2 {
					break
				}
				if sum > target[t] && classes[i] > minC {
					sum -= seats(classes[i]) - seats(classes[i]-1)
					classes[i]--
				} else if sum < target[t] && classes[i] < lv.maxC {
					sum += seats(classes[i]+1) - seats(classes[i])
					classes[i]++
				}
			}
			for _, c := range classes {
				all = append(all, school{t, li, c, seats(c)})
			}
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].town != all[b].town {
			return all[a].town < all[b].town
		}
		return all[a].level < all[b].level
	})
	f := g.fSchools
	num := 0
	for i, s := range all {
		if i == 0 || all[i-1].town != s.town || all[i-1].level != s.level {
			num = 0
		}
		num++
		lv := schoolLevels[s.level]
		t := g.towns[s.town]
		n := strconv.Itoa(num)
		cn := n
		if num < 100 {
			cn = chineseNumber(num)
		}
		if num < 10 {
			n = "0" + n
		}
		f.begin()
		f.str(t.Code + "-" + lv.code + n)
		f.str("温岭市" + t.Name + "第" + cn + lv.suffix)
		f.str(t.Code)
		f.str(lv.level)
		f.int(s.seats)
		f.end()
	}
}
