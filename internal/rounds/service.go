package rounds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/alloc"
	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/calendar"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// Service runs rounds. The CLI and the web layer call its methods; each
// method is one step, checked against the round's status and written in
// one transaction with its ledger entries. Errors are *apperr.Error with
// code invalid (a bad request), not_found, conflict (the round is not in
// the status the step needs, or a duplicate) or forbidden; other errors are
// the store's. Full ID numbers never appear in messages.
type Service struct {
	Store    Store
	Scheme   *policy.Scheme     // the points scheme; required
	Calendar *calendar.Calendar // shipped holiday notices; nil: calendar.Default(). Notices stored by officers override it.
	Now      func() time.Time   // the clock; nil: time.Now. Dates are taken in China Standard Time.
	Random   io.Reader          // source of seeds; nil: crypto/rand
	Points   points.Options     // zero: points.DefaultOptions
	Files    Files              // renders the published list's files (ingest.PublicationFiles); required to publish
}

var cst = date.CST

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) today() date.Date { return date.FromTime(s.now().In(cst)) }

// scoring is how the service scores persons: its scheme, its derivation
// options.
func (s *Service) scoring() *points.Scoring { return points.NewScoring(s.Scheme, s.Points) }

// CalendarNow returns the working-day calendar in force: the shipped one
// with the notices officers stored (which win for their year).
func (s *Service) CalendarNow(ctx context.Context) (*calendar.Calendar, error) {
	c := s.Calendar
	if c == nil {
		c = calendar.Default()
	}
	years, err := s.Store.CalendarYears(ctx)
	if err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return c, nil
	}
	return c.With(years...)
}

// ImportCalendar stores holiday notices (validated) so that later windows
// count with them.
func (s *Service) ImportCalendar(ctx context.Context, years []calendar.Year) error {
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return apperr.WrapE("round.import_calendar", apperr.Invalid, err, "error.calendar")
		}
	}
	for _, y := range years {
		if err := s.Store.PutCalendarYear(ctx, y); err != nil {
			return err
		}
	}
	return nil
}

// CreateRequest describes a new round.
type CreateRequest struct {
	ID         string         // optional: default YEAR-KIND-TOWN (or -city), with -2, -3, … when taken
	Name       string         // required, free text
	Kind       Kind           // required
	Year       int            // default: this year
	Town       string         // "" for the whole city; school rounds then offer the town's schools only
	Mode       Mode           // default ByPoints
	Choices    int            // default 3 (schools) or every unit type (housing)
	WindowDays int            // 公示 working days; default 5
	Seats      map[string]int // school rounds: seats per school code; default entry_seats × SeatShare
	SeatShare  float64        // school rounds: share of entry seats offered (0 < share ≤ 1); default 1
	Units      map[string]int // housing: units per unit type; required
	UnitRules  []UnitRule     // housing: default DefaultUnitRules
	UnitNames  map[string]string
	ClosesOn   date.Date // planned closing day, shown to applicants; optional
}

// Create stores a new round in status draft, with its places, and records
// its configuration as the first ledger entry.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Round, error) {
	cfg, err := s.baseConfig(req)
	if err != nil {
		return Round{}, err
	}
	if req.Kind.Housing() {
		cfg.UnitRules, cfg.Places, err = housingPlaces(req)
	} else {
		cfg.Places, err = s.schoolPlaces(ctx, req)
	}
	if err != nil {
		return Round{}, err
	}
	if cfg.Choices, err = choices(req, len(cfg.Places)); err != nil {
		return Round{}, err
	}
	if cfg.ID, err = s.roundID(ctx, req.ID, cfg.Year, req.Kind, req.Town); err != nil {
		return Round{}, err
	}
	payload, err := json.Marshal(cfg)
	if err != nil {
		return Round{}, fmt.Errorf("round create: %w", err)
	}
	r := Round{Config: cfg, Status: Draft, CreatedAt: s.now().UTC()}
	if err := s.Store.CreateRound(ctx, r, ledger.Draft{Kind: EntryConfig, At: s.now(), Payload: payload}); err != nil {
		return Round{}, err
	}
	return r, nil
}

// badCreate is Create's error for a request it refuses: the catalogue's
// key with args, after "round create:".
func badCreate(key string, args ...any) error {
	return apperr.E("round.create", apperr.Invalid, "error.round_create", msg.M{Key: key, Args: args})
}

