package ingest

import (
	"strings"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/msg"
)

// The quarantine reasons an import can give, as keys of the message
// catalogue (internal/msg), where each is a format in Chinese and English
// whose arguments are indexed (%[n]) so that the two sentences may order
// them differently.
const (
	mFieldCount      = "quarantine.field_count"
	mFieldExtra      = "quarantine.field_extra"
	mCSVQuote        = "quarantine.csv_quote"
	mCSVSyntax       = "quarantine.csv_syntax"
	mEmpty           = "quarantine.empty"
	mTooLong         = "quarantine.too_long"
	mBadChars        = "quarantine.bad_chars"
	mIDNumeric       = "quarantine.id_numeric"
	mIDLength        = "quarantine.id_length"
	mIDDigit         = "quarantine.id_digit"
	mIDLast          = "quarantine.id_last"
	mIDProvince      = "quarantine.id_province"
	mIDBirth         = "quarantine.id_birth"
	mIDBirthFuture   = "quarantine.id_birth_future"
	mIDCheck         = "quarantine.id_check"
	mIDOther         = "quarantine.id_other"
	mUnknownPerson   = "quarantine.unknown_person"
	mGuardianSelf    = "quarantine.guardian_self"
	mGuardianUnknown = "quarantine.guardian_unknown"
	mPhone           = "quarantine.phone"
	mEnum            = "quarantine.enum"
	mDate            = "quarantine.date"
	mMonth           = "quarantine.month"
	mExcel60         = "quarantine.excel60"
	mFuture          = "quarantine.future"
	mBefore          = "quarantine.before"
	mUSCCLength      = "quarantine.uscc_length"
	mUSCCChar        = "quarantine.uscc_char"
	mUSCCRegion      = "quarantine.uscc_region"
	mUSCCCheck       = "quarantine.uscc_check"
	mUSCCOther       = "quarantine.uscc_other"
	mTown            = "quarantine.town"
	mFactKind        = "quarantine.fact_kind"
	mFactNone        = "quarantine.fact_none"
	mFactLevel       = "quarantine.fact_level"
	mFactNeed        = "quarantine.fact_need"
	mFactNumber      = "quarantine.fact_number"
	mFactInt         = "quarantine.fact_int"
	mFactMin         = "quarantine.fact_min"
	mFactMax         = "quarantine.fact_max"
	mFactOther       = "quarantine.fact_other"
	mDuplicate       = "quarantine.duplicate"
	mSeats           = "quarantine.seats"
	mCode            = "quarantine.code"
	// mReasonSep joins the reasons of one row.
	mReasonSep = "quarantine.reason_sep"
)

// format renders the reason key in Chinese, or in English when en is set.
func format(en bool, key string, args ...any) string {
	if en {
		return msg.T(msg.EN, key, args...)
	}
	return msg.T(msg.ZH, key, args...)
}

// short cuts a cell value quoted in a reason to 40 characters, so that a
// pasted paragraph does not become the reason.
func short(s string) string {
	const limit = 40
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// joinShort joins cells for a reason, cut short.
func joinShort(cells []string) string {
	return short(strings.Join(cells, ","))
}
