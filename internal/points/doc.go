// Package points turns the registry into points: it derives each person's
// input object of the points contract (shared/contracts/points.md) from
// their registry history (Derive), and owns scoring: Scoring is the one way
// from histories to points — one person scored or explained with what would
// raise their points (Day.Person, Day.Explain, Raise, Actions), the registry
// or a set scored in batches (Day.All), two versions compared in a reform
// simulation (Compare). It is domain code: no SQL, no HTTP.
//
// # Derivation
//
// Which inputs are derived, from what, and in which order a facts line
// writes them is data: the `derive:` section of the scheme file (see
// policies/zhejiang-county-default.yaml), checked when the scheme loads
// (internal/policy, derive.go). This package says what each operation and
// each named special means, and interprets the section for each person.
//
// "Up to A" means records dated (or starting) on or before the as-of date
// A; a record that ends after A is cut at A. Months of day spans are whole
// calendar months (1 Jan–31 Mar is 3; 15 Jan–14 Mar is 1). Month inputs are
// capped at the contract's 1200. id, id_number and birth_date come from the
// person and are written first; fact kinds no entry reads are ignored.
//
// Operations over the dated facts of the entry's kind (`from:`), up to A:
//
//	sum: value        sum of the values (an int kind's values as whole numbers)
//	count: true       number of facts
//	best: lowest      the lowest positive value (skill levels: 1 is best); 0 none
//	best: highest     the highest value; 0 none
//	best: [A, B, C]   the highest-ranked level code of the facts (C over B over A);
//	                  none when no fact has a ranked code
//	latest: value     the value of the latest fact (on the same date, the later record)
//	latest_is: CODE   true when the latest fact's value is CODE (listed, not removed since)
//	present: true     true when there is a fact
//
// and what narrows or bounds them:
//
//	within: Ny | Nm   only facts dated after A minus N years (months) and on or before A
//	during: employment only facts dated on or after the start of the unbroken employment
//	                  covering A (see employment_months); none without a current job
//	cap: N            a sum or count never exceeds N
//
// Specials (`special: NAME`), written here because they read residences,
// jobs, insurance, permits, children or the person rather than dated facts:
//
//	education                the person's education; empty → none
//	residence_months         union of the person's residences up to A (overlaps counted once,
//	                         gaps not bridged), whole months per unbroken span, summed
//	housing                  kind of the current residence (covering A; latest since wins):
//	                         rented, dormitory, owned as is; relative, other → none
//	owns_home_in_city        some current residence is of kind owned
//	employment_months        the unbroken span of registered jobs covering A (jobs that overlap
//	                         or follow on the next day chain, across employers), in whole months
//	                         from its start to A; 0 without a current job
//	same_employer_months     the same, with only the jobs of the current employer (the longest
//	                         when several jobs cover A)
//	insurance_months         union of pension periods (month ranges; an open period runs to A's
//	                         month), counted once per month up to A's month
//	local_pension_months_12  months of pension in the 12 calendar months before A's month
//	insured_last_month       an insurance period of any kind covers the month before A's month
//	local_permit_months      months from the issue date to A of an active permit of this
//	                         county (number starts with Options.Region) with issued ≤ A ≤
//	                         valid_to; lapsed or expired permits count 0
//	permit_valid             such a permit exists
//	children_registered      the person is guardian of at least one registered child (a person
//	                         of the registry linked by a guardian record) under 16 at A. The
//	                         registry cannot know children who are not registered, so "all
//	                         children registered" is read as "has a registered child under 16"
//
// The shipped schemes derive, for example, income_tax_3y as the sum of
// income_tax facts within 3y, awards_county as the count of award_county
// within 5y, title as the best of [junior, intermediate, senior], and
// shortage_job as a shortage_job fact present during employment.
//
// The registry knows this city only: months of residence or insurance in
// other cities of the province are not counted until they are imported, and
// public_rental housing is never derived (no residence kind says it).
package points
