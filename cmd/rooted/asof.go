package main

import (
	"context"
	"fmt"
	"time"

	"github.com/newcitizens/rooted/internal/store"
)

// Time is not an input to a decision. A command that changes state (a
// round's steps, objections and answers, permits, imports) takes its date
// from the real clock; --as-of is for questions (facts, score, forecast,
// round show and results, a permits dry run). Only a database marked as a
// demo sandbox (rooted demo, rooted migrate --sandbox), whose pages say
// 演示数据, lets a step be taken as of another day, so that a demo or a
// test can walk a round through its weeks in a minute.

// asOfClock returns the clock a state-changing command takes its steps on:
// nil (the real clock) without --as-of; a clock on the --as-of day on a
// sandbox database; and a usage error (exit 2) saying why on any other
// database.
func asOfClock(ctx context.Context, st *store.DB, c config, what string) (func() time.Time, error) {
	if !c.AsOfSet {
		return nil, nil
	}
	sandbox, err := st.Sandbox(ctx)
	if err != nil {
		return nil, err
	}
	if !sandbox {
		return nil, errAsOfRefused(what)
	}
	return clockAt(c.AsOf), nil
}

// errAsOfRefused is the refusal of --as-of by a command that changes state.
func errAsOfRefused(what string) error {
	return usageError{fmt.Sprintf("%s changes what is recorded, and a decision is taken on the day it is taken: "+
		"--as-of is refused here (it is for questions: facts, score, forecast, round show/results, permits --dry-run); "+
		"only a demo sandbox database (rooted migrate --sandbox) may be run as of another day", what)}
}
