package policy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/jsonx"
	"github.com/newcitizens/rooted/internal/msg"
)

// The JSON Lines format of `rooted score` (../shared/contracts/points.md):
// one flat object per line in, one result or error object per line out, in
// the same order. The decoder is hand-written for these flat objects: it
// writes each field straight into a batch column, allocates nothing for a
// well-formed line, and reports the first bad field of a line with the
// line's id when it can find one. Its tokens (strings, numbers, literals)
// are package jsonx's, shared with the round documents of package alloc.

// field kinds of a line besides the declared inputs.
const (
	fieldID       = -1
	fieldIDNumber = -2
)

// decoder reads JSON lines for one scheme. It is not safe for concurrent
// use; each worker has its own.
type decoder struct {
	s       *Scheme
	fields  map[string]int // name → input index, fieldID or fieldIDNumber
	levels  []map[string]int
	scratch []byte
}

func newDecoder(s *Scheme) *decoder {
	d := &decoder{s: s, fields: map[string]int{"id": fieldID, "id_number": fieldIDNumber}, levels: make([]map[string]int, len(s.Inputs))}
	for i, in := range s.Inputs {
		d.fields[in.Name] = i
		if in.Type == Level {
			m := map[string]int{}
			for j, l := range in.Levels {
				if l.Label.ZH != "" {
					m[l.Label.ZH] = j
				}
			}
			for j, l := range in.Levels {
				m[l.Code] = j
			}
			d.levels[i] = m
		}
	}
	return d
}

// lineMeta is what the output needs besides the batch columns.
type lineMeta struct {
	line int
	id   []byte // the raw JSON string token, quotes included; nil when absent
	err  string // "" when the line was decoded
}

type valKind uint8

const (
	vString valKind = iota
	vNumber
	vTrue
	vFalse
	vNull
	vOther // object or array
)

// decodeLine decodes one line into row of b as of asOf and returns the id
// token and, for a bad line, why.
func (d *decoder) decodeLine(line []byte, b *Batch, row int, asOf date.Date) (id []byte, msg string) {
	p := parser{jsonx.Scanner{Data: line}}
	p.SkipSpace()
	if !p.Eat('{') {
		return nil, p.syntax("want a JSON object")
	}
	var (
		idNumber  []byte
		birthSeen bool
	)
	p.SkipSpace()
	if !p.Eat('}') {
		for {
			p.SkipSpace()
			key, ok := p.str(&d.scratch)
			if !ok {
				return id, p.syntax("want a field name")
			}
			f, known := d.fields[string(key)]
			p.SkipSpace()
			if !p.Eat(':') {
				return id, p.syntax("want : after a field name")
			}
			p.SkipSpace()
			start := p.Pos
			kind, sval, num, ok := p.value(&d.scratch)
			if !ok {
				return id, p.syntax("invalid value")
			}
			if known && kind != vNull {
				switch f {
				case fieldID:
					switch {
					case kind != vString:
						msg = first(msg, "id: want a string")
					case !utf8.Valid(line[start:p.Pos]):
						msg = first(msg, "id: not valid UTF-8")
					default:
						id = line[start:p.Pos]
					}
				case fieldIDNumber:
					if kind != vString {
						msg = first(msg, "id_number: want a string")
					} else {
						idNumber = append(idNumber[:0], sval...)
					}
				default:
					in := &d.s.Inputs[f]
					if in.Name == "birth_date" {
						birthSeen = true
					}
					if m := d.set(b, row, f, in, kind, sval, num, asOf); m != "" {
						msg = first(msg, m)
					}
				}
			}
			p.SkipSpace()
			if p.Eat(',') {
				continue
			}
			if p.Eat('}') {
				break
			}
			return id, p.syntax("want , or } after a value")
		}
	}
	p.SkipSpace()
	if p.Pos != len(p.Data) {
		return id, p.syntax("unexpected text after the object")
	}
	if idNumber != nil && msg == "" {
		n, err := ident.ParseID(string(idNumber), asOf)
		switch {
		case err != nil:
			msg = "id_number: " + err.Error()
		case !birthSeen && d.s.birthSlot >= 0:
			b.regs[d.s.birthSlot][row] = float64(n.BirthDate)
		}
	}
	return id, msg
}

func first(msg, m string) string {
	if msg != "" {
		return msg
	}
	return m
}

