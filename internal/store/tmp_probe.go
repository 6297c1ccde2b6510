package store

import (
	_ "github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)
