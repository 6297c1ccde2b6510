package points

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/golden"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// goldenPersons are registry histories of a few kinds of citizen, from
// the derivation (Derive) to the explanation a citizen reads (Explain):
// the points page and `rooted policy explain` show what these files hold.
func goldenPersons() map[string]registry.PersonHistory {
	const (
		worker   = "520102198503033311"
		graduate = "331081199806150021"
		listed   = "430102199001011234"
	)
	return map[string]registry.PersonHistory{
		// A factory worker renting since 2019 with a child, a pension
		// record with a gap, a job that changed employer, a skill level
		// and some volunteering: the common case.
		"worker": {
			Person:     registry.Person{IDNumber: worker, Name: "测试", BirthDate: d("1985-03-03"), Sex: registry.Male, Origin: "520102", Education: "senior"},
			Residences: []registry.Residence{{IDNumber: worker, Town: "zeguo", Address: "泽国镇一号", Since: d("2019-04-01"), Kind: "rented"}},
			Jobs: []registry.Job{
				{IDNumber: worker, EmployerUSCC: "91331081MA2AAAAAA1", Since: d("2019-05-01"), Until: d("2023-02-28")},
				{IDNumber: worker, EmployerUSCC: "91331081MA2BBBBBB2", Since: d("2023-03-01")},
			},
			Insurance: []registry.Insurance{ // by kind, then first month, as the store gives them
				{IDNumber: worker, Kind: "medical", From: d("2019-06-01")},
				{IDNumber: worker, Kind: "pension", From: d("2019-06-01"), To: d("2021-12-01")},
				{IDNumber: worker, Kind: "pension", From: d("2022-06-01")},
			},
			Facts: []registry.Fact{ // by kind, then date
				{IDNumber: worker, Kind: "blood_donation", Date: d("2024-03-10")},
				{IDNumber: worker, Kind: "skill_level", Value: "4", Date: d("2021-09-01")},
				{IDNumber: worker, Kind: "volunteer_hours", Value: "45", Date: d("2025-06-01")},
			},
			Children: []registry.Person{{IDNumber: "520102202005050126", Name: "测小", BirthDate: d("2020-05-05"), Sex: registry.Female, Origin: "520102"}},
		},
		// A young graduate who owns a flat, holds this county's permit,
		// a title, a shortage job, patents and a prefecture award.
		"graduate": {
			Person:     registry.Person{IDNumber: graduate, Name: "李青", BirthDate: d("1998-06-15"), Sex: registry.Female, Origin: "331081", Education: "master"},
			Residences: []registry.Residence{{IDNumber: graduate, Town: "daxi", Address: "大溪镇二号", Since: d("2022-07-15"), Kind: "owned"}},
			Jobs:       []registry.Job{{IDNumber: graduate, EmployerUSCC: "91331081MA2CCCCCC3", Since: d("2022-08-01")}},
			Insurance:  []registry.Insurance{{IDNumber: graduate, Kind: "pension", From: d("2022-08-01")}},
			Permits:    []registry.Permit{{Number: "331081-20230115-CCCC", IDNumber: graduate, IssuedOn: d("2023-01-15"), ValidTo: d("2028-01-14"), Status: registry.PermitActive}},
			Facts: []registry.Fact{
				{IDNumber: graduate, Kind: "award_county", Date: d("2024-12-01")},
				{IDNumber: graduate, Kind: "award_prefecture", Date: d("2026-12-01")}, // after the as-of day: not counted
				{IDNumber: graduate, Kind: "income_tax", Value: "24000", Date: d("2025-03-31")},
				{IDNumber: graduate, Kind: "invention_patent", Value: "1", Date: d("2024-05-20")},
				{IDNumber: graduate, Kind: "shortage_job", Date: d("2022-08-01")},
				{IDNumber: graduate, Kind: "title", Value: "intermediate", Date: d("2025-10-01")},
				{IDNumber: graduate, Kind: "utility_patent", Value: "2", Date: d("2025-01-08")},
			},
		},
		// A person on the dishonest list, with a detention and false
		// materials: deductions and a frozen total.
		"listed": {
			Person:     registry.Person{IDNumber: listed, Name: "王五六", BirthDate: d("1990-01-01"), Sex: registry.Male, Origin: "430102", Education: "college"},
			Residences: []registry.Residence{{IDNumber: listed, Town: "daxi", Address: "大溪镇三号", Since: d("2021-01-01"), Kind: "dormitory"}},
			Insurance:  []registry.Insurance{{IDNumber: listed, Kind: "pension", From: d("2021-03-01")}},
			Facts: []registry.Fact{
				{IDNumber: listed, Kind: "detention", Date: d("2025-04-01")},
				{IDNumber: listed, Kind: "dishonest", Value: "listed", Date: d("2026-02-01")},
				{IDNumber: listed, Kind: "false_materials", Date: d("2024-08-01")},
				{IDNumber: listed, Kind: "donation", Value: "1500", Date: d("2023-10-01")},
			},
		},
	}
}

// TestGoldenExplanations: each golden person's explanation under the
// shipped default scheme as of 2026-11-29, in Chinese and in English, as
// the JSON `rooted policy explain` prints and the points page renders.
// A change to what a citizen is told shows in review as a change of
// testdata/golden/*.json.
//
//	go test ./internal/points -run Golden -update   # rewrite them
func TestGoldenExplanations(t *testing.T) {
	v := mustVersion(t, "")
	for name, h := range goldenPersons() {
		for _, lang := range []msg.Lang{msg.ZH, msg.EN} {
			file := fmt.Sprintf("%s.%s.json", name, lang)
			t.Run(file, func(t *testing.T) {
				ex, err := explainHistory(v, &h, d("2026-11-29"), lang)
				if err != nil {
					t.Fatal(err)
				}
				got, err := json.MarshalIndent(ex, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", file), append(got, '\n'))
			})
		}
	}
}

// explainHistory is the way from a registry history to what the citizen
// reads: the one scoring path (Scoring), as the portal and `rooted policy
// explain` take it.
func explainHistory(v *policy.Version, h *registry.PersonHistory, asOf date.Date, lang msg.Lang) (Explanation, error) {
	return NewScoring(v.Scheme(), DefaultOptions).Under(v, asOf).Explain(h, lang, Actions)
}
