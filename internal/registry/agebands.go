package registry

// AgeBand is a band of ages in whole years, From..To inclusive (To < 0:
// open-ended). AgeBands is the one table of them, shared by the dashboard's
// figures (store) and the points scheme's group comparisons (points), so
// that a person is in the same band on both.
type AgeBand struct {
	Key    string // stable key: "0-5", "61+"
	NameZH string // 0–5岁
	NameEN string // 0–5
	From   int
	To     int // < 0: open-ended
}

// AgeBands are the bands of the registry's figures, youngest first: school
// stages (0–5, 6–11, 12–14, 15–17), then working ages up to and past the
// usual retirement ages.
var AgeBands = []AgeBand{
	{Key: "0-5", NameZH: "0–5岁", NameEN: "0–5", From: 0, To: 5},
	{Key: "6-11", NameZH: "6–11岁", NameEN: "6–11", From: 6, To: 11},
	{Key: "12-14", NameZH: "12–14岁", NameEN: "12–14", From: 12, To: 14},
	{Key: "15-17", NameZH: "15–17岁", NameEN: "15–17", From: 15, To: 17},
	{Key: "18-40", NameZH: "18–40岁", NameEN: "18–40", From: 18, To: 40},
	{Key: "41-54", NameZH: "41–54岁", NameEN: "41–54", From: 41, To: 54},
	{Key: "55-60", NameZH: "55–60岁", NameEN: "55–60", From: 55, To: 60},
	{Key: "61+", NameZH: "61岁及以上", NameEN: "61+", From: 61, To: -1},
}

// Holds reports whether age (whole years) is in the band.
func (b AgeBand) Holds(age int) bool {
	return age >= b.From && (b.To < 0 || age <= b.To)
}