// set checks one value against its input and stores it.
func (d *decoder) set(b *Batch, row, f int, in *Input, kind valKind, sval []byte, num float64, asOf date.Date) string {
	col := b.regs[in.Slot]
	switch in.Type {
	case Number, Int:
		if kind != vNumber {
			return in.Name + ": want a number"
		}
		if in.Type == Int && num != math.Trunc(num) || num < in.Min || num > in.Max {
			return in.Name + ": " + in.check(num)
		}
		col[row] = num
	case Bool:
		switch kind {
		case vTrue:
			col[row] = 1
		case vFalse:
			col[row] = 0
		default:
			return in.Name + ": want true or false"
		}
	case Level:
		if kind != vString {
			return in.Name + ": want a string, one of its levels"
		}
		j, ok := d.levels[f][string(sval)]
		if !ok {
			return fmt.Sprintf("%s: %q is not one of %s", in.Name, sval, levelList(in))
		}
		col[row] = float64(j)
	case Date:
		if kind != vString {
			return in.Name + ": want a date string YYYY-MM-DD"
		}
		day, ok := parseDate(sval)
		if !ok {
			return fmt.Sprintf("%s: %q is not a date YYYY-MM-DD", in.Name, sval)
		}
		if day > asOf {
			return fmt.Sprintf("%s: %s is after the as-of date %s", in.Name, sval, asOf)
		}
		col[row] = float64(day)
	}
	return ""
}

func levelList(in *Input) string {
	var b []byte
	for i, l := range in.Levels {
		if i > 0 {
			b = append(b, '/')
		}
		b = append(b, l.Code...)
	}
	return string(b)
}

// parseDate reads YYYY-MM-DD without going through time.Time: days from
// civil (H. Hinnant's algorithm), shifted to date.Date's day numbers.
func parseDate(s []byte) (date.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	var n [8]int
	for i, j := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		c := s[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		n[i] = int(c - '0')
	}
	y := n[0]*1000 + n[1]*100 + n[2]*10 + n[3]
	m := n[4]*10 + n[5]
	d := n[6]*10 + n[7]
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return civil(y, m, d), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civil returns the day number of y-m-d: 1 is 0001-01-01 as in package date.
func civil(y, m, d int) date.Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468 // days since 1970-01-01
	return date.Date(days + 719163)
}

// parser scans one line. Its syntax errors give the column where it
// stopped, as they always have.
type parser struct{ jsonx.Scanner }

func (p *parser) syntax(what string) string {
	return fmt.Sprintf("invalid JSON at column %d: %s", p.Pos+1, what)
}

// str reads a string and returns its decoded content (in scratch when it
// had escapes, else a slice of the line).
func (p *parser) str(scratch *[]byte) ([]byte, bool) {
	if p.Pos >= len(p.Data) || p.Data[p.Pos] != '"' {
		return nil, false
	}
	s, fault := p.String(scratch, false)
	if fault == jsonx.BadEscape || fault == jsonx.BadHex {
		p.Pos += 2 // a bad escape is reported after its first two bytes
	}
	return s, fault == jsonx.OK
}

// value reads any JSON value; objects and arrays are skipped (vOther).
func (p *parser) value(scratch *[]byte) (kind valKind, s []byte, num float64, ok bool) {
	if p.Pos >= len(p.Data) {
		return 0, nil, 0, false
	}
	switch c := p.Data[p.Pos]; {
	case c == '"':
		s, ok = p.str(scratch)
		return vString, s, 0, ok
	case c == '-' || (c >= '0' && c <= '9'):
		num, fault := p.Number()
		return vNumber, nil, num, fault == jsonx.OK
	case c == 't':
		return vTrue, nil, 0, p.Literal("true")
	case c == 'f':
		return vFalse, nil, 0, p.Literal("false")
	case c == 'n':
		return vNull, nil, 0, p.Literal("null")
	case c == '{' || c == '[':
		return vOther, nil, 0, p.skip(scratch, 0)
	}
	return 0, nil, 0, false
}

// skip passes over an object or array, checking its syntax.
func (p *parser) skip(scratch *[]byte, depth int) bool {
	if depth > 100 {
		return false
	}
	open := p.Data[p.Pos]
	p.Pos++
	p.SkipSpace()
	closer := byte('}')
	if open == '[' {
		closer = ']'
	}
	if p.Eat(closer) {
		return true
	}
	for {
		p.SkipSpace()
		if open == '{' {
			if _, ok := p.str(scratch); !ok {
				return false
			}
			p.SkipSpace()
			if !p.Eat(':') {
				return false
			}
			p.SkipSpace()
		}
		if p.Pos >= len(p.Data) {
			return false
		}
		if c := p.Data[p.Pos]; c == '{' || c == '[' {
			if !p.skip(scratch, depth+1) {
				return false
			}
		} else if _, _, _, ok := p.value(scratch); !ok {
			return false
		}
		p.SkipSpace()
		if p.Eat(',') {
			continue
		}
		return p.Eat(closer)
	}
}