// baseConfig checks the request's kind, name, mode, year and window, fills
// their defaults, and returns the configuration without places, choices
// or id.
func (s *Service) baseConfig(req CreateRequest) (Config, error) {
	if !req.Kind.Valid() {
		return Config{}, badCreate("error.create_kind", req.Kind)
	}
	if strings.TrimSpace(req.Name) == "" || utf8.RuneCountInString(req.Name) > 100 {
		return Config{}, badCreate("error.create_name")
	}
	if req.Mode == "" {
		req.Mode = ByPoints
	}
	if req.Mode != ByPoints && req.Mode != ByLottery {
		return Config{}, badCreate("error.create_mode", req.Mode)
	}
	if req.Year == 0 {
		req.Year = s.today().Year()
	}
	if req.Year < 2000 || req.Year > 2200 {
		return Config{}, badCreate("error.create_year", req.Year)
	}
	if req.WindowDays == 0 {
		req.WindowDays = 5
	}
	if req.WindowDays < 5 || req.WindowDays > 60 {
		return Config{}, badCreate("error.create_window", req.WindowDays)
	}
	cfg := Config{Name: strings.TrimSpace(req.Name), Kind: req.Kind, Year: req.Year, Town: req.Town, Mode: req.Mode, WindowDays: req.WindowDays, Scheme: s.Scheme.Name}
	if !req.ClosesOn.IsZero() {
		cfg.ClosesOn = req.ClosesOn.String()
	}
	return cfg, nil
}

// housingPlaces returns a housing round's unit rules (the request's or
// DefaultUnitRules) and one place per unit type that a rule gives and the
// request has units for, in the rules' order.
func housingPlaces(req CreateRequest) ([]UnitRule, []Place, error) {
	rules := req.UnitRules
	if len(rules) == 0 {
		rules = DefaultUnitRules
	}
	if err := checkUnitRules(rules); err != nil {
		return nil, nil, err
	}
	if len(req.Units) == 0 {
		return nil, nil, badCreate("error.create_units_needed")
	}
	var places []Place
	for _, r := range rules {
		if slices.ContainsFunc(places, func(p Place) bool { return p.Code == r.UnitType }) {
			continue
		}
		n, ok := req.Units[r.UnitType]
		if !ok {
			continue
		}
		if n < 0 || n > alloc.MaxCapacity {
			return nil, nil, badCreate("error.create_units_range", r.UnitType, n, alloc.MaxCapacity)
		}
		name := req.UnitNames[r.UnitType]
		if name == "" {
			name = UnitTypeNames[r.UnitType]
		}
		if name == "" {
			name = r.UnitType
		}
		places = append(places, Place{Code: r.UnitType, Name: name, Seats: n})
	}
	for code := range req.Units {
		if !slices.ContainsFunc(places, func(p Place) bool { return p.Code == code }) {
			return nil, nil, badCreate("error.create_units_unknown", code)
		}
	}
	return rules, places, nil
}

// schoolPlaces returns a school round's places: the registry's schools of
// the kind's level (in the request's town, when it names one), each with
// its entry seats times the seat share unless the request gives its seats.
func (s *Service) schoolPlaces(ctx context.Context, req CreateRequest) ([]Place, error) {
	share := req.SeatShare
	if share == 0 {
		share = 1
	}
	if share < 0 || share > 1 {
		return nil, badCreate("error.create_share", share)
	}
	schools, err := s.Store.Schools(ctx)
	if err != nil {
		return nil, err
	}
	var places []Place
	known := map[string]bool{}
	for _, sc := range schools {
		known[sc.Code] = true
		if sc.Level != req.Kind.SchoolLevel() || (req.Town != "" && sc.Town != req.Town) {
			continue
		}
		seats := int(float64(sc.EntrySeats) * share)
		if n, ok := req.Seats[sc.Code]; ok {
			seats = n
		}
		if seats < 0 || seats > alloc.MaxCapacity {
			return nil, badCreate("error.create_seats_range", sc.Code, seats, alloc.MaxCapacity)
		}
		places = append(places, Place{Code: sc.Code, Name: sc.Name, Town: sc.Town, Seats: seats})
	}
	for code := range req.Seats {
		if !slices.ContainsFunc(places, func(p Place) bool { return p.Code == code }) {
			if known[code] {
				return nil, badCreate("error.create_seats_level", code, req.Kind.SchoolLevel())
			}
			return nil, badCreate("error.create_seats_unknown", code)
		}
	}
	if len(places) == 0 {
		if req.Town != "" {
			return nil, badCreate("error.create_no_school_town", req.Kind.SchoolLevel(), req.Town)
		}
		return nil, badCreate("error.create_no_school_city", req.Kind.SchoolLevel())
	}
	return places, nil
}

