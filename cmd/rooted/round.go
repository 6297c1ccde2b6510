package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/calendar"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/rounds"
)

// roundSubcommands are the steps of `rooted round`, in the order a round
// goes through them.
var roundSubcommands = []struct{ name, usage, summary string }{
	{"create", "--kind grade1|grade7|public_rental|talent_apartment --name NAME [--town CODE] [--seats-from-schools] [--seat-share F] [--seats CODE=N,…] [--units TYPE=N,…] [--unit-rules 1-2:one_bedroom,…] [--choices N] [--mode points|lottery] [--year Y] [--id ID] [--window-days N] [--closes DATE]", "create a round (draft) with its schools and seats, or unit types and units"},
	{"open", "ROUND [--seed S]", "open for applications; publish the SHA-256 of the (secret) seed"},
	{"apply", "ROUND --guardian ID --child ID --schools S1,S2,… | ROUND --applicant ID [--household N] [--unit-types T1,…]", "apply (checked against the registry)"},
	{"apply-all", "ROUND [--seed N]", "demo: every eligible guardian of an age-eligible child (or eligible adult, housing) applies"},
	{"close", "ROUND", "close; check eligibility and points as of today; freeze the input"},
	{"allocate", "ROUND", "allocate; reveal the seed"},
	{"publish", "ROUND --out DIR", "publish the list for objections (公示) as XLSX and CSV, masked"},
	{"object", "ROUND --applicant ID [--application NUMBER] --text TEXT", "file an objection during the 公示 window"},
	{"answer", "ROUND --objection N --decision upheld|dismissed --reply TEXT [--by NAME]", "answer an objection (the department's decision and reply)"},
	{"finalize", "ROUND", "make final once the 公示 window has ended and every objection is answered"},
	{"show", "ROUND", "print the round, its places, counts, objections' status and ledger (JSON)"},
	{"results", "ROUND [--applicant ID] [--lang zh|en]", "print results with explanations (JSON Lines, masked)"},
	{"export", "ROUND --out FILE", "write the self-contained export that `rooted verify` checks"},
	{"list", "", "list rounds (JSON Lines)"},
	{"calendar", "[--import FILE]", "print the working-day calendar in force; --import stores a year's holiday notice"},
}

// runRound is `rooted round SUBCOMMAND [ROUND] [flags]`.
func runRound(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printRoundHelp(e)
		if len(args) == 0 {
			return usageError{"round: no subcommand given"}
		}
		return nil
	}
	sub := args[0]
	usage, found := roundUsage(sub)
	if !found {
		return usageError{fmt.Sprintf("round: unknown subcommand %q (rooted round -h)", sub)}
	}
	rest := args[1:]
	id := ""
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	var o roundOpts
	if strings.HasPrefix(usage, "ROUND") {
		usage += "\n(flags may come before or after ROUND)"
	}
	c, pos, err := e.flags("round "+sub, usage, rest, []string{"db", "as-of", "lang", "scheme"}, o.register(sub))
	if err != nil {
		return helpOK(err)
	}
	if id == "" && len(pos) > 0 {
		id, pos = pos[0], pos[1:]
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("round %s: unexpected argument %q", sub, pos[0])}
	}
	needsID := sub != "create" && sub != "list" && sub != "calendar"
	if needsID && id == "" {
		return usageError{fmt.Sprintf("round %s: which round? (rooted round %s ROUND)", sub, sub)}
	}
	scheme, err := loadScheme("round", c.Scheme)
	if err != nil {
		return apperr.WrapE("round.scheme", apperr.Invalid, err, "error.round_scheme_refused")
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	// A question (show, results, export, list, the calendar in force) may
	// be asked as of any day; a step takes the real clock (asOfClock).
	now := clockAt(c.AsOf)
	if changesState(sub, &o) {
		if now, err = asOfClock(ctx, st, c, "round "+sub); err != nil {
			return err
		}
	}
	svc := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: now}
	return o.run(ctx, e, svc, sub, id, c)
}

func printRoundHelp(e *env) {
	fmt.Fprintln(e.stdout, "usage: rooted round SUBCOMMAND [ROUND] [--db DSN] [--as-of YYYY-MM-DD] [flags]")
	fmt.Fprintln(e.stdout, "  flags may come before or after ROUND. --as-of is for questions (show, results, export, list):")
	fmt.Fprintln(e.stdout, "  a step that changes a round takes today's date, except on a demo sandbox (rooted migrate --sandbox).")
	fmt.Fprintln(e.stdout)
	for _, s := range roundSubcommands {
		fmt.Fprintf(e.stdout, "  %-10s %s\n", s.name, s.summary)
	}
}

