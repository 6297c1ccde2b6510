package rounds

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
)

// Publication is the list published for objections (公示): one row per
// application, names masked (张*明) and ID numbers masked (the birth date
// hidden), placed applications first by place and priority, then the
// waiting and unplaced, then the refused with their reason.
//
// People download it as files, CSV and XLSX, rendered once at publication
// (Files) and stored with the round; the ledger's publish entry records
// their SHA-256, so that `sha256sum` on a downloaded list matches the
// chain. Every download serves those stored bytes.
type Publication struct {
	Round       string
	Name        string
	PublishedOn string
	WindowEnds  string
	Header      []string   // bilingual column titles
	Rows        [][]string // cells as text
	Warnings    []string   // e.g. the calendar fell back for a year without a notice
	// At is the instant of publication (the publish entry's time); the
	// XLSX file carries it as its creation time, so that its bytes depend
	// on nothing else than the list.
	At time.Time
	// CSV and XLSX are the files as published. Recorded tells whether
	// the ledger records their SHA-256 (CSVSHA256, XLSXSHA256): rounds
	// published before the files were kept record only the rows' digest
	// (ListSHA256), and their files are rendered again, which nobody can
	// check against the chain.
	CSV, XLSX             []byte
	CSVSHA256, XLSXSHA256 string
	ListSHA256            string
	Recorded              bool
}

// Files renders a publication as the files people download. Renders must
// be deterministic: the same publication (header, rows, title and At)
// gives the same bytes. internal/ingest implements it; this package
// writes no spreadsheets.
type Files interface {
	// CSV returns the list as CSV.
	CSV(p *Publication) ([]byte, error)
	// XLSX returns the list as one sheet with a title line.
	XLSX(p *Publication) ([]byte, error)
}

