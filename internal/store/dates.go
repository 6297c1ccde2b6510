package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/newcitizens/rooted/internal/date"
)

// dateCol scans a date column of either engine into a date.Date: SQLite
// gives TEXT 'YYYY-MM-DD' (string or []byte), PostgreSQL a time.Time at
// midnight UTC, and NULL is the zero Date.
type dateCol struct{ dst *date.Date }

var _ sql.Scanner = dateCol{}

// scanDate returns a scanner that stores into dst.
func scanDate(dst *date.Date) dateCol { return dateCol{dst} }

func (c dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = 0
		return nil
	case time.Time:
		*c.dst = date.FromTime(v)
		return nil
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	}
	return fmt.Errorf("store: scan date: unsupported type %T", src)
}

func (c dateCol) parse(s string) error {
	if s == "" {
		*c.dst = 0
		return nil
	}
	if len(s) > 10 { // a timestamp's date part
		s = s[:10]
	}
	d, err := date.Parse(s)
	if err != nil {
		return fmt.Errorf("store: scan date: %w", err)
	}
	*c.dst = d
	return nil
}