// roundUsage returns the usage line of round subcommand sub, and whether
// there is one.
func roundUsage(sub string) (string, bool) {
	for _, s := range roundSubcommands {
		if s.name == sub {
			return s.usage, true
		}
	}
	return "", false
}

// changesState reports whether round subcommand sub records anything.
func changesState(sub string, o *roundOpts) bool {
	switch sub {
	case "show", "results", "export", "list":
		return false
	case "calendar":
		return o.calendarFile != ""
	}
	return true
}

// clockAt is a clock on day with the current time of day (China Standard
// Time): --as-of moves the date the steps are taken on.
func clockAt(day date.Date) func() time.Time {
	return func() time.Time {
		now := time.Now().In(date.CST)
		y, m, d := day.Parts()
		return time.Date(y, m, d, now.Hour(), now.Minute(), now.Second(), now.Nanosecond(), date.CST)
	}
}

// roundOpts are the flags of every round subcommand.
type roundOpts struct {
	kind, town, name, mode, seats, units string
	unitRules, id, closes                string
	seatShare                            float64
	fromSchools                          bool
	choices, year, windowDays, household int
	seed                                 string
	demoSeed                             uint64
	guardian, child, schools, applicant  string
	unitTypes, out, text, calendarFile   string
	application, decision, reply, by     string
	objection                            int
}

func (o *roundOpts) register(sub string) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		switch sub {
		case "create":
			fs.StringVar(&o.kind, "kind", "", "grade1, grade7, public_rental or talent_apartment")
			fs.StringVar(&o.town, "town", "", "town code; default the whole city")
			fs.StringVar(&o.name, "name", "", "name of the round")
			fs.StringVar(&o.mode, "mode", "points", "points (points, tie-breaks, lottery) or lottery (tickets only)")
			fs.IntVar(&o.choices, "choices", 0, "most places an application may rank (default 3 schools, or every unit type)")
			fs.IntVar(&o.year, "year", 0, "school year starting in September of YEAR (default: the as-of year)")
			fs.BoolVar(&o.fromSchools, "seats-from-schools", false, "seats from schools.entry_seats (the default for school rounds)")
			fs.Float64Var(&o.seatShare, "seat-share", 0, "share of each school's entry seats offered in this round, 0 < F ≤ 1 (default 1)")
			fs.StringVar(&o.seats, "seats", "", "seats per school, CODE=N,… (overrides entry seats)")
			fs.StringVar(&o.units, "units", "", "housing: units per unit type, e.g. one_bedroom=20,two_bedroom=30,three_bedroom=10")
			fs.StringVar(&o.unitRules, "unit-rules", "", "housing: household sizes per unit type, e.g. 1-2:one_bedroom,3-4:two_bedroom,5-:three_bedroom (the default)")
			fs.StringVar(&o.id, "id", "", "round id (default YEAR-KIND-TOWN)")
			fs.IntVar(&o.windowDays, "window-days", 5, "公示 window in official working days (at least 5)")
			fs.StringVar(&o.closes, "closes", "", "planned closing day YYYY-MM-DD, shown to applicants")
		case "open":
			fs.StringVar(&o.seed, "seed", "", "the lottery seed, kept secret until allocation: at least 32 characters drawn at random, not a word, date, repetition or sequence (default and best: 32 random bytes as 64 hex digits)")
		case "apply":
			fs.StringVar(&o.guardian, "guardian", "", "school rounds: ID number of the guardian applying")
			fs.StringVar(&o.child, "child", "", "school rounds: ID number of the child")
			fs.StringVar(&o.schools, "schools", "", "school rounds: school codes, most wanted first, S1,S2,…")
			fs.StringVar(&o.applicant, "applicant", "", "housing rounds: ID number of the applicant")
			fs.IntVar(&o.household, "household", 0, "housing rounds: persons in the household (default: from the registry)")
			fs.StringVar(&o.unitTypes, "unit-types", "", "housing rounds: unit types, most wanted first (default: the one for the household)")
		case "apply-all":
			fs.Uint64Var(&o.demoSeed, "seed", 1, "seed of the random choice of schools")
		case "publish":
			fs.StringVar(&o.out, "out", "", "folder to write ROUND-publication.xlsx and .csv into")
		case "object":
			fs.StringVar(&o.applicant, "applicant", "", "ID number of who objects: the applicant, or a registered guardian of the child applied for")
			fs.StringVar(&o.application, "application", "", "the application number objected about (default: the applicant's own)")
			fs.StringVar(&o.text, "text", "", "the objection")
		case "answer":
			fs.IntVar(&o.objection, "objection", 0, "the objection's number (rooted round show lists them)")
			fs.StringVar(&o.decision, "decision", "", "upheld (异议成立) or dismissed (异议不成立)")
			fs.StringVar(&o.reply, "reply", "", "the reply to the objector: why, and what the department will do (an upheld objection changes no result)")
			fs.StringVar(&o.by, "by", "", "who answers (default: the USER environment variable)")
		case "results":
			fs.StringVar(&o.applicant, "applicant", "", "only the applications of this applicant (ID number)")
		case "export":
			fs.StringVar(&o.out, "out", "", "file to write")
		case "calendar":
			fs.StringVar(&o.calendarFile, "import", "", "a calendar file (the format of internal/calendar/calendar-cn.yaml) to store")
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// pairs parses CODE=N,… .
func pairs(flagName, s string) (map[string]int, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]int{}
	for _, p := range splitList(s) {
		k, v, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || k == "" {
			return nil, usageError{fmt.Sprintf("round create: --%s %q: want CODE=N", flagName, p)}
		}
		m[k] = n
	}
	return m, nil
}