// ScoreOptions set up a ScoreJSONL run.
type ScoreOptions struct {
	AsOf    date.Date // the day ages are taken and the version is chosen
	Lang    msg.Lang  // explanations: msg.ZH (default) or msg.EN
	Workers int       // goroutines scoring; 0 means GOMAXPROCS
}

// ScoreStats counts a ScoreJSONL run.
type ScoreStats struct {
	Lines  int // lines read, blank ones included
	Scored int // persons scored
	Failed int // lines answered with an error object
}

// chunkSize is the amount of input one worker takes at a time.
const chunkSize = 256 << 10

// ScoreJSONL reads persons as JSON Lines from r and writes one result or
// error object per non-blank line to w, in input order, scoring on
// opt.Workers goroutines. A bad line gives an error object and the run goes
// on. The error is ErrNoVersion (wrapped) when no version is in force on
// opt.AsOf — then nothing is read — or an I/O error or ctx's error.
func (s *Scheme) ScoreJSONL(ctx context.Context, r io.Reader, w io.Writer, opt ScoreOptions) (ScoreStats, error) {
	v, err := s.Version(opt.AsOf)
	if err != nil {
		return ScoreStats{}, err
	}
	return v.ScoreJSONL(ctx, r, w, opt)
}

type chunk struct {
	data  []byte
	line0 int // number of the chunk's first line
	out   []byte
	stats ScoreStats
	done  chan struct{}
}

// ScoreJSONL is Scheme.ScoreJSONL under v, whatever v's dates.
func (v *Version) ScoreJSONL(ctx context.Context, r io.Reader, w io.Writer, opt ScoreOptions) (ScoreStats, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers+2)
	free := make(chan *chunk, 3*workers+4)
	var readErr error
	go func() { // reader
		defer close(jobs)
		defer close(order)
		var carry []byte
		line := 1
		eof := false
		for !eof {
			var c *chunk
			select {
			case c = <-free:
			default:
				c = &chunk{data: make([]byte, 0, chunkSize+4096), out: make([]byte, 0, 4*chunkSize)}
			}
			c.data = append(c.data[:0], carry...)
			target := len(carry) + chunkSize
			carry = carry[:0]
			for len(c.data) < target && !eof {
				if cap(c.data)-len(c.data) < 4096 {
					c.data = append(c.data, make([]byte, 4096)...)[:len(c.data)]
				}
				n, err := r.Read(c.data[len(c.data):cap(c.data)])
				c.data = c.data[:len(c.data)+n]
				if err == io.EOF {
					eof = true
				} else if err != nil {
					readErr = err
					eof = true
				}
			}
			if !eof {
				cut := bytes.LastIndexByte(c.data, '\n')
				if cut < 0 { // a line longer than the chunk: read on
					carry = append(carry, c.data...)
					continue
				}
				carry = append(carry, c.data[cut+1:]...)
				c.data = c.data[:cut+1]
			}
			if len(c.data) == 0 {
				continue
			}
			c.line0, c.stats, c.done = line, ScoreStats{}, make(chan struct{})
			line += bytes.Count(c.data, []byte{'\n'})
			if c.data[len(c.data)-1] != '\n' {
				line++
			}
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := v.newScorer(opt)
			for c := range jobs {
				c.out = sc.chunk(c.data, c.line0, c.out[:0], &c.stats)
				close(c.done)
			}
		}()
	}
	var (
		stats ScoreStats
		werr  error
	)
	for c := range order {
		select {
		case <-c.done:
		case <-ctx.Done():
			werr = ctx.Err()
		}
		if werr != nil {
			break
		}
		if _, err := w.Write(c.out); err != nil {
			werr = err
			break
		}
		stats.Lines += c.stats.Lines
		stats.Scored += c.stats.Scored
		stats.Failed += c.stats.Failed
		select {
		case free <- c:
		default:
		}
	}
	cancel()
	for range order { // let the reader finish
	}
	wg.Wait()
	if werr == nil && parent.Err() != nil {
		werr = parent.Err()
	}
	if werr != nil {
		return stats, werr
	}
	if readErr != nil {
		return stats, fmt.Errorf("policy: reading persons: %w", readErr)
	}
	return stats, nil
}

