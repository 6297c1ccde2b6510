package ingest

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// The other direction: tables the city publishes (the 公示 list of a round)
// as the spreadsheets people open. `rooted round publish` and the officer
// console both write them here, so the two give the same files.

// WriteCSV writes header and rows as UTF-8 CSV with a byte-order mark, so
// that spreadsheet programs on Chinese Windows read it as UTF-8.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes one sheet named sheet: a bold title line, a bold
// header line frozen above the rows, and the rows as text.
func WriteXLSX(w io.Writer, sheet, title string, header []string, rows [][]string) (err error) {
	return writeSheet(w, sheet, title, header, rows, nil)
}

// writeXLSX is WriteXLSX with the document's properties (creator, times)
// when props is not nil.
func writeSheet(w io.Writer, sheet, title string, header []string, rows [][]string, props *excelize.DocProperties) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil {
			err = cerr
		}
	}()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	titleRow := []any{title}
	if err := x.SetSheetRow(sheet, "A1", &titleRow); err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := x.SetSheetRow(sheet, "A2", &head); err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(max(len(header), 1))
	if err := x.SetCellStyle(sheet, "A1", last+"2", bold); err != nil {
		return err
	}
	for i, r := range rows {
		row := make([]any, len(r))
		for j, v := range r {
			row[j] = v
		}
		if err := x.SetSheetRow(sheet, "A"+strconv.Itoa(i+3), &row); err != nil {
			return err
		}
	}
	if err := x.SetColWidth(sheet, "A", last, 16); err != nil {
		return err
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if props != nil {
		if err := x.SetDocProps(props); err != nil {
			return err
		}
	}
	_, err = x.WriteTo(w)
	return err
}