// unitRules parses 1-2:one_bedroom,3-4:two_bedroom,5-:three_bedroom.
func unitRules(s string) ([]rounds.UnitRule, error) {
	if s == "" {
		return nil, nil
	}
	var rs []rounds.UnitRule
	for _, p := range splitList(s) {
		span, typ, ok := strings.Cut(p, ":")
		lo, hi, _ := strings.Cut(span, "-")
		min, err1 := strconv.Atoi(lo)
		max := 0
		var err2 error
		if hi != "" {
			max, err2 = strconv.Atoi(hi)
		} else if !strings.Contains(span, "-") {
			max = min
		}
		if !ok || typ == "" || err1 != nil || err2 != nil {
			return nil, usageError{fmt.Sprintf("round create: --unit-rules %q: want MIN-MAX:TYPE (MIN-: no upper bound)", p)}
		}
		rs = append(rs, rounds.UnitRule{Min: min, Max: max, UnitType: typ})
	}
	return rs, nil
}

// run takes round step sub on round id: it checks the step's flags and
// hands it to its method, which calls the service and prints the result.
func (o *roundOpts) run(ctx context.Context, e *env, svc *rounds.Service, sub, id string, c config) error {
	switch sub {
	case "create":
		return o.create(ctx, e, svc, c)
	case "open":
		if _, err := svc.Open(ctx, id, o.seed); err != nil {
			return err
		}
		return o.show(ctx, e, svc, id)
	case "apply":
		return o.apply(ctx, e, svc, id, c)
	case "apply-all":
		return printSummary(e, func() (any, error) { return svc.ApplyAll(ctx, id, o.demoSeed) })
	case "close":
		return printSummary(e, func() (any, error) { return svc.Close(ctx, id) })
	case "allocate":
		return printSummary(e, func() (any, error) { return svc.Allocate(ctx, id) })
	case "publish":
		return o.publish(ctx, e, svc, id)
	case "object":
		return o.object(ctx, e, svc, id)
	case "answer":
		return o.answer(ctx, e, svc, id, c)
	case "finalize":
		if _, err := svc.Finalize(ctx, id); err != nil {
			return err
		}
		return o.show(ctx, e, svc, id)
	case "show":
		return o.show(ctx, e, svc, id)
	case "results":
		return o.results(ctx, e, svc, id, c)
	case "export":
		return o.export(ctx, e, svc, id)
	case "list":
		return listRounds(ctx, e, svc)
	case "calendar":
		return o.calendar(ctx, e, svc)
	}
	return usageError{"round: unknown subcommand " + sub}
}

// printSummary prints the summary a step returns, as JSON.
func printSummary(e *env, step func() (any, error)) error {
	sum, err := step()
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, sum)
}

