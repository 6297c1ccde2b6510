package rounds

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ledger"
)

// Publication is the list published for objections (公示): one row per
// application, names masked (张*明) and ID numbers masked (the birth date
// hidden), placed applications first by place and priority, then the
// waiting and unplaced, then the refused with their reason. The CLI writes
// it as CSV and XLSX; the web layer can render it.
type Publication struct {
	Round       string
	Name        string
	PublishedOn string
	WindowEnds  string
	Header      []string   // bilingual column titles
	Rows        [][]string // cells as text
	Warnings    []string   // e.g. the calendar fell back for a year without a notice
}

// Title is the title line of the list: the round, and the window.
func (p *Publication) Title() string {
	return fmt.Sprintf("%s（%s）公示 %s 至 %s", p.Name, p.Round, p.PublishedOn, p.WindowEnds)
}

// Digest returns the hex SHA-256 of the rows (JSON), recorded in the ledger
// when the round is published.
func (p *Publication) Digest() string {
	b, _ := json.Marshal(struct {
		H []string   `json:"header"`
		R [][]string `json:"rows"`
	}{p.Header, p.Rows})
	return ledger.Digest(b)
}

func publication(r *Round, apps []Application, warnings []string) Publication {
	p := Publication{Round: r.ID, Name: r.Name, PublishedOn: r.PublishedOn.String(), WindowEnds: r.WindowEnds.String(), Warnings: warnings}
	names := map[string]string{}
	order := map[string]int{}
	for i, pl := range r.Places {
		names[pl.Code] = pl.Name
		order[pl.Code] = i
	}
	housing := r.Kind.Housing()
	if housing {
		p.Header = []string{"申请编号 number", "申请人 applicant", "身份证号 ID number", "家庭人数 household", "积分 points", "抽签号 ticket", "结果 result", "志愿 choice", "候补 waiting", "说明 note"}
	} else {
		p.Header = []string{"申请编号 number", "监护人 guardian", "身份证号 ID number", "子女 child", "子女身份证号 child ID number", "学区 district", "积分 points", "抽签号 ticket", "结果 result", "志愿 choice", "说明 note"}
	}
	sorted := make([]*Application, len(apps))
	for i := range apps {
		sorted[i] = &apps[i]
	}
	group := func(a *Application) int {
		switch {
		case a.Status == Accepted && a.Placed != "":
			return 0
		case a.Status == Accepted:
			return 1
		}
		return 2
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		switch group(a) {
		case 0:
			if a.Placed != b.Placed {
				return order[a.Placed] < order[b.Placed]
			}
			return higher(a, b)
		case 1:
			return higher(a, b)
		}
		return a.Seq < b.Seq
	})
	for _, a := range sorted {
		pts, ticket, result, choice, note := "", "", "", "", ""
		if a.Status == Accepted {
			pts = strconv.FormatFloat(a.Points, 'f', -1, 64)
			ticket = fmt.Sprintf("0x%016x", a.Ticket)
			if a.Placed != "" {
				result, choice = names[a.Placed], strconv.Itoa(a.Choice)
			} else if housing {
				result = "候补 waiting"
			} else {
				result = "未录取 not placed"
			}
		} else {
			result = "不予受理 refused"
			note = T(ZH, a.Reason, reasonArgs(r.Kind, a)...) + " / " + T(EN, a.Reason, reasonArgs(r.Kind, a)...)
		}
		if housing {
			wait := ""
			if a.WaitPosition > 0 {
				wait = names[a.Choices[0]] + " " + strconv.Itoa(a.WaitPosition)
			}
			p.Rows = append(p.Rows, []string{a.Number, ident.MaskName(a.ApplicantName), ident.MaskID(a.Applicant), strconv.Itoa(a.Household), pts, ticket, result, choice, wait, note})
		} else {
			p.Rows = append(p.Rows, []string{a.Number, ident.MaskName(a.ApplicantName), ident.MaskID(a.Applicant), ident.MaskName(a.ChildName), ident.MaskID(a.Child), a.District, pts, ticket, result, choice, note})
		}
	}
	return p
}

// reasonArgs returns the arguments of a refusal reason's message.
func reasonArgs(k Kind, a *Application) []any {
	switch a.Reason {
	case "too_young", "too_old", "unit_type_mismatch":
		return []any{a.Detail}
	case "not_eligible":
		return []any{a.Detail, k.Service()}
	}
	return nil
}
