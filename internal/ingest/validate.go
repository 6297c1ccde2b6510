package ingest

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// Each xxxRow method checks the current row of its kind. It adds a reason
// for every column at fault (so a sender fixes a row in one go), then, if
// the row is sound, checks the references and the duplicate key, and writes
// the record. It returns only store errors.

func (r *fileRun) townRow(ctx context.Context) error {
	code := strings.ToLower(r.code(townCode))
	name := r.text(townName, 50)
	kind := r.enum(townKind, townKinds)
	if len(r.reasons) > 0 {
		return nil
	}
	k := r.key(code)
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	t := registry.Town{Code: code, Name: name, Kind: kind}
	if err := r.batch.PutTown(ctx, t); err != nil {
		return err
	}
	r.newTowns = append(r.newTowns, t)
	return nil
}

func (r *fileRun) schoolRow(ctx context.Context) error {
	code := r.code(schoolCode)
	name := r.text(schoolName, 100)
	town := r.town(schoolTown)
	level := r.enum(schoolLevel, schoolLevels)
	seats := r.seats(schoolSeats)
	if len(r.reasons) > 0 {
		return nil
	}
	k := r.key(code)
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	return r.batch.PutSchool(ctx, registry.School{Code: code, Name: name, Town: town, Level: level, EntrySeats: seats})
}

func (r *fileRun) personRow(ctx context.Context) error {
	id, idOK := r.idNumber(personID)
	name := r.text(personName, 50)
	phone := r.phone(personPhone)
	education := r.enum(personEducation, educations)
	hukou := r.enum(personHukou, hukouTypes)
	var guardian string
	if g, ok := r.idNumber(personGuardian); ok {
		guardian = g.Number
		if idOK && guardian == id.Number {
			r.fail(mGuardianSelf)
		}
	}
	if len(r.reasons) > 0 {
		return nil
	}
	k := r.key(id.Number)
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	sex := registry.Female
	if id.Male() {
		sex = registry.Male
	}
	p := registry.Person{
		IDNumber:  id.Number,
		Name:      name,
		Phone:     phone,
		Education: education,
		HukouType: hukou,
		BirthDate: id.BirthDate,
		Sex:       sex,
		Origin:    id.Region,
	}
	if guardian != "" && !r.im.persons.has(guardian) {
		// The guardian may be listed further down: wait for the end of
		// the file. The key is claimed now so that a later row of the same
		// person is still a duplicate.
		r.waiting = append(r.waiting, waitingPerson{
			cells:    append([]string(nil), r.cells...),
			line:     r.line,
			person:   p,
			guardian: guardian,
		})
		r.deferred = true
		return nil
	}
	return r.putPerson(ctx, p, guardian)
}

// putPerson writes a person, the guardian link if any, and makes the person
// known to the rest of the import.
func (r *fileRun) putPerson(ctx context.Context, p registry.Person, guardian string) error {
	if err := r.batch.PutPerson(ctx, p); err != nil {
		return err
	}
	if guardian != "" {
		if err := r.batch.PutGuardian(ctx, registry.Guardianship{Child: p.IDNumber, Guardian: guardian}); err != nil {
			return err
		}
	}
	r.im.persons.add(p.IDNumber)
	return nil
}

func (r *fileRun) residenceRow(ctx context.Context) error {
	id, _ := r.idNumber(resID)
	town := r.town(resTown)
	address := r.text(resAddress, 0)
	since := r.day(resSince, true)
	until := r.day(resUntil, false)
	kind := r.enum(resKind, residenceKinds)
	source := r.enum(resSource, residenceSources)
	r.notBefore(resUntil, until, resSince, since, date.Date.String)
	if len(r.reasons) > 0 || !r.known(resID, id) {
		return nil
	}
	k := r.key(id.Number, since.String(), address)
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	return r.batch.PutResidence(ctx, registry.Residence{
		IDNumber: id.Number, Town: town, Address: address,
		Since: since, Until: until, Kind: kind, Source: source,
	})
}

