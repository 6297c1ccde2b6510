package policy

// A scheme's expressions are type-checked by cel-go and then compiled, not
// interpreted: each checked AST becomes a short list of vector operations
// over registers, one register (a column of float64, one per person of a
// batch) per input, per rule, per result and per temporary. Booleans are 0
// or 1, levels the index of their code, ints whole float64s. Running a
// program over a batch of persons costs one switch per operation per batch
// and a tight loop per operation, instead of an interpreter's dozens of
// interface calls per node per person.

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
)

// MaxCost is the largest CEL cost estimate an expression of a scheme may
// have; a scheme with a costlier expression is refused.
const MaxCost = 1000

type opcode uint8

const (
	opAdd opcode = iota
	opSub
	opMul
	opDiv
	opIDiv // integer division: truncates toward zero
	opMod
	opNeg
	opLT
	opLE
	opGT
	opGE
	opEQ
	opNE
	opNot
	opAnd
	opOr
	opSel // o = a != 0 ? b : c
	opMin
	opMax
	opFloor
	opCeil
	opAbs
	opTrunc
	opMask // o = bit a of mask (level in [...])
	opCopy
	opCap   // b = a; o = round2(clamp(a, 0, k))
	opRound // o = round2(a)
)

// op is one vector operation: o = f(a, b, c) element by element.
type op struct {
	code    opcode
	o, a, b int
	c       int
	k       float64
	mask    uint64
}

// program is a compiled version: the registers and the operations that
// fill them, in dependency order.
type program struct {
	nregs    int
	nInputs  int
	ageReg   int // -1 when the scheme has no birth_date
	ruleReg  []int
	rawReg   []int
	totalReg map[string]int
	svcReg   []int
	tieReg   []int
	consts   []constReg // registers that hold a constant, filled once per batch
	ops      []op

	pending map[uint64]int // while compiling: constant bits → placeholder register
}

type constReg struct {
	reg int
	val float64
}

// celEnv holds the type-checking environment of a scheme's inputs.
type celEnv struct {
	env *cel.Env
}

func newEnv(s *Scheme) (*celEnv, error) {
	opts := []cel.EnvOption{
		cel.ClearMacros(),
		cel.CrossTypeNumericComparisons(true),
	}
	dd := []*cel.Type{cel.DoubleType, cel.DoubleType}
	ii := []*cel.Type{cel.IntType, cel.IntType}
	id := []*cel.Type{cel.IntType, cel.DoubleType}
	di := []*cel.Type{cel.DoubleType, cel.IntType}
	// Mixed int/double arithmetic, so that `0.5 * insurance_months` and
	// `income_tax_3y / 10000` need no conversions.
	for _, f := range []string{operators.Add, operators.Subtract, operators.Multiply, operators.Divide} {
		name := strings.Trim(f, "_")
		opts = append(opts, cel.Function(f,
			cel.Overload("rooted_"+name+"_int_double", id, cel.DoubleType),
			cel.Overload("rooted_"+name+"_double_int", di, cel.DoubleType)))
	}
	for _, f := range []string{"min", "max"} {
		opts = append(opts, cel.Function(f,
			cel.Overload(f+"_int_int", ii, cel.IntType),
			cel.Overload(f+"_double_double", dd, cel.DoubleType),
			cel.Overload(f+"_int_double", id, cel.DoubleType),
			cel.Overload(f+"_double_int", di, cel.DoubleType)))
	}
	for _, f := range []string{"floor", "ceil", "abs"} {
		opts = append(opts, cel.Function(f,
			cel.Overload(f+"_double", []*cel.Type{cel.DoubleType}, cel.DoubleType),
			cel.Overload(f+"_int", []*cel.Type{cel.IntType}, cel.IntType)))
	}
	for _, in := range s.Inputs {
		opts = append(opts, cel.Variable(in.Name, celType(in.Type)))
	}
	opts = append(opts, cel.Variable("age", cel.IntType))
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	return &celEnv{env: env}, nil
}

func celType(t InputType) *cel.Type {
	switch t {
	case Number:
		return cel.DoubleType
	case Bool:
		return cel.BoolType
	case Level:
		return cel.StringType
	}
	return cel.IntType // int, and date as a day number (refused in expressions)
}

