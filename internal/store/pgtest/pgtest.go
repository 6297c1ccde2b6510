package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by DSN.
const (
	EnvServer  = "ROOTED_TEST_POSTGRES"    // DSN of a server to create test databases in
	EnvRequire = "ROOTED_REQUIRE_POSTGRES" // "1": fail rather than skip without a server
)

var (
	once      sync.Once
	serverDSN string // admin DSN of the server, database "postgres"
	serverErr error
	cl        *cluster // the cluster this binary started, if any
	seq       int
	seqMu     sync.Mutex
)

// DSN returns the DSN of a new, empty database on the test server, dropped
// when t's test ends. It skips t (or fails it, with ROOTED_REQUIRE_POSTGRES=1)
// when no server is available, and fails t when the database cannot be
// created.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(func() { serverDSN, serverErr = server() })
	if serverErr != nil {
		msg := "PostgreSQL not available: " + serverErr.Error() +
			" (set " + EnvServer + " to a server DSN, or put initdb and pg_ctl on PATH)"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip("!!! " + msg)
	}

	seqMu.Lock()
	seq++
	n := seq
	seqMu.Unlock()
	var rnd [4]byte
	rand.Read(rnd[:])
	name := fmt.Sprintf("rooted_test_%d_%d_%s", os.Getpid(), n, hex.EncodeToString(rnd[:]))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := admin(ctx, serverDSN, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := admin(ctx, serverDSN, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	dsn, err := withDatabase(serverDSN, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// Main runs the tests of m, then stops the cluster DSN started (if any) and
// removes its directory, and exits with the tests' status. Call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if cl != nil {
		if err := cl.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// server returns the admin DSN of the server to use, starting a cluster if
// need be.
func server() (string, error) {
	if dsn := os.Getenv(EnvServer); dsn != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin(ctx, dsn, "SELECT 1"); err != nil {
			return "", fmt.Errorf("%s: %w", EnvServer, err)
		}
		return dsn, nil
	}
	c, err := startCluster()
	if err != nil {
		return "", err
	}
	cl = c
	return c.dsn, nil
}

// admin runs one statement on the server outside any transaction.
func admin(ctx context.Context, dsn, stmt string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx)) // closed even when ctx has ended
	_, err = conn.Exec(ctx, stmt)
	return err
}

// withDatabase returns dsn with its database replaced by name. dsn is a
// postgres:// URL or a keyword/value string.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("server DSN is not a valid URL")
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}

// cluster is a throwaway PostgreSQL server.
type cluster struct {
	dir  string // temp dir: data/, sock/, log
	dsn  string
	asPG bool // run commands as the postgres user (we are root)
}

func startCluster() (*cluster, error) {
	for _, bin := range []string{"initdb", "pg_ctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			return nil, fmt.Errorf("%s not on PATH and %s not set", bin, EnvServer)
		}
	}
	dir, err := os.MkdirTemp("", "rooted-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, asPG: os.Geteuid() == 0}
	sock := filepath.Join(dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.asPG {
		// initdb refuses to run as root.
		if err := chownTo("postgres", dir, sock); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, lastLines(out))
	}
	opts := fmt.Sprintf("-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off -p %d -k %s -c listen_addresses=127.0.0.1", port, sock)
	if out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "start", "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %w: %s %s", err, lastLines(out), lastLines(log))
	}
	c.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// stop stops the server at once (the data is thrown away) and removes dir.
func (c *cluster) stop() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	rmErr := os.RemoveAll(c.dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, lastLines(out))
	}
	return rmErr
}

// run runs a PostgreSQL command, as the postgres user when we are root.
func (c *cluster) run(name string, args ...string) ([]byte, error) {
	if c.asPG {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// chownTo gives paths to the named user.
func chownTo(username string, paths ...string) error {
	u, err := user.Lookup(username)
	if err != nil {
		return fmt.Errorf("running as root and no %s user to run initdb as: %w", username, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("user %s has a non-numeric uid or gid", username)
	}
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines returns the tail of a command's output, for error messages.
func lastLines(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