func (r *fileRun) jobRow(ctx context.Context) error {
	id, _ := r.idNumber(jobID)
	uscc := r.uscc(jobUSCC)
	employer := r.text(jobEmployer, 200)
	// A start date in the future is quarantined, as for residences: a
	// record says what is, and a job not begun is not yet a basis for a
	// permit or points (issue 11: one rule, the same words, for both).
	since := r.day(jobSince, true)
	until := r.day(jobUntil, false)
	contract := r.enum(jobContract, contracts)
	r.notBefore(jobUntil, until, jobSince, since, date.Date.String)
	if len(r.reasons) > 0 || !r.known(jobID, id) {
		return nil
	}
	k := r.key(id.Number, uscc, since.String())
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	return r.batch.PutJob(ctx, registry.Job{
		IDNumber: id.Number, EmployerUSCC: uscc, EmployerName: employer,
		Since: since, Until: until, Contract: contract,
	})
}

func (r *fileRun) insuranceRow(ctx context.Context) error {
	id, _ := r.idNumber(insID)
	kind := r.enum(insKind, insuranceKinds)
	from := r.month(insFrom)
	to := r.month(insTo)
	uscc := r.uscc(insUSCC)
	r.notBefore(insTo, to, insFrom, from, date.Date.Month)
	if len(r.reasons) > 0 || !r.known(insID, id) {
		return nil
	}
	k := r.key(id.Number, kind, from.String())
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	return r.batch.PutInsurance(ctx, registry.Insurance{
		IDNumber: id.Number, Kind: kind, From: from, To: to, EmployerUSCC: uscc,
	})
}

func (r *fileRun) factRow(ctx context.Context) error {
	id, _ := r.idNumber(factID)
	fk := r.factKind(factKind)
	var value string
	if fk != nil {
		raw := r.cell(factValue)
		v, err := fk.Canonical(raw)
		if err == nil && strings.Contains(v, "Inf") {
			err = strconv.ErrRange
		}
		if err != nil {
			r.failFactValue(fk, raw, err)
		}
		value = v
	}
	day := r.day(factDate, true)
	if len(r.reasons) > 0 || !r.known(factID, id) {
		return nil
	}
	k := r.key(id.Number, fk.Kind, day.String())
	if r.duplicate(k) {
		return nil
	}
	r.claim(k)
	return r.batch.PutFact(ctx, registry.Fact{IDNumber: id.Number, Kind: fk.Kind, Value: value, Date: day})
}

// fail records a reason for the current row.
func (r *fileRun) fail(key string, args ...any) {
	r.reasons = append(r.reasons, format(r.im.en, key, args...))
}

// col is column c's name in the reasons' language.
func (r *fileRun) col(c int) string {
	if r.im.en {
		return r.kind.columns[c].en
	}
	return r.kind.columns[c].zh
}

// cell returns column c of the current row, trimmed; "" when the file has
// no such column.
func (r *fileRun) cell(c int) string {
	p := r.pl.match.pos[c]
	if p < 0 || p >= len(r.cells) {
		return ""
	}
	return trim(r.cells[p])
}

// present returns column c, or "" with a reason when it is required and
// empty.
func (r *fileRun) present(c int) string {
	v := r.cell(c)
	if v == "" && r.kind.columns[c].required {
		r.fail(mEmpty, r.col(c))
	}
	return v
}

// text returns a free-text column of at most max characters (0: no limit).
func (r *fileRun) text(c, max int) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	if n := runes(v); max > 0 && n > max {
		r.fail(mTooLong, r.col(c), max, n)
	}
	if strings.ContainsRune(v, utf8.RuneError) {
		r.fail(mBadChars, r.col(c))
	}
	return v
}

// code returns a code column: letters, digits, '-' and '_', 1–32 of them.
func (r *fileRun) code(c int) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	ok := len(v) <= 32
	for i := 0; ok && i < len(v); i++ {
		b := v[i]
		ok = b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_'
	}
	if !ok {
		r.fail(mCode, r.col(c), short(v))
	}
	return v
}

// enum returns the code of an enumeration column, "" when empty.
func (r *fileRun) enum(c int, e *enum) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	code, ok := e.parse(v)
	if !ok {
		r.fail(mEnum, r.col(c), short(v), e.allowed(r.im.en))
	}
	return code
}

