package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The public pages of published rounds: anyone, signed in or not, sees a
// published (or final) round's rules, seats, seed commitment and reveal,
// the masked list as published, the ledger's head, and downloads the
// files the ledger records — the list as CSV and XLSX, and the export —
// with the two commands that check them. Nothing personal: the list masks
// names and ID numbers, the export names applications by number.
//
// A round's page and files change only when its chain grows, so they are
// kept per round with the chain's head they were made from; each request
// reads the head (one indexed row, on whichever server) and serves the
// kept bytes while it is the same.

// maxPublicRows is the most rows of the list the page shows; the files
// hold them all.
const maxPublicRows = 2000

// publicRound is what a published round's page and downloads are made
// from, at one head of its chain.
type publicRound struct {
	head   ledger.Entry
	public bool // published or final: otherwise the pages are 404
	o      rounds.Overview
	pub    rounds.Publication
	export []byte
	pages  map[string]cachedPage // by language, for visitors not signed in
}

// publicRounds keeps the publicRound of each round, by ID.
type publicRounds struct {
	mu sync.Mutex
	m  map[string]*publicRound
}

// maxPublicRounds bounds the rounds kept: a city publishes a handful a
// year; past that, the cache starts again.
const maxPublicRounds = 64

// publicRound returns round id's public data at the head of its chain, or
// not_found when there is no such round or it is not published.
func (s *server) publicRound(ctx context.Context, id string) (*publicRound, error) {
	if s.opt.Rounds == nil {
		return nil, apperr.E("round.public", apperr.NotFound, "err.no_page")
	}
	head, err := s.opt.Rounds.LedgerHead(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.E("round.public", apperr.NotFound, "err.no_page")
	}
	if err != nil {
		return nil, err
	}
	c := &s.publicRounds
	c.mu.Lock()
	p := c.m[id]
	c.mu.Unlock()
	if p != nil && p.head.Hash == head.Hash {
		return p, nil
	}
	p = &publicRound{head: head, pages: map[string]cachedPage{}}
	rd, err := s.opt.Rounds.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.public = rd.Status == rounds.Published || rd.Status == rounds.Final; p.public {
		if p.o, err = s.opt.Rounds.Show(ctx, id); err != nil {
			return nil, err
		}
		if p.pub, err = s.opt.Rounds.Published(ctx, id); err != nil {
			return nil, err
		}
		if p.export, err = s.opt.Rounds.Export(ctx, id); err != nil {
			return nil, err
		}
		// What was read belongs to this head only if the chain did not
		// grow meanwhile; otherwise keep nothing and serve what was read.
		if now, err := s.opt.Rounds.LedgerHead(ctx, id); err != nil || now.Hash != head.Hash {
			return p, nil //nolint:nilerr // what was read is served; only keeping it needs the head to hold
		}
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPublicRounds {
		c.m = map[string]*publicRound{}
	}
	c.m[id] = p
	c.mu.Unlock()
	return p, nil
}

// publicRoundOf answers the round of the request's path, or an error page
// (404 for a round not published).
func (s *server) publicRoundOf(w http.ResponseWriter, r *http.Request) *publicRound {
	p, err := s.publicRound(r.Context(), r.PathValue("id"))
	if err == nil && !p.public {
		err = apperr.E("round.public", apperr.NotFound, "err.no_page")
	}
	if err != nil {
		s.fail(w, r, err)
		return nil
	}
	return p
}

// publicFile is one file a published round's page offers.
type publicFile struct {
	Name, Href, SHA256 string
	Bytes              int
	Key                string // what it is, a catalogue key
}

type publicRoundData struct {
	O                     rounds.Overview
	Rules                 []fact
	Committed, Closed     string // when the seed's SHA-256 was committed, when applications closed (China time)
	Revealed              string
	Header                []string
	Rows                  [][]string
	Shown, Total          int
	Recorded              bool
	Head                  ledger.Entry
	HeadAt                string
	Files                 []publicFile
	SumCommand, VerifyCmd string
}

// modeKeys name the modes of ranking.
var modeKeys = map[rounds.Mode]string{rounds.ByPoints: "pubround.mode_points", rounds.ByLottery: "pubround.mode_lottery"}

// fact is one line of a definition list: a catalogue key and a value.
type fact struct{ Key, Value string }

func chinaClock(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04:05") }

// entryTime is the time of the first entry of kind in o's chain, China
// time; "" when there is none.
func entryTime(o *rounds.Overview, kind string) string {
	for _, e := range o.Ledger {
		if e.Kind == kind {
			if t, err := time.Parse(time.RFC3339Nano, e.At); err == nil {
				return chinaClock(t)
			}
		}
	}
	return ""
}

func (s *server) publicRoundPage(w http.ResponseWriter, r *http.Request) {
	p := s.publicRoundOf(w, r)
	if p == nil {
		return
	}
	lang := langOf(r)
	cacheable := sessionOf(r) == nil // the layout shows who is signed in
	if cacheable {
		c := &s.publicRounds
		c.mu.Lock()
		page, ok := p.pages[lang]
		c.mu.Unlock()
		if ok {
			page.write(w, r)
			return
		}
	}
	o := &p.o
	id := o.ID
	town := o.Town
	if town == "" {
		town = msg.T(msg.Parse(lang), "pubround.whole_city")
	}
	d := publicRoundData{O: *o,
		Rules: []fact{
			{"rounds.col_kind", msg.T(msg.Parse(lang), "kind."+string(o.Kind))},
			{"pubround.mode", msg.T(msg.Parse(lang), modeKeys[o.Mode])},
			{"rounds.col_year", strconv.Itoa(o.Year)},
			{"pubround.town", town},
			{"pubround.choices", strconv.Itoa(o.Choices)},
			{"round.scheme", o.Scheme + " " + o.SchemeVersion},
			{"round.published", msg.T(msg.Parse(lang), "pubround.window", o.PublishedOn, o.WindowEnds, o.WindowDays)},
			{"rounds.col_status", msg.T(msg.Parse(lang), "rstatus."+string(o.Status))},
		},
		Committed: entryTime(o, rounds.EntryCommitment), Closed: entryTime(o, rounds.EntryInput), Revealed: entryTime(o, rounds.EntryReveal),
		Header: p.pub.Header, Rows: p.pub.Rows[:min(len(p.pub.Rows), maxPublicRows)], Shown: min(len(p.pub.Rows), maxPublicRows), Total: len(p.pub.Rows),
		Recorded: p.pub.Recorded, Head: p.head, HeadAt: chinaClock(p.head.At),
		Files: []publicFile{
			{Name: id + "-publication.csv", Href: "/rounds/" + id + "/publication.csv", SHA256: ledger.Digest(p.pub.CSV), Bytes: len(p.pub.CSV), Key: "pubround.file_csv"},
			{Name: id + "-publication.xlsx", Href: "/rounds/" + id + "/publication.xlsx", SHA256: ledger.Digest(p.pub.XLSX), Bytes: len(p.pub.XLSX), Key: "pubround.file_xlsx"},
			{Name: id + "-export.json", Href: "/rounds/" + id + "/export.json", SHA256: ledger.Digest(p.export), Bytes: len(p.export), Key: "pubround.file_export"},
		},
	}
	d.SumCommand = fmt.Sprintf("sha256sum %s-publication.csv %s-publication.xlsx %s-export.json", id, id, id)
	d.VerifyCmd = fmt.Sprintf("rooted verify %s-export.json %s-publication.csv %s-publication.xlsx", id, id, id)
	pg := s.newPage(r, "pubround.title", d)
	body, err := s.renderBytes(r, "public_round.html", "layout", pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := newCachedPage(body)
	if cacheable {
		c := &s.publicRounds
		c.mu.Lock()
		p.pages[lang] = page
		c.mu.Unlock()
	}
	page.write(w, r)
}

// publicRoundFile serves one file of a published round: the stored bytes
// the ledger records (the export as of the chain's head).
func (s *server) publicRoundFile(w http.ResponseWriter, r *http.Request) {
	p := s.publicRoundOf(w, r)
	if p == nil {
		return
	}
	id := p.o.ID
	name := r.PathValue("file")
	var ct string
	var data []byte
	switch name {
	case "publication.csv":
		ct, data = "text/csv; charset=utf-8", p.pub.CSV
	case "publication.xlsx":
		ct, data = xlsxType, p.pub.XLSX
	case "export.json":
		ct, data = "application/json", p.export
	default:
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", strconv.Quote(ledger.Digest(data)))
	download(w, ct, id+"-"+name, data)
}

type publicRoundsData struct {
	Rounds []rounds.Round
}

// publicRoundsIndex lists the published and final rounds, newest first.
func (s *server) publicRoundsIndex(w http.ResponseWriter, r *http.Request) {
	var d publicRoundsData
	if s.opt.Rounds != nil {
		rs, err := s.opt.Rounds.List(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, rd := range slices.Backward(rs) {
			if rd.Status == rounds.Published || rd.Status == rounds.Final {
				d.Rounds = append(d.Rounds, rd)
			}
		}
	}
	s.render(w, r, http.StatusOK, "public_rounds.html", "pubrounds.title", d)
}
