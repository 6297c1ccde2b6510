package alloc

import "testing"

// TestParseInstancePositions pins whole messages, positions included, of
// the string and number faults the decoder shares with package policy
// through jsonx: moving the scanner there must not move a column.
func TestParseInstancePositions(t *testing.T) {
	doc := func(id, points string) string {
		return "{\"seed\":\"s\",\"schools\":[],\n\"applicants\":[{\"id\":\"" + id + "\",\"points\":" + points + ",\"preferences\":[]}]}"
	}
	for _, tt := range []struct{ name, in, want string }{
		{"bad escape", doc(`新\x`, "1"), `applicants[0]: id: bad escape "\\x" in a string (line 2, column 23)`},
		{"bad hex", doc(`a\u12g4`, "1"), `applicants[0]: id: bad \u escape: want 4 hex digits (line 2, column 23)`},
		{"short hex", doc(`a\u12`, "1"), `applicants[0]: id: bad \u escape: want 4 hex digits (line 2, column 23)`},
		{"lone surrogate", doc(`a\ud83dx`, "1"), `applicants[0]: id: bad \u escape: unpaired surrogate (line 2, column 29)`},
		{"high then not low", doc(`a\ud83d\u0041`, "1"), `applicants[0]: id: bad \u escape: unpaired surrogate (line 2, column 29)`},
		{"invalid UTF-8", doc("a\xff", "1"), `applicants[0]: id: invalid UTF-8 in a string (line 2, column 23)`},
		{"control", doc("a\x01", "1"), `applicants[0]: id: control character 0x01 in a string: escape it (line 2, column 23)`},
		{"unterminated", `{"seed":"s`, `seed: unterminated string (line 1, column 11)`},
		{"backslash at the end", `{"seed":"s\`, `seed: unterminated string (line 1, column 11)`},
		{"minus alone", doc("a", "-"), `applicant "a" (applicants[0]): points: want a number, found a number (line 2, column 34)`},
		{"leading zero", doc("a", "-012"), `applicant "a" (applicants[0]): points: a number may not start with 0 (line 2, column 34)`},
		{"no fraction", doc("a", "1.e2"), `applicant "a" (applicants[0]): points: want digits after the decimal point (line 2, column 36)`},
		{"no exponent", doc("a", "1e+"), `applicant "a" (applicants[0]): points: want digits in the exponent (line 2, column 37)`},
		{"out of range", doc("a", "-1e309"), `applicant "a" (applicants[0]): points: number -1e309 is out of range (line 2, column 34)`},
		{"capacity", "{\"seed\":\"s\",\"schools\":[{\"id\":\"S\",\"capacity\":1.5e1},\n{\"id\":\"T\",\"capacity\":4.5e0}]}", `school "T" (schools[1]): capacity: 4.5e0: want a whole number from 0 to 2147483647 (line 2, column 22)`},
	} {
		_, err := ParseInstance([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v\n want %s", tt.name, err, tt.want)
		}
	}
}