// phone returns a mobile number: 11 digits, 1 then 3–9.
func (r *fileRun) phone(c int) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	if len(v) != 11 || !isDigits(v) || v[0] != '1' || v[1] < '3' {
		r.fail(mPhone, r.col(c), short(v))
	}
	return v
}

// seats returns a whole number ≥ 0 (an XLSX cell may hold "120" or "120.0").
func (r *fileRun) seats(c int) int {
	v := r.present(c)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if !looksSerial(v) || err != nil || f != math.Trunc(f) || f > 1e6 {
		r.fail(mSeats, r.col(c), short(v))
		return 0
	}
	return int(f)
}

// town returns the code of the town a column names.
func (r *fileRun) town(c int) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	code, ok := r.im.towns[v]
	if !ok {
		code, ok = r.im.towns[strings.ToLower(v)]
	}
	if !ok {
		r.fail(mTown, r.col(c), short(v))
	}
	return code
}

// day returns a date column, optionally not after Options.Today.
func (r *fileRun) day(c int, notFuture bool) date.Date {
	v := r.present(c)
	if v == "" {
		return 0
	}
	d, p := parseDay(v, r.pl.xlsx, r.pl.date1904)
	switch p {
	case dateBad:
		r.fail(mDate, r.col(c), short(v))
		return 0
	case dateExcel60:
		r.fail(mExcel60, r.col(c))
		return 0
	}
	if notFuture && d > r.im.opt.Today {
		r.fail(mFuture, r.col(c), d.String())
	}
	return d
}

// month returns a month column as its first day; a month is in the future
// when its first day is after Options.Today.
func (r *fileRun) month(c int) date.Date {
	v := r.present(c)
	if v == "" {
		return 0
	}
	d, p := parseMonth(v, r.pl.xlsx, r.pl.date1904)
	switch p {
	case dateBad:
		r.fail(mMonth, r.col(c), short(v))
		return 0
	case dateExcel60:
		r.fail(mExcel60, r.col(c))
		return 0
	}
	if d > r.im.opt.Today {
		r.fail(mFuture, r.col(c), d.Month())
	}
	return d
}

// notBefore adds a reason when the later column is before the earlier one.
func (r *fileRun) notBefore(cLate int, late date.Date, cEarly int, early date.Date, show func(date.Date) string) {
	if late != 0 && early != 0 && late < early {
		r.fail(mBefore, r.col(cLate), show(late), r.col(cEarly), show(early))
	}
}

// idNumber parses an ID number column; ok is false when it is empty or
// invalid (with a reason in the second case, or when required).
func (r *fileRun) idNumber(c int) (ident.ID, bool) {
	v := r.present(c)
	if v == "" {
		return ident.ID{}, false
	}
	id, err := ident.ParseID(v, r.im.opt.Today)
	if err != nil {
		r.failID(r.col(c), v, err)
		return ident.ID{}, false
	}
	return id, true
}

// failID explains why ParseID refused s, in the reasons' language, from
// the check its *ident.IDError names. Of the checks a number of the right
// shape can fail together, the reasons have always named a bad birth date
// first, then the check character, then the province.
func (r *fileRun) failID(col, s string, err error) {
	var e *ident.IDError
	if !errors.As(err, &e) {
		r.fail(mIDOther, col, strings.TrimSuffix(err.Error(), ": "+ident.ErrInvalid.Error()))
		return
	}
	switch {
	case e.Check == ident.CheckLength && e.Numeric:
		r.fail(mIDNumeric, col, short(s))
	case e.Check == ident.CheckLength || e.Check == ident.CheckASCII:
		r.fail(mIDLength, col, runes(s))
	case e.Check == ident.CheckDigit:
		r.fail(mIDDigit, col, e.Pos)
	case e.Check == ident.CheckLast:
		r.fail(mIDLast, col)
	case e.Fails(ident.CheckBirth) || e.Fails(ident.CheckBirthEarly):
		r.fail(mIDBirth, col, e.BirthText)
	case e.Fails(ident.CheckBirthFuture):
		r.fail(mIDBirthFuture, col, e.Birth.String())
	case e.Fails(ident.CheckSum):
		r.fail(mIDCheck, col, rune(e.Got), rune(e.Want))
	case e.Fails(ident.CheckProvince):
		r.fail(mIDProvince, col, e.Province)
	default:
		r.fail(mIDOther, col, strings.TrimSuffix(err.Error(), ": "+ident.ErrInvalid.Error()))
	}
}

