package rounds

import "github.com/newcitizens/rooted/internal/msg"

// reasonFamily is the catalogue family of the refusal reasons and result
// explanations: an Application.Reason (a stored code such as
// "child_not_found") is the key's data part.
const reasonFamily = "result."

// T returns the message of a refusal reason or explanation key (the part
// after "result." in the catalogue, as stored in Application.Reason) in
// lang (zh when lang is neither) with args. An unknown key returns the key
// itself, so a missing message shows, not panics.
func T(lang msg.Lang, key string, args ...any) string {
	full := msg.Key(reasonFamily, key)
	if !msg.Has(full) {
		return key
	}
	return msg.T(lang, full, args...)
}