// choices returns how many places an application may list: the request's
// number, by default every place of a housing round and at most 3 schools.
func choices(req CreateRequest, places int) (int, error) {
	n := req.Choices
	if n == 0 {
		n = places
		if !req.Kind.Housing() {
			n = min(3, places)
		}
	}
	if n < 1 || n > places {
		return 0, badCreate("error.create_choices", n, places)
	}
	return n, nil
}

// roundID returns the requested id once checked, or else the first free
// one of YEAR-KIND-SCOPE, YEAR-KIND-SCOPE-2, … (SCOPE the town, or city).
func (s *Service) roundID(ctx context.Context, id string, year int, kind Kind, town string) (string, error) {
	if id != "" {
		if !validID(id) {
			return "", badCreate("error.create_id", id)
		}
		return id, nil
	}
	scope := town
	if scope == "" {
		scope = "city"
	}
	base := fmt.Sprintf("%d-%s-%s", year, strings.ReplaceAll(string(kind), "_", "-"), scope)
	for n := 1; ; n++ {
		id = base
		if n > 1 {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		_, err := s.Store.Round(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

func checkUnitRules(rules []UnitRule) error {
	for i, r := range rules {
		if r.UnitType == "" || r.Min < 1 || (r.Max != 0 && r.Max < r.Min) {
			return badCreate("error.create_unit_rule", i+1, r.Min, r.Max, r.UnitType)
		}
		for j, o := range rules[:i] {
			if o.Max == 0 && r.Max == 0 || (o.Max == 0 || r.Min <= o.Max) && (r.Max == 0 || o.Min <= r.Max) {
				return badCreate("error.create_unit_rules_overlap", j+1, i+1)
			}
		}
	}
	return nil
}

// UnitTypesFor returns the unit types a household of n persons may apply
// for under rules.
func UnitTypesFor(rules []UnitRule, n int) []string {
	var out []string
	for _, r := range rules {
		if n >= r.Min && (r.Max == 0 || n <= r.Max) {
			out = append(out, r.UnitType)
		}
	}
	return out
}

// round reads a round and checks its status.
func (s *Service) round(ctx context.Context, id, op string, want ...Status) (Round, error) {
	r, err := s.Store.Round(ctx, id)
	if err != nil {
		return Round{}, err
	}
	if len(want) > 0 && !slices.Contains(want, r.Status) {
		ws := make([]string, len(want))
		for i, w := range want {
			ws[i] = string(w)
		}
		// op is the English verb the caller names the step by (data).
		return Round{}, apperr.E("round.status", apperr.Conflict, "error.round_wrong_status", id, op, r.Status, strings.Join(ws, " or "))
	}
	return r, nil
}

// public blanks the seed of a round that is not yet allocated.
func public(r Round) Round {
	switch r.Status {
	case Draft, Open, Closed:
		r.Seed = ""
	}
	return r
}

// Get returns a round, its seed blanked until it is allocated.
func (s *Service) Get(ctx context.Context, id string) (Round, error) {
	r, err := s.Store.Round(ctx, id)
	return public(r), err
}

// List returns every round, oldest first, seeds blanked until allocated.
func (s *Service) List(ctx context.Context) ([]Round, error) {
	rs, err := s.Store.Rounds(ctx)
	for i := range rs {
		rs[i] = public(rs[i])
	}
	return rs, err
}

// Open opens a draft round for applications. The seed is generated from 32
// random bytes when seed is ""; a seed given must be strong (CheckSeed: a
// weak one is an invalid error saying what a good seed is). Its SHA-256 is
// recorded in the ledger and shown from now on, the seed itself only once
// the round is allocated.
func (s *Service) Open(ctx context.Context, id, seed string) (Round, error) {
	r, err := s.round(ctx, id, "open", Draft)
	if err != nil {
		return Round{}, err
	}
	if seed == "" {
		var b [32]byte
		src := s.Random
		if src == nil {
			src = rand.Reader
		}
		if _, err := io.ReadFull(src, b[:]); err != nil {
			return Round{}, fmt.Errorf("round %s: open: seed: %w", id, err)
		}
		seed = hex.EncodeToString(b[:])
	}
	if err := CheckSeed(seed); err != nil {
		var why msg.M
		var e *apperr.Error
		if errors.As(err, &e) {
			why = msg.M{Key: e.Key, Args: e.Args}
		} else {
			why = msg.M{Key: "error.text", Args: []any{err.Error()}}
		}
		return Round{}, apperr.E("round.open", apperr.Invalid, "error.round_open_seed", id, why)
	}
	r.Status, r.Seed, r.SeedSHA256, r.OpenedOn = Open, seed, alloc.SeedSHA256(seed), s.today()
	payload := jsonObject("seed_sha256", r.SeedSHA256, "opened_on", r.OpenedOn.String())
	if _, err := s.Store.Commit(ctx, id, Change{From: Draft, Round: &r, Ledger: []ledger.Draft{{Kind: EntryCommitment, At: s.now(), Payload: payload}}}); err != nil {
		return Round{}, err
	}
	return public(r), nil
}

// jsonObject returns a JSON object of the key, value pairs, in order.
func jsonObject(kv ...any) []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, err := json.Marshal(kv[i+1])
		if err != nil {
			v = []byte("null")
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// ApplyRequest is one application.
type ApplyRequest struct {
	Round     string
	Applicant string   // ID number of the guardian (school) or applicant (housing)
	Child     string   // school rounds: the child's ID number
	Household int      // housing: persons in the household
	Choices   []string // place codes (schools or unit types), most wanted first
}

// Apply records an application to an open round. A housing application
// without a household size takes the registry's (see householdSize). A request that cannot be
// an application (unknown place, a place twice, too many choices, no child
// in a school round) is an invalid error and records nothing; a child (or
// housing applicant) who already has an application is a conflict. An
// application that fails a gate of the registry — the child or applicant
// not registered, not the child's guardian, the child's age, the household
// size for a unit type — is recorded as refused with its reason and
// returned without error. Eligibility by points is checked at close, as of
// the close date.
func (s *Service) Apply(ctx context.Context, req ApplyRequest) (Application, error) {
	r, err := s.round(ctx, req.Round, "apply to", Open)
	if err != nil {
		return Application{}, err
	}
	a := Application{Round: r.ID, Applicant: strings.TrimSpace(req.Applicant), Child: strings.TrimSpace(req.Child), Household: req.Household, Choices: req.Choices, AppliedOn: s.today(), Status: Pending}
	if r.Kind.Housing() && a.Household == 0 {
		h, err := s.Store.History(ctx, a.Applicant)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return Application{}, err
		}
		a.Household = householdSize(&h, a.AppliedOn)
	}
	if err := checkRequest(&r, &a); err != nil {
		return Application{}, err
	}
	if err := s.gates(ctx, &r, &a, s.view(), nil); err != nil {
		return Application{}, err
	}
	added, err := s.Store.Commit(ctx, r.ID, Change{From: Open, Add: []Application{a}})
	if err != nil {
		return Application{}, err
	}
	return added[0], nil
}

// householdSize is the household the registry shows for a housing
// applicant: themself, their registered children under 18, and a partner
// when they have such a child (the registry links children, not couples).
func householdSize(h *registry.PersonHistory, asOf date.Date) int {
	kids := 0
	for _, c := range h.Children {
		if !c.BirthDate.IsZero() && date.YearsBetween(c.BirthDate, asOf) < 18 {
			kids++
		}
	}
	if kids > 0 {
		return 2 + kids
	}
	return 1
}

// checkRequest checks the form of an application against its round.
func checkRequest(r *Round, a *Application) error {
	who := ident.MaskID(a.Applicant)
	bad := func(key string, args ...any) error {
		return apperr.E("round.apply", apperr.Invalid, "error.application_invalid", r.ID, who, msg.M{Key: key, Args: args})
	}
	if a.Applicant == "" {
		return bad("error.application_no_applicant")
	}
	if r.Kind.Housing() {
		if a.Child != "" {
			return bad("error.application_housing_child")
		}
		if a.Household < 1 || a.Household > 20 {
			return bad("error.application_household", a.Household)
		}
		if len(a.Choices) == 0 {
			a.Choices = UnitTypesFor(r.UnitRules, a.Household)
			a.Choices = slices.DeleteFunc(a.Choices, func(c string) bool { return !slices.ContainsFunc(r.Places, func(p Place) bool { return p.Code == c }) })
			if len(a.Choices) == 0 {
				return bad("error.application_no_unit", a.Household)
			}
		}
	} else {
		if a.Child == "" {
			return bad("error.application_child_id")
		}
		if a.Household != 0 {
			return bad("error.application_school_household")
		}
	}
	if len(a.Choices) == 0 || len(a.Choices) > r.Choices {
		return bad("error.application_choices", len(a.Choices), r.Choices)
	}
	for i, c := range a.Choices {
		if !slices.ContainsFunc(r.Places, func(p Place) bool { return p.Code == c }) {
			return bad("error.application_choice_unknown", i+1, c)
		}
		if slices.Index(a.Choices, c) != i {
			return bad("error.application_choice_twice", i+1, c)
		}
	}
	return nil
}

// registryView caches what the gates read of the registry.
type registryView struct {
	s         *Service
	histories map[string]*registry.PersonHistory // nil value: not found
	guardians map[string][]string
	results   map[string]*policy.Result
}

func (s *Service) view() *registryView {
	return &registryView{s: s, histories: map[string]*registry.PersonHistory{}, guardians: map[string][]string{}, results: map[string]*policy.Result{}}
}

func (v *registryView) history(ctx context.Context, id string) (*registry.PersonHistory, error) {
	if h, ok := v.histories[id]; ok {
		return h, nil
	}
	h, err := v.s.Store.History(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		v.histories[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v.histories[id] = &h
	return &h, nil
}

func (v *registryView) guardiansOf(ctx context.Context, child string) ([]string, error) {
	if g, ok := v.guardians[child]; ok {
		return g, nil
	}
	g, err := v.s.Store.Guardians(ctx, child)
	if err != nil {
		return nil, err
	}
	v.guardians[child] = g
	return g, nil
}

// score returns a person's result on day (one day a view: the close).
func (v *registryView) score(h *registry.PersonHistory, day points.Day) (*policy.Result, error) {
	if r, ok := v.results[h.Person.IDNumber]; ok {
		return r, nil
	}
	scored, err := day.Person(h)
	if err != nil {
		return nil, err
	}
	v.results[h.Person.IDNumber] = &scored.Result
	return &scored.Result, nil
}

// gates checks the registry gates of a, reading the registry through v:
// the structural ones at apply (close nil); with eligibility by points at
// close. It sets its status, reason and, at
// close, points, tie-break and district. It returns only store errors.
func (s *Service) gates(ctx context.Context, r *Round, a *Application, v *registryView, close *closing) error {
	refuse := func(reason, detail string) error {
		a.Status, a.Reason, a.Detail = Refused, reason, detail
		return nil
	}
	applicant, err := v.history(ctx, a.Applicant)
	if err != nil {
		return err
	}
	if applicant == nil {
		return refuse("applicant_not_found", "")
	}
	a.ApplicantName = applicant.Person.Name
	asOf := a.AppliedOn
	if close != nil {
		asOf = close.day.AsOf()
	}
	var child *registry.PersonHistory
	var guardians []string
	if r.Kind.Housing() {
		types := UnitTypesFor(r.UnitRules, a.Household)
		for _, c := range a.Choices {
			if !slices.Contains(types, c) {
				return refuse("unit_type_mismatch", strconv.Itoa(a.Household))
			}
		}
	} else {
		if child, err = v.history(ctx, a.Child); err != nil {
			return err
		}
		if child == nil {
			return refuse("child_not_found", "")
		}
		a.ChildName = child.Person.Name
		if guardians, err = v.guardiansOf(ctx, a.Child); err != nil {
			return err
		}
		if !slices.Contains(guardians, a.Applicant) {
			return refuse("not_guardian", "")
		}
		age := date.YearsBetween(child.Person.BirthDate, date.Of(r.Year, time.August, 31))
		switch entry := r.Kind.EntryAge(); {
		case age < entry:
			return refuse("too_young", strconv.Itoa(age))
		case age > entry+1: // a year's delayed entry is allowed
			return refuse("too_old", strconv.Itoa(age))
		}
	}
	if close == nil {
		return nil
	}
	// At close: eligibility and priority as of the close date.
	res, err := v.score(applicant, close.day)
	if err != nil {
		return refuse("applicant_not_found", err.Error())
	}
	if close.service < 0 || !res.Eligible[close.service] {
		return refuse("not_eligible", asOf.String())
	}
	a.Status, a.Reason, a.Detail = Accepted, "", ""
	a.Points, a.Tiebreak, a.District = 0, nil, ""
	if r.Kind.Housing() {
		if r.Mode == ByPoints {
			a.Points, a.Tiebreak = res.Total, slices.Clone(res.TieBreaks)
		}
	} else {
		best := res
		for _, g := range guardians {
			if g == a.Applicant {
				continue
			}
			gh, err := v.history(ctx, g)
			if err != nil {
				return err
			}
			if gh == nil {
				continue
			}
			gr, err := v.score(gh, close.day)
			if err != nil {
				continue // a guardian whose record the scheme refuses adds nothing
			}
			if gr.SchoolPoints > best.SchoolPoints {
				best = gr
			}
		}
		if r.Mode == ByPoints {
			a.Points, a.Tiebreak = best.SchoolPoints, slices.Clone(best.TieBreaks)
		}
		a.District = townOn(child, asOf)
		if a.District == "" {
			a.District = townOn(applicant, asOf)
		}
	}
	if len(a.Tiebreak) == 0 {
		a.Tiebreak = nil
	}
	return nil
}

// townOn returns the town of h's residence covering day (the latest
// started when several do), or "".
func townOn(h *registry.PersonHistory, day date.Date) string {
	var cur *registry.Residence
	for i := range h.Residences {
		x := &h.Residences[i]
		if x.Since.IsZero() || x.Since > day || (!x.Until.IsZero() && x.Until < day) {
			continue
		}
		if cur == nil || x.Since >= cur.Since {
			cur = x
		}
	}
	if cur == nil {
		return ""
	}
	return cur.Town
}

// closing is the state of a close.
type closing struct {
	view    *registryView
	day     points.Day // the close date, under the version then in force
	service int        // index of the round's gate in the version's Services; -1 when the scheme has none
}

// CloseSummary is what Close did.
type CloseSummary struct {
	Round         string         `json:"round"`
	AsOf          string         `json:"as_of"`
	SchemeVersion string         `json:"scheme_version"`
	Applications  int            `json:"applications"`
	Accepted      int            `json:"accepted"`
	Refused       int            `json:"refused"`
	Reasons       map[string]int `json:"reasons"` // refusal reason → count
	InputSHA256   string         `json:"input_sha256"`
}

// Close closes an open round: every pending application is checked again
// against the registry as of today (the close date) — the gates of Apply,
// and the applicant's eligibility by the points scheme — and given its
// points, tie-break and district; the allocation input is frozen (without
// the seed) and its SHA-256 recorded in the ledger.
func (s *Service) Close(ctx context.Context, id string) (CloseSummary, error) {
	r, err := s.round(ctx, id, "close", Open)
	if err != nil {
		return CloseSummary{}, err
	}
	asOf := s.today()
	day, err := s.scoring().On(asOf)
	if err != nil {
		return CloseSummary{}, apperr.WrapE("round.close", apperr.Invalid, err, "error.round_close_scheme", id, s.Scheme.Name)
	}
	ver := day.Version()
	cl := &closing{view: s.view(), day: day, service: -1}
	for i, svc := range ver.Services {
		if svc.Name == r.Kind.Service() {
			cl.service = i
		}
	}
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return CloseSummary{}, err
	}
	sum := CloseSummary{Round: id, AsOf: asOf.String(), SchemeVersion: ver.Name, Applications: len(apps), Reasons: map[string]int{}}
	var update []Application
	for i := range apps {
		a := &apps[i]
		if a.Status == Pending {
			if err := s.gates(ctx, &r, a, cl.view, cl); err != nil {
				return CloseSummary{}, fmt.Errorf("round %s: close: application %s: %w", id, a.Number, err)
			}
			update = append(update, *a)
		}
		if a.Status == Refused {
			sum.Refused++
			sum.Reasons[a.Reason]++
		} else {
			sum.Accepted++
		}
	}
	in := instance(&r, apps)
	doc := in.AppendJSON(nil)
	sum.InputSHA256 = ledger.Digest(doc)
	r.Status, r.ClosedOn, r.SchemeVersion = Closed, asOf, ver.Name
	payload := jsonObject("input_sha256", sum.InputSHA256, "as_of", sum.AsOf, "scheme", s.Scheme.Name, "scheme_version", ver.Name,
		"applications", sum.Applications, "accepted", sum.Accepted, "refused", sum.Refused)
	_, err = s.Store.Commit(ctx, id, Change{From: Open, Round: &r, Update: update,
		Documents: map[string][]byte{DocInput: doc},
		Ledger:    []ledger.Draft{{Kind: EntryInput, At: s.now(), Payload: payload}}})
	if err != nil {
		return CloseSummary{}, err
	}
	return sum, nil
}

// instance builds the allocation input of a round from its accepted
// applications, in application order, without the seed: applicants are
// named by application number, never by ID number or name.
func instance(r *Round, apps []Application) *alloc.Instance {
	in := &alloc.Instance{Round: r.ID}
	for _, p := range r.Places {
		sc := alloc.School{ID: p.Code, Capacity: p.Seats}
		if !r.Kind.Housing() {
			sc.District = p.Town
		}
		in.Schools = append(in.Schools, sc)
	}
	for _, a := range apps {
		if a.Status != Accepted {
			continue
		}
		in.Applicants = append(in.Applicants, alloc.Applicant{ID: a.Number, Points: a.Points, District: a.District,
			Tiebreak: a.Tiebreak, Preferences: a.Choices})
	}
	return in
}

// AllocateSummary is what Allocate did.
type AllocateSummary struct {
	Round        string `json:"round"`
	Seed         string `json:"seed"`
	SeedSHA256   string `json:"seed_sha256"`
	Applicants   int    `json:"applicants"`
	Placed       int    `json:"placed"`
	Unplaced     int    `json:"unplaced"`
	OutputSHA256 string `json:"output_sha256"`
}

// Allocate runs the allocation of a closed round on its frozen input with
// the seed, now revealed; records the seed and the output's digest in the
// ledger; and stores each application's result (and, for housing, its
// waiting-list position).
func (s *Service) Allocate(ctx context.Context, id string) (AllocateSummary, error) {
	r, err := s.round(ctx, id, "allocate", Closed)
	if err != nil {
		return AllocateSummary{}, err
	}
	doc, err := s.Store.Document(ctx, id, DocInput)
	if err != nil {
		return AllocateSummary{}, err
	}
	in, err := alloc.ParseInstance(doc)
	if err != nil {
		return AllocateSummary{}, fmt.Errorf("round %s: allocate: stored input: %w", id, err)
	}
	if alloc.SeedSHA256(r.Seed) != r.SeedSHA256 {
		return AllocateSummary{}, apperr.E("round.allocate", apperr.Internal, "error.round_seed_mismatch", id)
	}
	in.Seed = r.Seed
	res, err := alloc.Allocate(in)
	if err != nil {
		return AllocateSummary{}, fmt.Errorf("round %s: allocate: %w", id, err)
	}
	out := res.AppendJSON(nil)
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return AllocateSummary{}, err
	}
	byNumber := map[string]*alloc.Assignment{}
	for i := range res.Assignments {
		byNumber[res.Assignments[i].Applicant] = &res.Assignments[i]
	}
	sum := AllocateSummary{Round: id, Seed: r.Seed, SeedSHA256: r.SeedSHA256, Applicants: len(in.Applicants), OutputSHA256: ledger.Digest(out)}
	var update []Application
	for i := range apps {
		a := &apps[i]
		as := byNumber[a.Number]
		if as == nil || a.Status != Accepted {
			continue
		}
		a.Placed, a.Choice, a.Ticket = as.School, as.Choice, as.Ticket
		if a.Placed != "" {
			sum.Placed++
		} else {
			sum.Unplaced++
		}
	}
	if r.Kind.Housing() {
		waitingList(apps)
	}
	for i := range apps {
		if apps[i].Status == Accepted {
			update = append(update, apps[i])
		}
	}
	r.Status, r.AllocatedOn = Allocated, s.today()
	_, err = s.Store.Commit(ctx, id, Change{From: Closed, Round: &r, Update: update,
		Documents: map[string][]byte{DocOutput: out},
		Ledger: []ledger.Draft{
			{Kind: EntryReveal, At: s.now(), Payload: jsonObject("seed", r.Seed, "seed_sha256", r.SeedSHA256)},
			{Kind: EntryOutput, At: s.now(), Payload: jsonObject("output_sha256", sum.OutputSHA256, "applicants", sum.Applicants, "placed", sum.Placed, "unplaced", sum.Unplaced)},
		}})
	if err != nil {
		return AllocateSummary{}, err
	}
	return sum, nil
}

// higher reports whether a comes before b in the district-blind priority
// of the round: more points, higher tie-break, lower ticket, lower number.
func higher(a, b *Application) bool {
	if a.Points != b.Points {
		return a.Points > b.Points
	}
	for k := range min(len(a.Tiebreak), len(b.Tiebreak)) {
		if a.Tiebreak[k] != b.Tiebreak[k] {
			return a.Tiebreak[k] > b.Tiebreak[k]
		}
	}
	if a.Ticket != b.Ticket {
		return a.Ticket < b.Ticket
	}
	return a.Number < b.Number
}

// waitingList gives each accepted, unplaced application its position on the
// waiting list of its first choice, by priority; placed ones get 0.
func waitingList(apps []Application) {
	var waiting []*Application
	for i := range apps {
		a := &apps[i]
		a.WaitPosition = 0
		if a.Status == Accepted && a.Placed == "" && len(a.Choices) > 0 {
			waiting = append(waiting, a)
		}
	}
	sort.SliceStable(waiting, func(i, j int) bool { return higher(waiting[i], waiting[j]) })
	pos := map[string]int{}
	for _, a := range waiting {
		pos[a.Choices[0]]++
		a.WaitPosition = pos[a.Choices[0]]
	}
}

// Objection windows and finalisation.

// Publish publishes an allocated round for objections (公示): the window
// runs WindowDays official working days from today (today counts when it
// is a working day), counted on the calendar with its adjusted days. The
// list, names and ID numbers masked, is rendered as CSV and XLSX (Files)
// and both files are stored with the round; the publication, the window
// and the SHA-256 of the rows and of each file are recorded in the
// ledger, in the same transaction.
//
// Publishing a round already published or final serves the stored files
// again, once the list rebuilt from the database is checked to be the one
// published: when it is not (the records changed since publication), it
// is a conflict and nothing new is served. Rounds published before the
// files were kept get their files rendered again (Publication.Recorded
// false: the ledger has no SHA-256 of them).
func (s *Service) Publish(ctx context.Context, id string) (Publication, error) {
	r, err := s.round(ctx, id, "publish", Allocated, Published, Final)
	if err != nil {
		return Publication{}, err
	}
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return Publication{}, err
	}
	if r.Status != Allocated {
		rec, err := s.publishEntry(ctx, id)
		if err != nil {
			return Publication{}, err
		}
		pub := publication(&r, apps, nil)
		if d := pub.Digest(); d != rec.ListSHA256 {
			return Publication{}, errRecordsChanged(id, rec, d)
		}
		if err := s.storedFiles(ctx, id, rec, &pub); err != nil {
			return Publication{}, err
		}
		return pub, nil
	}
	cal, err := s.CalendarNow(ctx)
	if err != nil {
		return Publication{}, err
	}
	today := s.today()
	end, warns := cal.AddWorkdays(today, r.WindowDays)
	r.Status, r.PublishedOn, r.WindowEnds = Published, today, end
	pub := publication(&r, apps, warns)
	// The entry's time, to the microsecond the ledger keeps, is the
	// instant the XLSX carries: rendered again, it gives the same bytes.
	at, _ := time.Parse(time.RFC3339Nano, ledger.FormatTime(s.now()))
	pub.At, pub.ListSHA256, pub.Recorded = at, pub.Digest(), true
	if err := s.render(&pub); err != nil {
		return Publication{}, err
	}
	payload := jsonObject("published_on", today.String(), "window_ends", end.String(), "window_days", r.WindowDays,
		"official_calendar", len(warns) == 0, "warnings", nonNil(warns), "list_sha256", pub.ListSHA256,
		"csv_sha256", pub.CSVSHA256, "xlsx_sha256", pub.XLSXSHA256)
	if _, err := s.Store.Commit(ctx, id, Change{From: Allocated, Round: &r,
		Documents: map[string][]byte{DocListCSV: pub.CSV, DocListXLSX: pub.XLSX},
		Ledger:    []ledger.Draft{{Kind: EntryPublish, At: at, Payload: payload}}}); err != nil {
		return Publication{}, err
	}
	return pub, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