// known reports whether the person of a valid ID is in the registry or was
// accepted earlier in this import, adding a reason when not.
func (r *fileRun) known(c int, id ident.ID) bool {
	if r.im.persons.has(id.Number) {
		return true
	}
	r.fail(mUnknownPerson, r.col(c), ident.MaskID(id.Number))
	return false
}

// uscc parses a unified social credit code column, upper-cased; a refused
// code gets the reason its *ident.USCCError names.
func (r *fileRun) uscc(c int) string {
	v := r.present(c)
	if v == "" {
		return ""
	}
	u, err := ident.ParseUSCC(v)
	if err == nil {
		return u.Code
	}
	col := r.col(c)
	var e *ident.USCCError
	if !errors.As(err, &e) {
		r.fail(mUSCCOther, col, strings.TrimSuffix(err.Error(), ": "+ident.ErrInvalid.Error()))
		return ""
	}
	switch e.Check {
	case ident.CheckLength, ident.CheckASCII:
		r.fail(mUSCCLength, col, runes(strings.ToUpper(v)))
	case ident.CheckCharset:
		r.fail(mUSCCChar, col, e.Pos, string(rune(e.Char)))
	case ident.CheckRegion:
		r.fail(mUSCCRegion, col)
	case ident.CheckSum:
		r.fail(mUSCCCheck, col, rune(e.Got), rune(e.Want))
	default:
		r.fail(mUSCCOther, col, strings.TrimSuffix(err.Error(), ": "+ident.ErrInvalid.Error()))
	}
	return ""
}

// factKind finds a fact kind by code, Chinese or English label.
func (r *fileRun) factKind(c int) *registry.FactKind {
	v := r.present(c)
	if v == "" {
		return nil
	}
	fk, ok := r.im.factKinds[v]
	if !ok {
		fk, ok = r.im.factKinds[normHeader(v)]
	}
	if !ok {
		r.fail(mFactKind, r.col(c), short(v))
		return nil
	}
	return fk
}

// failFactValue explains why FactKind.Canonical refused raw, by the kind's
// declaration, falling back to Canonical's own words.
func (r *fileRun) failFactValue(fk *registry.FactKind, raw string, err error) {
	label := fk.Kind
	if !r.im.en && fk.LabelZH != "" {
		label = fk.LabelZH
	}
	switch fk.Value {
	case "none":
		r.fail(mFactNone, label, short(raw))
		return
	case "level":
		names := make([]string, len(fk.Levels))
		for i, l := range fk.Levels {
			names[i] = l.Code
			if !r.im.en && l.ZH != "" {
				names[i] = l.ZH
			}
		}
		r.fail(mFactLevel, label, short(raw), strings.Join(names, "/"))
		return
	case "number", "int":
		if raw == "" {
			r.fail(mFactNeed, label)
			return
		}
		v, perr := strconv.ParseFloat(strings.ReplaceAll(raw, ",", ""), 64)
		switch {
		case perr != nil || math.IsNaN(v) || math.IsInf(v, 0):
			r.fail(mFactNumber, label, short(raw))
		case fk.Value == "int" && v != math.Trunc(v):
			r.fail(mFactInt, label, short(raw))
		case fk.Min != nil && v < *fk.Min:
			r.fail(mFactMin, label, short(raw), *fk.Min)
		case fk.Max != nil && v > *fk.Max:
			r.fail(mFactMax, label, short(raw), *fk.Max)
		default:
			r.fail(mFactOther, label, err.Error())
		}
		return
	}
	r.fail(mFactOther, label, err.Error())
}
