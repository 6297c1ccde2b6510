package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/rounds"
)

// PublicationFiles renders a round's published list as the files people
// download (rounds.Files): CSV with a byte-order mark, and XLSX with a
// title line. Both are deterministic — the same publication gives the
// same bytes — so that the SHA-256 the ledger records can be checked: the
// XLSX's creation and modification times are the instant of publication,
// not the clock, and its creator is rooted.
type PublicationFiles struct{}

var _ rounds.Files = PublicationFiles{}

// CSV returns the list as UTF-8 CSV with a byte-order mark.
func (PublicationFiles) CSV(p *rounds.Publication) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteCSV(&b, p.Header, p.Rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// XLSX returns the list as one sheet named 公示: the title, the header and
// the rows.
func (PublicationFiles) XLSX(p *rounds.Publication) ([]byte, error) {
	at := p.At.UTC().Format(time.RFC3339)
	props := &excelize.DocProperties{Creator: "rooted", LastModifiedBy: "rooted", Created: at, Modified: at, Title: p.Title(), Language: "zh-CN"}
	var b bytes.Buffer
	if err := writeSheet(&b, listSheet, p.Title(), p.Header, p.Rows, props); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const listSheet = "公示"

// maxListXLSX bounds what reading a list's XLSX may unpack: a list of a
// million rows is well under it, a zip bomb is not.
const maxListXLSX = 1 << 30

// ReadList reads a published list, CSV or XLSX (by its first bytes: an
// XLSX is a zip), as rounds.VerifyLists checks it. name is the file's name
// for messages. A file that is neither is an error.
func ReadList(name string, data []byte) (rounds.List, error) {
	l := rounds.List{Name: name, SHA256: ledger.Digest(data)}
	if !bytes.HasPrefix(data, zipMagic) {
		header, rows, err := rounds.ReadListCSV(data)
		if err != nil {
			return l, fmt.Errorf("%s: not a list as CSV: %w", name, err)
		}
		l.Format, l.Header, l.Rows, l.FirstLine = "csv", header, rows, 2
		return l, nil
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxListXLSX, UnzipXMLSizeLimit: maxListXLSX})
	if err != nil {
		return l, fmt.Errorf("%s: not an XLSX file: %w", name, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return l, fmt.Errorf("%s: the workbook has no sheet", name)
	}
	all, err := x.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return l, fmt.Errorf("%s: sheet %s: %w", name, sheets[0], err)
	}
	if len(all) < 2 {
		return l, fmt.Errorf("%s: sheet %s: want a title line and a header line", name, sheets[0])
	}
	l.Format, l.Title, l.Header, l.FirstLine = "xlsx", strings.Join(all[0], ""), all[1], 3
	for _, r := range all[2:] {
		// A sheet keeps no empty cells at the end of a row.
		for len(r) < len(l.Header) {
			r = append(r, "")
		}
		l.Rows = append(l.Rows, r)
	}
	return l, nil
}
