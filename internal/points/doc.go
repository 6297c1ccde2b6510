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
// This table is the one definition of how the registry becomes inputs.
// "Up to A" means records dated (or starting) on or before the as-of date
// A; a record that ends after A is cut at A. "In N years" means dated after
// A minus N years and on or before A. Months of day spans are whole
// calendar months (1 Jan–31 Mar is 3; 15 Jan–14 Mar is 1). Month inputs are
// capped at the contract's 1200.
//
//	input                    derived from
//	-----------------------  -----------------------------------------------------------------
//	id, id_number            the person's ID number
//	birth_date               the person (from the ID number)
//	education                the person; empty → none
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
//	shortage_job             a shortage_job fact dated within the current employment span
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
//	skill_level              skill_level facts up to A: the best (lowest number) held; 0 none
//	title                    title facts up to A: the highest (senior > intermediate > junior)
//	income_tax_3y            sum of income_tax facts in 3 years
//	business_tax_3y          sum of business_tax facts in 3 years
//	employees_hired          the latest employees_hired fact up to A
//	invention_patents        sum of invention_patent values in 5 years
//	utility_patents          sum of utility_patent values in 5 years
//	awards_county …province  count of award_county, award_prefecture, award_province in 5 years
//	volunteer_hours_5y       sum of volunteer_hours in 5 years
//	blood_donations_5y       count of blood_donation in 5 years
//	donation_yuan            sum of donation facts up to A (the contract names no window)
//	marrow                   the best marrow fact up to A: donated > registered > none
//	community_role           a community_role fact up to A
//	special_post_years       the largest special_post value up to A
//	heroism                  a heroism fact up to A
//	talent_category          a talent_category fact up to A
//	income_below_limit       an income_below_limit fact in 1 year (assessments are yearly)
//	false_materials_3y       count of false_materials in 3 years
//	detentions_3y            count of detention in 3 years
//	criminal_5y              count of criminal in 5 years
//	tax_violations           count of tax_violation up to A (the contract names no window)
//	serious_crime            a serious_crime fact up to A
//	dishonest_listed         the latest dishonest fact up to A is "listed" (not removed since)
//	(other fact kinds)       ignored
//
// The registry knows this city only: months of residence or insurance in
// other cities of the province are not counted until they are imported, and
// public_rental housing is never derived (no residence kind says it).
package points
