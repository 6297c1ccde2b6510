package main

import (
	"context"
	"fmt"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/policy"
)

// runPolicy is `rooted policy test FILE...` (run a scheme's test cases) and
// `rooted policy check [FILE]` (load a scheme and summarise it).
func runPolicy(ctx context.Context, e *env, args []string) error {
	usage := "usage: rooted policy test FILE... | rooted policy check [SCHEME]"
	if len(args) == 0 {
		return usageError{"policy: " + usage}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, usage)
		fmt.Fprintln(e.stdout, "  test FILE...    run test cases: a *.test.yaml, or a scheme with one beside it")
		fmt.Fprintln(e.stdout, "  check [SCHEME]  type-check a scheme (default: the shipped one) and print its versions and load time")
		return nil
	case "test":
		return policyTest(e, args[1:])
	case "check":
		return policyCheck(e, args[1:])
	}
	return usageError{fmt.Sprintf("policy: unknown subcommand %q; %s", args[0], usage)}
}

func policyTest(e *env, files []string) error {
	if len(files) == 0 {
		return usageError{"policy test: no FILE given"}
	}
	failed := 0
	for _, f := range files {
		rep, err := policy.RunCaseFile(f)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "policy test")
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
	if len(args) > 1 {
		return usageError{"policy check: at most one SCHEME"}
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	s, err := policy.Load(path)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "policy check")
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