// create is `round create`: it parses the seats, units and rules given and
// creates the round (the year defaults to the as-of year).
func (o *roundOpts) create(ctx context.Context, e *env, svc *rounds.Service, c config) error {
	seats, err := pairs("seats", o.seats)
	if err != nil {
		return err
	}
	units, err := pairs("units", o.units)
	if err != nil {
		return err
	}
	rules, err := unitRules(o.unitRules)
	if err != nil {
		return err
	}
	var closes date.Date
	if o.closes != "" {
		if closes, err = date.Parse(o.closes); err != nil {
			return usageError{fmt.Sprintf("round create: --closes: %v", err)}
		}
	}
	year := o.year
	if year == 0 {
		year = c.AsOf.Year()
	}
	r, err := svc.Create(ctx, rounds.CreateRequest{ID: o.id, Name: o.name, Kind: rounds.Kind(o.kind), Year: year, Town: o.town,
		Mode: rounds.Mode(o.mode), Choices: o.choices, WindowDays: o.windowDays, Seats: seats, SeatShare: o.seatShare,
		Units: units, UnitRules: rules, ClosesOn: closes})
	if err != nil {
		return err
	}
	return o.show(ctx, e, svc, r.ID)
}

// apply is `round apply`: a school application (guardian, child, schools)
// or a housing one (applicant, household, unit types), printed with its
// result so far.
func (o *roundOpts) apply(ctx context.Context, e *env, svc *rounds.Service, id string, c config) error {
	req := rounds.ApplyRequest{Round: id, Applicant: o.guardian, Child: o.child, Choices: splitList(o.schools)}
	if o.applicant != "" || o.household != 0 || o.unitTypes != "" {
		if o.guardian != "" || o.child != "" || o.schools != "" {
			return usageError{"round apply: --guardian/--child/--schools (school rounds) or --applicant/--household/--unit-types (housing), not both"}
		}
		req = rounds.ApplyRequest{Round: id, Applicant: o.applicant, Household: o.household, Choices: splitList(o.unitTypes)}
	}
	a, err := svc.Apply(ctx, req)
	if errors.Is(err, rounds.ErrAlreadyApplied) {
		// The store's words (a unique constraint) are for the log;
		// a person reads the sentence the web shows.
		subject := req.Child
		if subject == "" {
			subject = req.Applicant
		}
		// The reason was always in the command's --lang (zh by default).
		return inLang{apperr.E("round.apply", apperr.Conflict, "error.cli_apply_conflict", msg.M{Key: "apply.conflict"}, ident.MaskID(strings.TrimSpace(subject))), msg.Parse(c.Lang)}
	}
	if err != nil {
		return err
	}
	outs, err := svc.Results(ctx, id, a.Applicant, msg.Lang(c.Lang))
	if err != nil {
		return err
	}
	for _, x := range outs {
		if x.Number == a.Number {
			return writeJSON(e.stdout, x)
		}
	}
	return nil
}

// publish is `round publish`: the list for objections (公示) written as the
// stored, published bytes into the folder --out.
func (o *roundOpts) publish(ctx context.Context, e *env, svc *rounds.Service, id string) error {
	if o.out == "" {
		return usageError{"round publish: --out DIR is required"}
	}
	pub, err := svc.Publish(ctx, id)
	if err != nil {
		return err
	}
	// The folder of the published lists (公示), which anyone may read.
	if err := os.MkdirAll(o.out, 0o755); err != nil { //nolint:gosec // G301: holds public lists only
		return fmt.Errorf("round publish: %w", err)
	}
	// The files as published: the stored bytes whose SHA-256 the
	// ledger records.
	base := filepath.Join(o.out, id+"-publication")
	// The lists are public by law (公示), names and ID numbers masked
	// (rounds.Publication): world-readable is what they are for.
	if err := os.WriteFile(base+".csv", pub.CSV, 0o644); err != nil { //nolint:gosec // G306: a public list, personal data masked
		return fmt.Errorf("round publish: %w", err)
	}
	if err := os.WriteFile(base+".xlsx", pub.XLSX, 0o644); err != nil { //nolint:gosec // G306: a public list, personal data masked
		return fmt.Errorf("round publish: %w", err)
	}
	for _, w := range pub.Warnings {
		fmt.Fprintln(e.stderr, "rooted: round publish: warning:", w)
	}
	if !pub.Recorded {
		fmt.Fprintf(e.stderr, "rooted: round publish: warning: round %s was published before the ledger recorded the files' SHA-256: these files are rendered again and cannot be checked byte for byte (their rows match the list the ledger records)\n", id)
	}
	return writeJSON(e.stdout, map[string]any{"round": id, "published_on": pub.PublishedOn, "window_ends": pub.WindowEnds,
		"rows": len(pub.Rows), "files": []string{base + ".xlsx", base + ".csv"}, "warnings": pub.Warnings,
		"csv_sha256": pub.CSVSHA256, "xlsx_sha256": pub.XLSXSHA256, "recorded": pub.Recorded})
}

