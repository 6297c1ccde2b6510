package store

import "testing"

func testSandbox(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	if sb, err := db.Sandbox(ctx); err != nil || sb {
		t.Fatalf("Sandbox of a new database = %v, %v; want false, nil", sb, err)
	}
	for range 2 { // marking twice is not an error
		if err := db.MarkSandbox(ctx); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = mustOpen(t, dsn)
	if sb, err := db.Sandbox(ctx); err != nil || !sb {
		t.Fatalf("Sandbox after MarkSandbox and reopening = %v, %v; want true, nil", sb, err)
	}
}

// testMigrationInsertedBefore: a database migrated before 0009 existed
// (0010–0012 applied) gets 0009 on the next Open.
func testMigrationInsertedBefore(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	for _, q := range []string{`DROP TABLE settings`, `DELETE FROM schema_migrations WHERE version = 9`} {
		if _, err := db.sql.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var later int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version > 9`).Scan(&later); err != nil || later == 0 {
		t.Fatalf("migrations after 0009 recorded: %d, %v; want some", later, err)
	}
	n, err := db.Migrate(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Migrate on a database without 0009 = %d, %v; want 1, nil", n, err)
	}
	if err := db.MarkSandbox(ctx); err != nil {
		t.Fatalf("MarkSandbox after the late migration: %v", err)
	}
}