// batchSize is the number of persons evaluated together: enough to make
// each vector operation a tight loop, few enough to stay in cache.
const batchSize = 128

// scorer decodes, evaluates and renders lines on one goroutine.
type scorer struct {
	v    *Version
	b    *Batch
	d    *decoder
	meta []lineMeta
	opt  ScoreOptions
	head []byte // `,"scheme":…,"as_of":"…","total":`
}

func (v *Version) newScorer(opt ScoreOptions) *scorer {
	sc := &scorer{v: v, b: v.NewBatch(batchSize, opt.AsOf), d: newDecoder(v.scheme), meta: make([]lineMeta, batchSize), opt: opt}
	sc.head = append(sc.head, `,"scheme":"`...)
	sc.head = jsonx.AppendEscaped(sc.head, v.scheme.Name)
	sc.head = append(sc.head, `","version":"`...)
	sc.head = jsonx.AppendEscaped(sc.head, v.Name)
	sc.head = append(sc.head, `","as_of":"`...)
	sc.head = append(sc.head, opt.AsOf.String()...)
	sc.head = append(sc.head, `","total":`...)
	return sc
}

// chunk scores the whole lines of data, numbered from line0, appending the
// output to out.
func (sc *scorer) chunk(data []byte, line0 int, out []byte, st *ScoreStats) []byte {
	line := line0
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		st.Lines++
		if blank(l) {
			line++
			continue
		}
		row := sc.b.Add()
		id, msg := sc.d.decodeLine(l, sc.b, row, sc.opt.AsOf)
		sc.meta[row] = lineMeta{line: line, id: id, err: msg}
		line++
		if sc.b.Len() == sc.b.Cap() {
			out = sc.flush(out, st)
		}
	}
	return sc.flush(out, st)
}

func blank(l []byte) bool {
	for _, c := range l {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

func (sc *scorer) flush(out []byte, st *ScoreStats) []byte {
	b := sc.b
	b.Evaluate()
	for row := range b.Len() {
		m := &sc.meta[row]
		if m.err != "" {
			st.Failed++
			out = appendError(out, m)
		} else {
			st.Scored++
			out = sc.appendResult(out, row, m.id)
		}
		m.id = nil
	}
	b.Reset(sc.opt.AsOf)
	return out
}

func appendError(out []byte, m *lineMeta) []byte {
	out = append(out, `{"id":`...)
	if m.id != nil {
		out = append(out, m.id...)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, `,"error":"`...)
	out = jsonx.AppendEscaped(out, m.err)
	out = append(out, `","line":`...)
	out = strconv.AppendInt(out, int64(m.line), 10)
	return append(out, "}\n"...)
}

func appendBool(out []byte, x float64) []byte {
	if x != 0 {
		return append(out, "true"...)
	}
	return append(out, "false"...)
}

// appendResult renders row as the contract's result object.
func (sc *scorer) appendResult(out []byte, row int, id []byte) []byte {
	v, p, regs := sc.v, &sc.v.prog, sc.b.regs
	t := func(name string) float64 { return regs[p.totalReg[name]][row] }
	out = append(out, `{"id":`...)
	if id != nil {
		out = append(out, id...)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, sc.head...)
	out = appendNum(out, t("total"))
	out = append(out, `,"school_points":`...)
	out = appendNum(out, t("school_points"))
	out = append(out, `,"frozen":`...)
	out = appendBool(out, t("frozen"))
	out = append(out, `,"layers":{"provincial":`...)
	out = appendNum(out, t("provincial"))
	out = append(out, `,"city":`...)
	out = appendNum(out, t("city"))
	out = append(out, `,"county":`...)
	out = appendNum(out, t("county"))
	out = append(out, `},"deductions":`...)
	out = appendNum(out, t("deductions"))
	out = append(out, `,"items":[`...)
	get := func(reg int) float64 { return regs[reg][row] }
	for i := range v.Rules {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"code":"`...)
		out = append(out, v.Rules[i].Code...)
		out = append(out, `","points":`...)
		out = appendNum(out, regs[p.ruleReg[i]][row])
		out = append(out, `,"explain":"`...)
		out = v.appendExplain(out, i, sc.opt.Lang, true, get)
		out = append(out, `"}`...)
	}
	out = append(out, `],"eligible":{`...)
	for i, n := range v.Services {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, n.Name...)
		out = append(out, `":`...)
		out = appendBool(out, regs[p.svcReg[i]][row])
	}
	return append(out, "}}\n"...)
}