// unit is one top-level expression: a rule, a total, a gate or a tie-break.
type unit struct {
	name, part string
	out        int // register of its result
	raw        int // rules: register of the points before the cap
	cap        float64
	isRule     bool
	round      bool
	ops        []op
	deps       map[string]bool
}

// compileVersion compiles v's rules, totals, gates and tie-breaks into
// v.prog. Its errors are *SchemeError naming the part at fault.
func compileVersion(ce *celEnv, v *Version) error {
	vc := newVersionCompiler(v)
	env, err := ce.env.Extend(vc.declareUnits()...)
	if err != nil {
		return &SchemeError{Version: v.Name, Err: err}
	}
	var tempMax int
	for _, name := range vc.order {
		temps, err := vc.compileUnit(env, vc.units[name])
		if err != nil {
			return err
		}
		tempMax = max(tempMax, temps)
	}
	if err := vc.checkRulesCounted(); err != nil {
		return err
	}
	sorted, err := vc.dependencyOrder()
	if err != nil {
		return err
	}
	vc.link(sorted, tempMax)
	v.prog = *vc.p
	return nil
}

// versionCompiler holds one version's compilation while it runs.
type versionCompiler struct {
	v     *Version
	p     *program
	next  int // the next free register
	units map[string]*unit
	order []string // units' names: rules, totals, gates, tie-breaks
}

func newVersionCompiler(v *Version) *versionCompiler {
	s := v.scheme
	vc := &versionCompiler{
		v:     v,
		p:     &program{nInputs: len(s.Inputs), ageReg: -1, totalReg: map[string]int{}, pending: map[uint64]int{}},
		next:  len(s.Inputs),
		units: map[string]*unit{},
	}
	if s.birthSlot >= 0 {
		vc.p.ageReg = vc.alloc()
	}
	return vc
}

// alloc returns a new named register.
func (vc *versionCompiler) alloc() int {
	vc.next++
	return vc.next - 1
}

// declareUnits gives every rule, total, gate and tie-break its unit and
// registers, and returns their declarations as CEL variables, so that an
// expression may refer to any of them.
func (vc *versionCompiler) declareUnits() []cel.EnvOption {
	v, p := vc.v, vc.p
	var decls []cel.EnvOption
	add := func(u *unit, ty *cel.Type) {
		vc.units[u.name] = u
		vc.order = append(vc.order, u.name)
		decls = append(decls, cel.Variable(u.name, ty))
	}
	for _, r := range v.Rules {
		u := &unit{name: r.Code, part: r.Code, out: vc.alloc(), raw: vc.alloc(), cap: r.Cap, isRule: true}
		p.ruleReg = append(p.ruleReg, u.out)
		p.rawReg = append(p.rawReg, u.raw)
		add(u, cel.DoubleType)
	}
	for _, t := range totalNames {
		u := &unit{name: t, part: "totals." + t, out: vc.alloc(), round: t != "frozen"}
		p.totalReg[t] = u.out
		ty := cel.DoubleType
		if t == "frozen" {
			ty = cel.BoolType
		}
		add(u, ty)
	}
	for _, n := range v.Services {
		u := &unit{name: n.Name, part: "eligible." + n.Name, out: vc.alloc()}
		p.svcReg = append(p.svcReg, u.out)
		add(u, cel.BoolType)
	}
	for _, n := range v.TieBreaks {
		u := &unit{name: n.Name, part: "tiebreak." + n.Name, out: vc.alloc(), round: true}
		p.tieReg = append(p.tieReg, u.out)
		add(u, cel.DoubleType)
	}
	return decls
}

// source returns the expression of the unit named name and the type it
// must have: "number" or "bool".
func (vc *versionCompiler) source(name string) (src, want string) {
	v := vc.v
	if i := v.Rule(name); i >= 0 {
		return v.Rules[i].Formula, "number"
	}
	if src, ok := v.Totals[name]; ok {
		if name == "frozen" {
			return src, "bool"
		}
		return src, "number"
	}
	for _, n := range v.Services {
		if n.Name == name {
			return n.Formula, "bool"
		}
	}
	for _, n := range v.TieBreaks {
		if n.Name == name {
			return n.Formula, "number"
		}
	}
	return "", ""
}