// Document kinds of the published files.
const (
	DocListCSV  = "publication.csv"
	DocListXLSX = "publication.xlsx"
)

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
	p.Header = listHeader(r.Kind)
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
			ticket = fmt.Sprintf(ticketFormat, a.Ticket)
			switch {
			case a.Placed != "":
				result, choice = names[a.Placed], strconv.Itoa(a.Choice)
			case housing:
				result = resultWaiting
			default:
				result = resultUnplaced
			}
		} else {
			result = resultRefused
			note = T(msg.ZH, a.Reason, reasonArgs(r.Kind, a)...) + " / " + T(msg.EN, a.Reason, reasonArgs(r.Kind, a)...)
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

// listHeader returns the column titles of the list of a round of kind k.
func listHeader(k Kind) []string {
	if k.Housing() {
		return []string{"申请编号 number", "申请人 applicant", "身份证号 ID number", "家庭人数 household", "积分 points", "抽签号 ticket", "结果 result", "志愿 choice", "候补 waiting", "说明 note"}
	}
	return []string{"申请编号 number", "监护人 guardian", "身份证号 ID number", "子女 child", "子女身份证号 child ID number", "学区 district", "积分 points", "抽签号 ticket", "结果 result", "志愿 choice", "说明 note"}
}

// What the list says of an application that was not placed.
const (
	resultWaiting  = "候补 waiting"
	resultUnplaced = "未录取 not placed"
	resultRefused  = "不予受理 refused"
	ticketFormat   = "0x%016x"
)

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

// publishRecord is what the publish entry of a round's chain says of its
// list. Chains recorded before the files were kept have no file digests.
type publishRecord struct {
	At         time.Time
	ListSHA256 string `json:"list_sha256"`
	CSVSHA256  string `json:"csv_sha256"`
	XLSXSHA256 string `json:"xlsx_sha256"`
}

// publishEntry reads the publish entry of round id's chain.
func (s *Service) publishEntry(ctx context.Context, id string) (publishRecord, error) {
	entries, err := s.Store.Ledger(ctx, id)
	if err != nil {
		return publishRecord{}, err
	}
	for _, e := range entries {
		if e.Kind != EntryPublish {
			continue
		}
		var rec publishRecord
		if err := json.Unmarshal(e.Payload, &rec); err != nil {
			return publishRecord{}, apperr.WrapE("round.published", apperr.Internal, err, "error.publish_entry_unreadable", id, e.Seq)
		}
		rec.At = e.At
		return rec, nil
	}
	return publishRecord{}, apperr.E("round.published", apperr.Internal, "error.publish_entry_missing", id)
}

// storedFiles sets p's files: the stored bytes, checked against the
// digests rec records; for a round published before the files were kept,
// rendered again (p.Recorded false).
func (s *Service) storedFiles(ctx context.Context, id string, rec publishRecord, p *Publication) error {
	p.At, p.ListSHA256 = rec.At, rec.ListSHA256
	if rec.CSVSHA256 == "" {
		return s.render(p)
	}
	for _, f := range []struct {
		kind, want string
		into       *[]byte
	}{{DocListCSV, rec.CSVSHA256, &p.CSV}, {DocListXLSX, rec.XLSXSHA256, &p.XLSX}} {
		b, err := s.Store.Document(ctx, id, f.kind)
		if err != nil {
			return fmt.Errorf("round %s: the published %s: %w", id, f.kind, err)
		}
		if d := ledger.Digest(b); d != f.want {
			return apperr.E("round.published", apperr.Internal, "error.published_file_digest", id, f.kind, d, f.want)
		}
		*f.into = b
	}
	p.CSVSHA256, p.XLSXSHA256, p.Recorded = rec.CSVSHA256, rec.XLSXSHA256, true
	return nil
}

// render renders p's files with s.Files.
func (s *Service) render(p *Publication) error {
	if s.Files == nil {
		return apperr.E("round.publish", apperr.Internal, "error.no_renderer", p.Round)
	}
	var err error
	if p.CSV, err = s.Files.CSV(p); err != nil {
		return fmt.Errorf("round %s: the list as CSV: %w", p.Round, err)
	}
	if p.XLSX, err = s.Files.XLSX(p); err != nil {
		return fmt.Errorf("round %s: the list as XLSX: %w", p.Round, err)
	}
	p.CSVSHA256, p.XLSXSHA256 = ledger.Digest(p.CSV), ledger.Digest(p.XLSX)
	return nil
}

// errRecordsChanged is the refusal to publish again a list that is not
// the one published.
func errRecordsChanged(id string, rec publishRecord, now string) error {
	return apperr.E("round.publish", apperr.Conflict, "error.records_changed",
		id, now, ledger.FormatTime(rec.At), rec.ListSHA256)
}

// Published returns the list of a published or final round as it was
// published, for anyone: its stored files, and the rows read from the
// stored CSV (not rebuilt from the database, so that what people see is
// what the ledger records). For a round published before the files were
// kept, the list is rebuilt and checked against the rows' digest in the
// ledger; a difference is a conflict (the records changed since
// publication). A round not published is a conflict.
func (s *Service) Published(ctx context.Context, id string) (Publication, error) {
	r, err := s.round(ctx, id, "show the published list of", Published, Final)
	if err != nil {
		return Publication{}, err
	}
	rec, err := s.publishEntry(ctx, id)
	if err != nil {
		return Publication{}, err
	}
	if rec.CSVSHA256 == "" {
		apps, err := s.Store.Applications(ctx, id)
		if err != nil {
			return Publication{}, err
		}
		p := publication(&r, apps, nil)
		if d := p.Digest(); d != rec.ListSHA256 {
			return Publication{}, errRecordsChanged(id, rec, d)
		}
		return p, s.storedFiles(ctx, id, rec, &p)
	}
	p := Publication{Round: r.ID, Name: r.Name, PublishedOn: r.PublishedOn.String(), WindowEnds: r.WindowEnds.String()}
	if err := s.storedFiles(ctx, id, rec, &p); err != nil {
		return Publication{}, err
	}
	if p.Header, p.Rows, err = ReadListCSV(p.CSV); err != nil {
		return Publication{}, apperr.WrapE("round.published", apperr.Internal, err, "error.published_csv", id)
	}
	return p, nil
}

// ReadListCSV reads a list written as CSV (UTF-8, with or without a
// byte-order mark): the header and the rows.
func ReadListCSV(data []byte) (header []string, rows [][]string, err error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("no header line")
	}
	return all[0], all[1:], nil
}

// LedgerHead returns the last entry of round id's chain: what changes
// whenever anything about the round does, read in one row (pages that
// show a round cache on it).
func (s *Service) LedgerHead(ctx context.Context, id string) (ledger.Entry, error) {
	return s.Store.LedgerHead(ctx, id)
}

// Ledger returns round id's chain, by seq (its payloads hold nothing
// personal: digests, counts, dates, and the seed once revealed).
func (s *Service) Ledger(ctx context.Context, id string) ([]ledger.Entry, error) {
	return s.Store.Ledger(ctx, id)
}
