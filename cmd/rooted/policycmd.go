package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// runPolicy is `rooted policy test FILE...` (run a scheme's test cases),
// `rooted policy check [FILE]` (load a scheme and summarise it), `rooted
// policy explain` (one person's points and what would raise them) and
// `rooted policy diff` (a reform simulation over the registry).
func runPolicy(ctx context.Context, e *env, args []string) error {
	usage := "usage: rooted policy test FILE... | rooted policy check [SCHEME] | rooted policy explain --person ID | rooted policy diff --from SCHEME --to SCHEME"
	if len(args) == 0 {
		return usageError{"policy: " + usage}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, usage)
		fmt.Fprintln(e.stdout, "  test FILE...    run test cases: a *.test.yaml, or a scheme with one beside it")
		fmt.Fprintln(e.stdout, "  check [SCHEME]  type-check a scheme (default: the shipped one) and print its versions and load time")
		fmt.Fprintln(e.stdout, "  explain         one person's points, rule by rule, and what would raise them (rooted policy explain -h)")
		fmt.Fprintln(e.stdout, "  diff            score the registry under two schemes and compare (rooted policy diff -h)")
		return nil
	case "test":
		return policyTest(e, args[1:])
	case "check":
		return policyCheck(e, args[1:])
	case "explain":
		return policyExplain(ctx, e, args[1:])
	case "diff":
		return policyDiff(ctx, e, args[1:])
	}
	return usageError{fmt.Sprintf("policy: unknown subcommand %q; %s", args[0], usage)}
}