// object is `round object`: an objection filed during the 公示 window.
func (o *roundOpts) object(ctx context.Context, e *env, svc *rounds.Service, id string) error {
	if o.applicant == "" || o.text == "" {
		return usageError{"round object: --applicant ID and --text TEXT are required"}
	}
	ob, err := svc.FileObjection(ctx, rounds.ObjectRequest{Round: id, Applicant: o.applicant, Number: o.application, Text: o.text})
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, map[string]any{"round": id, "objection": ob.Seq, "number": ob.Number, "at": ob.At.Format(time.RFC3339)})
}

// answer is `round answer`: the department's decision on an objection and
// its reply, by --by, or USER, or "cli".
func (o *roundOpts) answer(ctx context.Context, e *env, svc *rounds.Service, id string, c config) error {
	if o.objection == 0 || o.decision == "" || o.reply == "" {
		return usageError{"round answer: --objection N, --decision upheld|dismissed and --reply TEXT are required"}
	}
	by := o.by
	if by == "" {
		by = c.User
	}
	if by == "" {
		by = "cli"
	}
	ob, err := svc.Answer(ctx, rounds.AnswerRequest{Round: id, Objection: o.objection, Decision: rounds.Decision(o.decision), Reply: o.reply, By: by})
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, map[string]any{"round": id, "objection": ob.Seq, "number": ob.Number, "decision": ob.Decision,
		"by": ob.DecidedBy, "at": ob.DecidedAt.Format(time.RFC3339)})
}

// results is `round results`: every result (or one applicant's) with its
// explanation, one JSON line each.
func (o *roundOpts) results(ctx context.Context, e *env, svc *rounds.Service, id string, c config) error {
	outs, err := svc.Results(ctx, id, o.applicant, msg.Lang(c.Lang))
	if err != nil {
		return err
	}
	for _, x := range outs {
		if err := writeJSON(e.stdout, x); err != nil {
			return err
		}
	}
	return nil
}

// export is `round export`: the self-contained file `rooted verify` checks.
func (o *roundOpts) export(ctx context.Context, e *env, svc *rounds.Service, id string) error {
	if o.out == "" {
		return usageError{"round export: --out FILE is required"}
	}
	data, err := svc.Export(ctx, id)
	if err != nil {
		return err
	}
	// The export is what the public round page offers auditors:
	// applicants by application number, no ID number or name.
	if err := os.WriteFile(o.out, data, 0o644); err != nil { //nolint:gosec // G306: a public file without personal data
		return fmt.Errorf("round export: %w", err)
	}
	return writeJSON(e.stdout, map[string]any{"round": id, "file": o.out, "bytes": len(data)})
}

// listRounds is `round list`: one JSON line a round.
func listRounds(ctx context.Context, e *env, svc *rounds.Service) error {
	rs, err := svc.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := writeJSON(e.stdout, map[string]any{"id": r.ID, "name": r.Name, "kind": r.Kind, "status": r.Status, "seed_sha256": r.SeedSHA256}); err != nil {
			return fmt.Errorf("round list: %w", err)
		}
	}
	return nil
}

// calendar is `round calendar`: it stores the holiday notice given with
// --import, then prints the working-day calendar in force, a line a year.
func (o *roundOpts) calendar(ctx context.Context, e *env, svc *rounds.Service) error {
	if o.calendarFile != "" {
		data, err := os.ReadFile(o.calendarFile)
		if err != nil {
			return apperr.WrapE("round.calendar", apperr.Invalid, err, "error.calendar_unreadable", o.calendarFile)
		}
		years, err := calendar.ParseYears(filepath.Base(o.calendarFile), data)
		if err != nil {
			return apperr.WrapE("round.calendar", apperr.Invalid, err, "error.calendar")
		}
		if err := svc.ImportCalendar(ctx, years); err != nil {
			return err
		}
	}
	cal, err := svc.CalendarNow(ctx)
	if err != nil {
		return err
	}
	for _, y := range cal.Years() {
		n, _ := cal.Workdays(date.Of(y.Year, time.January, 1), date.Of(y.Year, time.December, 31))
		if err := writeJSON(e.stdout, map[string]any{"year": y.Year, "notice": y.Notice, "holidays": len(y.Holidays), "adjusted_workdays": len(y.Workdays), "working_days": n}); err != nil {
			return fmt.Errorf("round calendar: %w", err)
		}
	}
	return nil
}

func (o *roundOpts) show(ctx context.Context, e *env, svc *rounds.Service, id string) error {
	ov, err := svc.Show(ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, ov)
}