// compileUnit type-checks u's expression, checks its type and cost, and
// lowers it to u.ops, ending with the cap (rules), rounding (numeric
// totals and tie-breaks) or copy into u's register. It returns the number
// of temporaries the expression needs.
func (vc *versionCompiler) compileUnit(env *cel.Env, u *unit) (int, error) {
	src, want := vc.source(u.name)
	fail := func(format string, args ...any) error {
		return &SchemeError{Version: vc.v.Name, Part: u.part, Err: fmt.Errorf(format, args...)}
	}
	if strings.TrimSpace(src) == "" {
		return 0, fail("empty expression")
	}
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return 0, fail("%s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	out := checked.OutputType()
	switch {
	case want == "bool" && !out.IsExactType(cel.BoolType):
		return 0, fail("%q has type %s, want bool", src, out)
	case want == "number" && !out.IsExactType(cel.DoubleType) && !out.IsExactType(cel.IntType):
		return 0, fail("%q has type %s, want a number (int or double)", src, out)
	}
	cost, err := env.EstimateCost(checked, nil)
	if err != nil {
		return 0, fail("cost: %v", err)
	}
	if cost.Max > MaxCost {
		return 0, fail("CEL cost estimate %d exceeds the limit %d", cost.Max, MaxCost)
	}
	c := &cc{p: vc.p, s: vc.v.scheme, v: vc.v, na: checked.NativeRep(), units: vc.units, deps: map[string]bool{}}
	res, err := c.expr(c.na.Expr())
	if err != nil {
		return 0, fail("%q: %v", src, err)
	}
	switch {
	case u.isRule:
		c.emit(op{code: opCap, o: u.out, a: c.reg(res), b: u.raw, k: u.cap})
	case u.round:
		c.emit(op{code: opRound, o: u.out, a: c.reg(res)})
	default:
		c.emit(op{code: opCopy, o: u.out, a: c.reg(res)})
	}
	u.ops, u.deps = c.ops, c.deps
	return c.temps, nil
}

// checkRulesCounted refuses a rule its layer's total does not refer to:
// a rule added to a scheme but forgotten in the sum would silently score
// nothing.
func (vc *versionCompiler) checkRulesCounted() error {
	v := vc.v
	layerTotal := map[Layer]string{Provincial: "provincial", City: "city", County: "county", Deduction: "deductions"}
	for _, r := range v.Rules {
		t := layerTotal[r.Layer]
		if !vc.units[t].deps[r.Code] {
			return &SchemeError{Version: v.Name, Part: r.Code, Err: fmt.Errorf("not counted in totals.%s (%s)", t, v.Totals[t])}
		}
	}
	return nil
}

// dependencyOrder returns the units, each after those it refers to,
// refusing cycles.
func (vc *versionCompiler) dependencyOrder() ([]*unit, error) {
	state := map[string]int{} // 1 visiting, 2 done
	var sorted []*unit
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case 1:
			return &SchemeError{Version: vc.v.Name, Part: vc.units[name].part, Err: fmt.Errorf("refers to itself: %s", strings.Join(append(path, name), " → "))}
		case 2:
			return nil
		}
		state[name] = 1
		u := vc.units[name]
		deps := make([]string, 0, len(u.deps))
		for d := range u.deps {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if err := visit(d, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		sorted = append(sorted, u)
		return nil
	}
	for _, name := range vc.order {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return sorted, nil
}

// link places the constants and then the temporaries after the named
// registers, and appends the units' operations to the program in order,
// with their placeholder registers replaced by the placed ones.
func (vc *versionCompiler) link(sorted []*unit, tempMax int) {
	p := vc.p
	placed := map[int]int{}
	for bits, ph := range p.pending {
		r := vc.alloc()
		placed[ph] = r
		p.consts = append(p.consts, constReg{reg: r, val: math.Float64frombits(bits)})
	}
	p.pending = nil
	tempBase := vc.next
	p.nregs = tempBase + tempMax
	fix := func(r int) int {
		switch {
		case r <= constBase: // constant
			return placed[r]
		case r < 0: // temporary
			return tempBase + (-r - 1)
		}
		return r
	}
	for _, u := range sorted {
		for _, o := range u.ops {
			o.o, o.a, o.b, o.c = fix(o.o), fix(o.a), fix(o.b), fix(o.c)
			p.ops = append(p.ops, o)
		}
	}
}

// Registers are numbered ≥ 0 for named values; while compiling,
// temporaries are -1, -2, … and constants are placeholders at or below
// constBase, placed once every expression is compiled.
const constBase = -(1 << 20)

type kind uint8

const (
	kNum kind = iota
	kBool
	kLevel
	kString
	kList
)

type operand struct {
	kind    kind
	reg     int
	isConst bool
	val     float64
	isInt   bool
	in      *Input // kLevel
	str     string // kString
	list    []operand
}

// cc compiles one expression.
type cc struct {
	p     *program
	s     *Scheme
	v     *Version
	na    *ast.AST
	units map[string]*unit
	deps  map[string]bool
	ops   []op
	temps int
}

func (c *cc) emit(o op) { c.ops = append(c.ops, o) }

func (c *cc) temp() int {
	c.temps++
	return -c.temps
}

// reg returns a register holding x, allocating a constant register for a
// constant.
func (c *cc) reg(x operand) int {
	if !x.isConst {
		return x.reg
	}
	bits := math.Float64bits(x.val)
	r, ok := c.p.pending[bits]
	if !ok {
		r = constBase - len(c.p.pending)
		c.p.pending[bits] = r
	}
	return r
}

func num(v float64, isInt bool) operand {
	return operand{kind: kNum, isConst: true, val: v, isInt: isInt}
}

// b2u is 1 for true, 0 for false; the compiler makes it a SETcc, not a branch.
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *cc) isIntType(e ast.Expr) bool {
	return c.na.GetType(e.ID()).Kind() == types.IntKind
}

func (c *cc) expr(e ast.Expr) (operand, error) {
	switch e.Kind() {
	case ast.LiteralKind:
		switch l := e.AsLiteral().(type) {
		case types.Int:
			return num(float64(l), true), nil
		case types.Uint:
			return num(float64(l), true), nil
		case types.Double:
			return num(float64(l), false), nil
		case types.Bool:
			return operand{kind: kBool, isConst: true, val: b2f(bool(l))}, nil
		case types.String:
			return operand{kind: kString, str: string(l)}, nil
		}
		return operand{}, fmt.Errorf("literal %v is not supported (numbers, booleans and level codes only)", e.AsLiteral())
	case ast.IdentKind:
		return c.ident(e.AsIdent())
	case ast.ListKind:
		var list []operand
		for _, x := range e.AsList().Elements() {
			o, err := c.expr(x)
			if err != nil {
				return operand{}, err
			}
			list = append(list, o)
		}
		return operand{kind: kList, list: list}, nil
	case ast.CallKind:
		return c.call(e)
	case ast.SelectKind:
		return operand{}, fmt.Errorf("field selection is not supported")
	case ast.ComprehensionKind:
		return operand{}, fmt.Errorf("comprehensions are not supported")
	}
	return operand{}, fmt.Errorf("this kind of expression (%v) is not supported", e.Kind())
}

func (c *cc) ident(name string) (operand, error) {
	if i, ok := c.s.byName[name]; ok {
		in := &c.s.Inputs[i]
		switch in.Type {
		case Level:
			return operand{kind: kLevel, reg: in.Slot, in: in}, nil
		case Bool:
			return operand{kind: kBool, reg: in.Slot}, nil
		case Date:
			return operand{}, fmt.Errorf("%s is a date: use `age`", name)
		}
		return operand{kind: kNum, reg: in.Slot, isInt: in.Type == Int}, nil
	}
	if name == "age" {
		if c.p.ageReg < 0 {
			return operand{}, fmt.Errorf("`age` needs a date input named birth_date")
		}
		return operand{kind: kNum, reg: c.p.ageReg, isInt: true}, nil
	}
	if u, ok := c.units[name]; ok {
		c.deps[name] = true
		k := kNum
		if name == "frozen" {
			k = kBool
		}
		for _, n := range c.v.Services {
			if n.Name == name {
				k = kBool
			}
		}
		return operand{kind: k, reg: u.out}, nil
	}
	return operand{}, fmt.Errorf("unknown name %s", name)
}

// fold evaluates an operation on constants at compile time, with the same
// code that runs it on registers.
func fold(code opcode, k float64, mask uint64, args ...float64) float64 {
	regs := [][]float64{{0}, {0}, {0}, {0}}
	for i, a := range args {
		regs[i+1][0] = a
	}
	run([]op{{code: code, o: 0, a: 1, b: 2, c: 3, k: k, mask: mask}}, regs, 1)
	return regs[0][0]
}

// apply emits code over args, folding constants. The result is a number, or
// a boolean when resKind says so.
func (c *cc) apply(code opcode, resKind kind, isInt bool, args ...operand) operand {
	allConst := true
	for _, a := range args {
		allConst = allConst && a.isConst
	}
	if allConst {
		vals := make([]float64, len(args))
		for i, a := range args {
			vals[i] = a.val
		}
		x := fold(code, 0, 0, vals...)
		return operand{kind: resKind, isConst: true, val: x, isInt: isInt}
	}
	o := op{code: code, o: c.temp()}
	if len(args) > 0 {
		o.a = c.reg(args[0])
	}
	if len(args) > 1 {
		o.b = c.reg(args[1])
	}
	if len(args) > 2 {
		o.c = c.reg(args[2])
	}
	c.emit(o)
	return operand{kind: resKind, reg: o.o, isInt: isInt}
}

var binary = map[string]opcode{
	operators.Add: opAdd, operators.Subtract: opSub, operators.Multiply: opMul,
	operators.Less: opLT, operators.LessEquals: opLE, operators.Greater: opGT, operators.GreaterEquals: opGE,
	operators.LogicalAnd: opAnd, operators.LogicalOr: opOr, "min": opMin, "max": opMax,
}

func (c *cc) call(e ast.Expr) (operand, error) {
	call := e.AsCall()
	fn := call.FunctionName()
	if call.IsMemberFunction() {
		return operand{}, fmt.Errorf("method %s is not supported", fn)
	}
	var args []operand
	for _, a := range call.Args() {
		x, err := c.expr(a)
		if err != nil {
			return operand{}, err
		}
		args = append(args, x)
	}
	isInt := c.isIntType(e)
	needNum := func() error {
		for _, a := range args {
			if a.kind != kNum {
				return fmt.Errorf("%s takes numbers", displayName(fn))
			}
		}
		return nil
	}
	needBool := func() error {
		for _, a := range args {
			if a.kind != kBool {
				return fmt.Errorf("%s takes booleans", displayName(fn))
			}
		}
		return nil
	}
	switch fn {
	case operators.Add, operators.Subtract, operators.Multiply, "min", "max":
		if err := needNum(); err != nil {
			return operand{}, err
		}
		return c.apply(binary[fn], kNum, isInt, args...), nil
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if err := needNum(); err != nil {
			return operand{}, fmt.Errorf("ordering compares numbers only (levels and booleans with == and in)")
		}
		return c.apply(binary[fn], kBool, false, args...), nil
	case operators.Divide, operators.Modulo:
		if err := needNum(); err != nil {
			return operand{}, err
		}
		code := opDiv
		if fn == operators.Modulo {
			code = opMod
		}
		if isInt {
			if code == opDiv {
				code = opIDiv
			}
			if !args[1].isConst || args[1].val == 0 {
				return operand{}, fmt.Errorf("integer %s needs a constant non-zero divisor (write 2.0 for a double division)", displayName(fn))
			}
		}
		return c.apply(code, kNum, isInt, args...), nil
	case operators.Negate:
		if err := needNum(); err != nil {
			return operand{}, err
		}
		return c.apply(opNeg, kNum, isInt, args...), nil
	case operators.LogicalNot:
		if err := needBool(); err != nil {
			return operand{}, err
		}
		return c.apply(opNot, kBool, false, args...), nil
	case operators.LogicalAnd, operators.LogicalOr:
		if err := needBool(); err != nil {
			return operand{}, err
		}
		return c.apply(binary[fn], kBool, false, args...), nil
	case operators.Conditional:
		if args[0].kind != kBool {
			return operand{}, fmt.Errorf("?: needs a boolean condition")
		}
		if args[1].kind != args[2].kind || (args[1].kind != kNum && args[1].kind != kBool) {
			return operand{}, fmt.Errorf("?: branches must both be numbers or both booleans")
		}
		if args[0].isConst {
			if args[0].val != 0 {
				return args[1], nil
			}
			return args[2], nil
		}
		return c.apply(opSel, args[1].kind, isInt, args...), nil
	case operators.Equals, operators.NotEquals:
		return c.equals(fn, args)
	case operators.In:
		return c.in(args)
	case "floor", "ceil", "abs":
		if err := needNum(); err != nil {
			return operand{}, err
		}
		if isInt && fn != "abs" {
			return args[0], nil
		}
		code := map[string]opcode{"floor": opFloor, "ceil": opCeil, "abs": opAbs}[fn]
		return c.apply(code, kNum, isInt, args...), nil
	case overloads.TypeConvertInt:
		if len(args) == 1 && args[0].kind == kNum {
			if args[0].isInt {
				return args[0], nil
			}
			return c.apply(opTrunc, kNum, true, args...), nil
		}
	case overloads.TypeConvertDouble:
		if len(args) == 1 && args[0].kind == kNum {
			x := args[0]
			x.isInt = false
			return x, nil
		}
	}
	return operand{}, fmt.Errorf("%s is not supported here: use arithmetic, comparisons, &&, ||, !, ?:, in [...], min, max, floor, ceil, abs, int(), double()", displayName(fn))
}

func displayName(fn string) string {
	if op, ok := operators.FindReverse(fn); ok && op != "" {
		return op
	}
	return fn
}

// levelConst returns the index of code among in's levels.
func levelConst(in *Input, code string) (operand, error) {
	i := in.level(code)
	if i < 0 {
		codes := make([]string, len(in.Levels))
		for j, l := range in.Levels {
			codes[j] = l.Code
		}
		return operand{}, fmt.Errorf("%s has no level %q (levels: %s)", in.Name, code, strings.Join(codes, ", "))
	}
	return num(float64(i), true), nil
}

func (c *cc) equals(fn string, args []operand) (operand, error) {
	code := opEQ
	if fn == operators.NotEquals {
		code = opNE
	}
	a, b := args[0], args[1]
	if b.kind == kLevel && a.kind == kString {
		a, b = b, a
	}
	switch {
	case a.kind == kLevel && b.kind == kString:
		k, err := levelConst(a.in, b.str)
		if err != nil {
			return operand{}, err
		}
		return c.apply(code, kBool, false, operand{kind: kNum, reg: a.reg}, k), nil
	case a.kind == kLevel && b.kind == kLevel:
		if !sameLevels(a.in, b.in) {
			return operand{}, fmt.Errorf("%s and %s have different levels", a.in.Name, b.in.Name)
		}
		return c.apply(code, kBool, false, operand{kind: kNum, reg: a.reg}, operand{kind: kNum, reg: b.reg}), nil
	case a.kind == kNum && b.kind == kNum, a.kind == kBool && b.kind == kBool:
		return c.apply(code, kBool, false, a, b), nil
	}
	return operand{}, fmt.Errorf("%s compares two numbers, two booleans, or a level with a level code", displayName(fn))
}

func sameLevels(a, b *Input) bool {
	if len(a.Levels) != len(b.Levels) {
		return false
	}
	for i := range a.Levels {
		if a.Levels[i].Code != b.Levels[i].Code {
			return false
		}
	}
	return true
}

func (c *cc) in(args []operand) (operand, error) {
	x, list := args[0], args[1]
	if list.kind != kList {
		return operand{}, fmt.Errorf("in needs a literal list: x in [a, b]")
	}
	switch x.kind {
	case kLevel:
		if len(x.in.Levels) > 64 {
			return operand{}, fmt.Errorf("in: %s has more than 64 levels", x.in.Name)
		}
		var mask uint64
		for _, l := range list.list {
			if l.kind != kString {
				return operand{}, fmt.Errorf("in: the list for %s must hold level codes", x.in.Name)
			}
			k, err := levelConst(x.in, l.str)
			if err != nil {
				return operand{}, err
			}
			mask |= 1 << uint(k.val)
		}
		o := op{code: opMask, o: c.temp(), a: x.reg, mask: mask}
		c.emit(o)
		return operand{kind: kBool, reg: o.o}, nil
	case kNum:
		res := operand{kind: kBool, isConst: true, val: 0}
		for _, l := range list.list {
			if l.kind != kNum || !l.isConst {
				return operand{}, fmt.Errorf("in: the list must hold number constants")
			}
			eq := c.apply(opEQ, kBool, false, x, l)
			res = c.apply(opOr, kBool, false, res, eq)
		}
		return res, nil
	}
	return operand{}, fmt.Errorf("in tests a level or a number against a literal list")
}

// run executes ops over the first n rows of regs.
func run(ops []op, regs [][]float64, n int) {
	for i := range ops {
		p := &ops[i]
		o := regs[p.o][:n]
		a := regs[p.a][:n]
		switch p.code {
		case opAdd:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = a[j] + b[j]
			}
		case opSub:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = a[j] - b[j]
			}
		case opMul:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = a[j] * b[j]
			}
		case opDiv:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = a[j] / b[j]
			}
		case opIDiv:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = math.Trunc(a[j] / b[j])
			}
		case opMod:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = math.Mod(a[j], b[j])
			}
		case opNeg:
			for j := range o {
				o[j] = -a[j]
			}
		case opLT:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] < b[j]))
			}
		case opLE:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] <= b[j]))
			}
		case opGT:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] > b[j]))
			}
		case opGE:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] >= b[j]))
			}
		case opEQ:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] == b[j]))
			}
		case opNE:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = float64(b2u(a[j] != b[j]))
			}
		case opNot:
			for j := range o {
				o[j] = 1 - a[j]
			}
		case opAnd:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = a[j] * b[j]
			}
		case opOr:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = max(a[j], b[j])
			}
		case opSel:
			b, c := regs[p.b][:n], regs[p.c][:n]
			// Branch-free: a condition on varied persons mispredicts half the time.
			for j := range o {
				m := -uint64(b2u(a[j] != 0))
				o[j] = math.Float64frombits(math.Float64bits(b[j])&m | math.Float64bits(c[j])&^m)
			}
		case opMin:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = min(a[j], b[j])
			}
		case opMax:
			b := regs[p.b][:n]
			for j := range o {
				o[j] = max(a[j], b[j])
			}
		case opFloor:
			for j := range o {
				o[j] = math.Floor(a[j])
			}
		case opCeil:
			for j := range o {
				o[j] = math.Ceil(a[j])
			}
		case opAbs:
			for j := range o {
				o[j] = math.Abs(a[j])
			}
		case opTrunc:
			for j := range o {
				o[j] = math.Trunc(a[j])
			}
		case opMask:
			m := p.mask
			for j := range o {
				o[j] = float64((m >> (uint64(a[j]) & 63)) & 1)
			}
		case opCopy:
			copy(o, a)
		case opCap:
			raw := regs[p.b][:n]
			k := p.k
			for j := range o {
				x := a[j]
				raw[j] = x
				o[j] = round2(min(max(x, 0), k))
			}
		case opRound:
			for j := range o {
				o[j] = round2(a[j])
			}
		}
	}
}

// round2 rounds x to two decimals, halves away from zero. The small nudge
// makes 9.325 (stored as 9.32499…) round to 9.33 as a person would.
func round2(x float64) float64 {
	if x >= 0 {
		return math.Floor(x*100+0.5+1e-7) / 100
	}
	return -math.Floor(-x*100+0.5+1e-7) / 100
}