func policyTest(e *env, args []string) error {
	_, files, err := e.flags("policy test", "FILE... (a *.test.yaml, or a scheme with one beside it)", args, nil, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(files) == 0 {
		return usageError{"policy test: no FILE given"}
	}
	failed := 0
	for _, f := range files {
		rep, err := policy.RunCaseFile(f)
		if err != nil {
			return apperr.WrapE("cli.policy_test", apperr.Invalid, err, "error.policy_test")
		}
		for _, c := range rep.Cases {
			if c.OK() {
				fmt.Fprintf(e.stdout, "ok    %s\n", c.Name)
				continue
			}
			fmt.Fprintf(e.stdout, "FAIL  %s\n", c.Name)
			for _, d := range c.Diffs {
				fmt.Fprintf(e.stdout, "        %s\n", d)
			}
		}
		fmt.Fprintf(e.stdout, "%s (scheme %s): %d passed, %d failed\n", rep.File, rep.Scheme, rep.Passed(), len(rep.Cases)-rep.Passed())
		failed += len(rep.Cases) - rep.Passed()
	}
	if failed > 0 {
		return errPartial
	}
	return nil
}

func policyCheck(e *env, args []string) error {
	_, args, err := e.flags("policy check", "[SCHEME] (default: the shipped scheme)", args, nil, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(args) > 1 {
		return usageError{"policy check: at most one SCHEME"}
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	s, err := policy.Load(path)
	if err != nil {
		return apperr.WrapE("cli.policy_check", apperr.Invalid, err, "error.policy_check")
	}
	type version struct {
		Version  string   `json:"version"`
		From     string   `json:"from"`
		Until    string   `json:"until,omitempty"`
		Rules    []string `json:"rules"`
		Eligible []string `json:"eligible"`
	}
	out := struct {
		Scheme     string    `json:"scheme"`
		File       string    `json:"file"`
		Inputs     int       `json:"inputs"`
		Versions   []version `json:"versions"`
		LoadTimeMS float64   `json:"load_time_ms"`
	}{Scheme: s.Name, File: s.File, Inputs: len(s.Inputs), LoadTimeMS: float64(s.LoadTime.Microseconds()) / 1000}
	for _, v := range s.Versions {
		vv := version{Version: v.Name, From: v.From.String(), Until: v.Until.String()}
		for _, r := range v.Rules {
			vv.Rules = append(vv.Rules, r.Code)
		}
		for _, n := range v.Services {
			vv.Eligible = append(vv.Eligible, n.Name)
		}
		out.Versions = append(out.Versions, vv)
	}
	return writeJSON(e.stdout, out)
}

// policyExplain is `rooted policy explain --person ID`: the person's points
// under the scheme in force, each rule with its explanation, eligibility,
// and the actions (points.Actions) that would raise them. The ID number is
// masked in the output.
func policyExplain(ctx context.Context, e *env, args []string) error {
	var (
		person, schemeFile string
		asJSON             bool
	)
	c, rest, err := e.flags("policy explain", "--person ID [--db DSN] [--as-of YYYY-MM-DD] [--lang zh|en] [--scheme FILE] [--json]", args,
		[]string{"db", "as-of", "lang"}, func(fs *flag.FlagSet) {
			fs.StringVar(&person, "person", "", "the person's resident ID number")
			fs.StringVar(&schemeFile, "scheme", "", "points scheme file (default: the shipped one)")
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of text")
		})
	if err != nil {
		return helpOK(err)
	}
	if person == "" || len(rest) > 0 {
		return usageError{"policy explain: --person ID is required, and nothing else"}
	}
	day, err := scoringDay("policy explain", schemeFile, c.AsOf)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := st.History(ctx, strings.ToUpper(strings.TrimSpace(person)))
	if err != nil {
		return err
	}
	ex, err := day.Explain(&h, msg.Lang(c.Lang), points.Actions)
	if err != nil {
		return apperr.WrapE("cli.policy_explain", apperr.Invalid, err, "error.policy_explain")
	}
	if asJSON {
		return writeJSON(e.stdout, ex)
	}
	return writeExplanation(e.stdout, ex, c.Lang)
}

// writeExplanation renders ex as text in lang, in the catalogue's words.
func writeExplanation(w io.Writer, ex points.Explanation, lang string) error {
	l := msg.Parse(lang)
	t := func(key string, args ...any) string { return msg.T(l, key, args...) }
	yes := func(b bool) string {
		if b {
			return t("policy.yes")
		}
		return t("policy.no")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s — %s %s, %s %s\n", t("cli.explain_points_of"), ex.Person, ex.Scheme, ex.Version, t("cli.explain_as_of"), ex.AsOf)
	fmt.Fprintf(&b, "%s %s   %s %s   %s %s\n\n", t("cli.explain_total"), num(ex.Total), t("cli.explain_school_points"), num(ex.SchoolPoints), t("cli.explain_frozen"), yes(ex.Frozen))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, it := range ex.Items {
		sign := ""
		if it.Layer == string(policy.Deduction) && it.Points > 0 {
			sign = "−"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\t%s\n", it.Code, it.Label, sign, num(it.Points), it.Explain)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%s\n", t("cli.explain_eligibility"))
	for _, s := range ex.Eligible {
		fmt.Fprintf(&b, "  %s: %s\n", s.Label, yes(s.Eligible))
	}
	fmt.Fprintf(&b, "\n%s\n", t("cli.explain_raise"))
	if len(ex.Raise) == 0 {
		fmt.Fprintf(&b, "  %s\n", t("cli.explain_raise_none"))
	}
	for _, g := range ex.Raise {
		fmt.Fprintf(&b, "  +%s  %s → %s %s", num(g.Points), g.Label, t("cli.explain_total"), num(g.Total))
		if len(g.UnlockLabels) > 0 {
			b.WriteString(t("cli.explain_unlocks", strings.Join(g.UnlockLabels, t("cli.explain_list_sep"))))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// policyDiff is `rooted policy diff --from A --to B`: every person of the
// registry scored under both schemes as of a date, compared: histogram of
// totals, gainers and losers, eligibility counts, broken down by town,
// province of origin, sex and age band. Nothing personal is printed.
func policyDiff(ctx context.Context, e *env, args []string) error {
	var (
		from, to string
		asJSON   bool
	)
	c, rest, err := e.flags("policy diff", "--from SCHEME --to SCHEME [--db DSN] [--as-of YYYY-MM-DD] [--json]", args,
		[]string{"db", "as-of"}, func(fs *flag.FlagSet) {
			fs.StringVar(&from, "from", "", "the scheme in force (file)")
			fs.StringVar(&to, "to", "", "the reformed scheme (file)")
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
		})
	if err != nil {
		return helpOK(err)
	}
	if from == "" || to == "" || len(rest) > 0 {
		return usageError{"policy diff: --from SCHEME and --to SCHEME are required"}
	}
	dayFrom, err := scoringDay("policy diff: --from", from, c.AsOf)
	if err != nil {
		return err
	}
	dayTo, err := scoringDay("policy diff: --to", to, c.AsOf)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	towns, err := st.Towns(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(towns))
	for _, t := range towns {
		names[t.Code] = t.Name
	}
	failed := 0
	p := e.progress()
	rep, err := points.Compare(ctx, st, dayFrom, dayTo, names, points.PassOptions{
		Refused: func(h *registry.PersonHistory, err error) error {
			failed++
			fmt.Fprintf(e.stderr, "rooted: policy diff: %s: %v\n", ident.MaskID(h.Person.IDNumber), err)
			return nil
		},
		Progress: func(read int) { p.show("policy diff: %d persons", read-failed) },
	})
	p.done()
	if err != nil {
		return fmt.Errorf("policy diff: %w", err)
	}
	if asJSON {
		err = writeJSON(e.stdout, rep)
	} else {
		err = writeDiff(e.stdout, rep)
	}
	if err == nil && failed > 0 {
		err = errPartial
	}
	return err
}

// writeDiff renders a reform simulation as tables, Chinese labels with
// English.
func writeDiff(w io.Writer, r points.DiffReport) error {
	var b strings.Builder
	signed := func(x float64) string {
		if x > 0 {
			return "+" + num(x)
		}
		return num(x)
	}
	// Each heading is the catalogue's word in Chinese, then in English.
	both := func(key string) string { return msg.T(msg.ZH, key) + " " + msg.T(msg.EN, key) }
	fmt.Fprintf(&b, "%s: %s %s → %s %s, %s %s\n", both("cli.diff_title"), r.From.Scheme, r.From.Version, r.To.Scheme, r.To.Version, both("cli.diff_as_of"), r.AsOf)
	fmt.Fprintf(&b, "%s %d   %s %s → %s (%s)   %s %d   %s %d   %s %d\n\n",
		both("cli.diff_persons"), r.Persons, both("cli.diff_mean"), num(r.MeanFrom), num(r.MeanTo), signed(r.MeanChange),
		both("cli.diff_gainers"), r.Gainers, both("cli.diff_losers"), r.Losers, both("cli.diff_unchanged"), r.Unchanged)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(&b, both("cli.diff_histogram"))
	fmt.Fprintln(tw, both("cli.diff_range")+"\t"+both("cli.diff_from")+"\t"+both("cli.diff_to")+"\t")
	for _, bin := range r.Histogram {
		fmt.Fprintf(tw, "%d–%d\t%d\t%d\t\n", bin.From, bin.To-1, bin.A, bin.B)
	}
	tw.Flush()

	fmt.Fprintln(&b, "\n"+both("cli.diff_eligible"))
	fmt.Fprintln(tw, both("cli.diff_service")+"\t"+both("cli.diff_from")+"\t"+both("cli.diff_to")+"\t"+both("cli.diff_change")+"\t")
	for _, s := range r.Eligible {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", s.Label, s.A, s.B, signed(float64(s.Change)))
	}
	tw.Flush()

	for _, bd := range r.Breakdowns {
		fmt.Fprintf(&b, "\n按%s by %s\n", strings.SplitN(bd.Label, " ", 2)[0], bd.Dimension)
		head := ""
		for _, k := range []string{"cli.diff_group", "cli.diff_persons", "cli.diff_mean_from", "cli.diff_mean_to", "cli.diff_change", "cli.diff_gainers", "cli.diff_losers"} {
			head += both(k) + "\t"
		}
		for _, s := range r.Eligible {
			head += s.Service + "\t"
		}
		fmt.Fprintln(tw, head)
		for _, row := range bd.Rows {
			line := fmt.Sprintf("%s\t%d\t%s\t%s\t%s\t%d\t%d\t", row.Label, row.Persons, num(row.MeanFrom), num(row.MeanTo), signed(row.MeanChange), row.Gainers, row.Losers)
			for _, s := range row.Eligible {
				line += fmt.Sprintf("%d→%d\t", s.A, s.B)
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}
