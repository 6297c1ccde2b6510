// Package forecast is the early-warning mechanism for education resources
// (教育资源预警): it projects, per town (school district), the demand of
// migrant families for kindergarten places and for grade-1 and grade-7 seats
// over the next school years, compares it with the seats the town's schools
// have, and warns before they run out. A smaller part projects the public
// rental housing waiting list against the units expected to free up.
//
// The package does no I/O: it reads the registry through Source (implemented
// by internal/store) and returns plain values that the CLI prints and the web
// layer serves (Run is the one call both need).
//
// # Method: what is estimated from what
//
// Everything is reckoned in school years. School year S starts on 1 September
// of calendar year S; a child's school age in S is the age reached by 31
// August of S, so grade 1 is school age 6 and grade 7 school age 12
// (calibration.md). The levels are:
//
//	kindergarten  school ages 3, 4, 5 (three years), capacity = entry seats × 3
//	primary       school age 6 (grade 1), capacity = entry seats
//	junior        school age 12 (grade 7), capacity = entry seats
//
// where entry seats is the sum of School.EntrySeats of the town's schools of
// the level. (A kindergarten's entry seats are its first-year seats; the
// three-year demand is compared with three years' worth of them.)
//
// Who counts. A child is any registered person whose school age fits,
// whether or not a guardian is linked: "everyone who should enrol, does"
// (应入尽入) is the goal, and a child whose guardian link is missing still
// needs a seat. The guardian link matters only for the eligible share below.
// A child counts in a town on a census day when one of their residences
// covers that day (since ≤ day ≤ until, or until open); with several, the
// latest since wins.
//
// Census days. With as-of day A in school year Y, the census days are A and
// its anniversaries A−1y … A−Ky (K = Config.HistoryYears, default 5), the
// projected days are A+1y … A+Hy (H = Config.Years, 1–6), and the day A+hy
// stands for school year Y+h. Counting on the anniversaries of A keeps every
// step exactly one year long whatever A is; for the backtest (A = 1
// September) the census day is the first day of the school year.
//
// Rates (a cohort-component / Hamilton–Perry model). For each of the K
// yearly steps before A and each town t, from the registry's dated history:
//
//	stock[t][a]   children in t at the earlier census with school age a
//	stay[t][a]    of those, still in t a year later         → retention
//	arrive[t][a]  children in t a year later, aged a+1, who were not in t at
//	              the earlier census (arrivals, moves in)   → inflow ratio
//	newborns      children of school age 0 in t at the later census, and
//	older         those of school ages 1–12 there           → newborn ratio
//
// A child who moves from town A to town B counts as not retained in A and as
// an arrival in B. The rates pool the K steps (sums of counts, so a busy
// year weighs more than a quiet one). Towns are small, so the age pattern is
// the city's and the level is the town's: retention[t][a] =
// retention[t] × (cityRetention[a] ÷ cityRetention), likewise inflow, with
// retention capped at 1; a town with no children in the window takes the
// city's rates.
//
// Projection. From the children registered in t at A by school age a
// (0–12), each year: N[a+1] = N[a] × (retention[t][a] + inflow[t][a]), and
// the newest cohort N[0] = newbornRatio[t] × (N[1] + … + N[12]): newborns
// in proportion to the families already there (the registry's stand-in for
// the child–woman ratio of the Hamilton–Perry method, as mothers are not
// linked to towns in this read). Demand of a level in year Y+h is the sum
// of N over its ages. Unborn cohorts enter through the newborn ratio, so
// kindergarten demand five and six years ahead rests on it.
//
// Uncertainty. The band (default 80 %: Config.BandLow and BandHigh, the
// 10th and 90th percentiles) is calibrated on the model's own past errors,
// in the manner of split-conformal prediction, using only what the registry
// showed by A:
//
//  1. Past forecasts. For each of the past anniversaries A−1y … A−Cy
//     (C = Config.CalibrationYears, default 6), forecast as the model would
//     have on that day: rates from the K steps before it, point forecast
//     only. Such a day counts only when the registry held children on every
//     census day of its window, so that it was made from as many years as
//     today's forecast: the first years of a registry, filling up, give
//     forecasts of a kind today's is not.
//  2. Errors. Every projected year that has come by A gives, for each town
//     and level, the ratio actual ÷ forecast (forecasts of no children are
//     left out). Towns are pooled: per level and horizon h there is one
//     ratio per town and past day that reaches h.
//  3. Quantiles. With at least 30 ratios for a level and horizon, its
//     band is demand × (P10 ÷ P50) … demand × (P90 ÷ P50) of them (P10
//     and P90 being the BandLow and BandHigh percentiles, interpolated;
//     split-conformal's finite-sample rank, the ⌈(n+1)·0.9⌉-th of n, would
//     widen a band that errs wide on the demo cities already). With fewer, the three levels' ratios at h are pooled. With fewer
//     than 30 pooled, h is beyond the history and takes the longest
//     calibrated horizon L's ratios to the power h ÷ L (a rate that is off
//     by a factor puts the count off by that factor to the power of the
//     years it is applied: the log ratios grow in proportion to the
//     horizon).
//
// The ratios are taken about their median (P50), so the band says how far
// the actual has strayed from the forecast, not which way past forecasts
// leaned. The lean (BandCalibration.Median, reported in
// Forecast.Calibration) is not applied to the point forecast or the band:
// the horizons long enough to need it are calibrated only from the oldest
// past forecasts, whose lean is not today's. (When the demo registry grew
// from nothing, old forecasts ran far higher than today's, and moving the
// point to the median made the 1M-person city's backtest worse: MAPE
// 10.3 % → 14.2 %. The lean was the generator's, not the method's: with a
// steady history the backtest's median actual ÷ forecast is 1.01–1.05 at
// every horizon, BENCHMARKS.md.) The calibration assumes the coming
// years' errors are like the past ones'; the backtest checks it (coverage),
// and a change of trend or policy the past did not show is not in the band.
//
// When no horizon can be calibrated (C = 0, or a registry younger than
// K+1 years), the band is a bootstrap over years instead:
// Config.Resamples (default 500) times, draw K of the K yearly steps with
// replacement (the same years for every town, which keeps the city-wide
// swings together), re-estimate the rates and project again; low and high
// are the BandLow and BandHigh percentiles of the resampled demands, with a
// fixed seed (Config.Seed). That band shows only how much the result
// depends on which years the rates came from, and in the backtests covered
// 36–50 % for a nominal 80 %: a lower bound of the uncertainty.
// Method.Band says which band a forecast has.
//
// Eligible share. The school_seat gate of the points scheme is not stored
// yet, so the share of children whose family could apply for a public seat
// is estimated at A, per town, as the share of registered children of
// school age 0–12 with a guardian who (1) holds a residence permit active on
// A and (2) has paid local pension insurance in each of the 12 calendar
// months before A's month. A town with fewer than MinShareChildren (30)
// such children takes the city's share. A caller may instead give the share
// (Config.EligibleShare, 0–1), used for every town. Eligible demand is
// demand × share; it is reported beside the demand.
//
// Warnings. ratio = demand ÷ capacity (Config.Basis "eligible" uses the
// eligible demand instead); the level is red at ratio ≥ Config.Red (default
// 1.00), yellow at ≥ Config.Yellow (0.90), else green; a level with no seats
// and some demand is red. WarningHigh applies the same thresholds to the
// band's high end: the early warning. FirstRed is the first school year in
// which the point demand is red. The warnings rest on the point forecast,
// not on the band's high end (which by construction is above the actual in
// about one case in ten, so it would warn of shortages that do not come):
// Forecast.Warnings lists each red town level with its first red year and
// the reason in words (Chinese and English), and Forecast.RestsOn says so,
// with the range of the point forecast's backtested lean (the calibration's
// medians), so that a reader can see whether the point can be trusted.
//
// Backtest. For each year F from the given year to the last year with a
// later census in the data, the model is fitted as of 1 September F using
// only the spells that had begun by then (a spell that ended later is taken
// as open on that day), and each forecast year F+h is compared with the
// children actually registered on 1 September F+h. Errors per town and
// level: MAPE = mean |forecast − actual| ÷ actual over (F, h) pairs with
// actual > 0; bias = mean (forecast − actual) ÷ actual (positive: too high);
// coverage = the share of actuals inside the band; width = Σ(high − low)
// ÷ Σactual; median ratio = the median of actual ÷ forecast over the pairs
// with a forecast above 0 (1: unbiased; the mean bias is pulled by small
// towns' large relative errors). Each fit's band is calibrated, as above, from the as-of days
// before F only. The registry has no recording dates, so a residence
// recorded late but dated early is seen "in time" by the backtest: the
// errors are a lower bound.
//
// Housing (public rental, 公共租赁住房; opt-in: Config.Housing.Enabled).
// The points engine's eligibility is not stored yet, so eligibility is a
// proxy: a household is the persons with a rented residence covering the
// as-of day at the same address and town; it is eligible when at least one
// member holds a permit valid that day and every member has lived there for
// at least MinRentingDays (default 365); its size is its number of members.
// Owners are out by construction. Units free up at Turnover (a share of
// each unit class's stock per year, default 8 %, an assumption: a tenancy of
// about 12 years). The expected wait of a household joining now is the
// eligible households of its size class (first come, first served) divided
// by the units of the class freed per year; the list is projected with its
// observed yearly change (eligible now minus a year earlier) less the units
// freed.
//
// It owns the method above and nothing of how it is shown: it must not
// read the clock (the as-of day is an argument), speak SQL or HTTP.
package forecast
