package rounds

import (
	"fmt"
	"strings"
)

// Lang is a language of messages: "zh" (Simplified Chinese, the default)
// or "en".
type Lang string

// Languages.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Messages is the message table of refusal reasons and explanations: key →
// language → format (fmt verbs, arguments as documented per key). Every key
// has both languages (a test checks).
var Messages = map[string]map[Lang]string{
	// Refusal reasons; the argument is Application.Detail.
	"child_not_found":     {ZH: "子女不在登记系统中", EN: "the child is not in the registry"},
	"applicant_not_found": {ZH: "申请人不在登记系统中", EN: "the applicant is not in the registry"},
	"not_guardian":        {ZH: "申请人不是该子女登记的监护人", EN: "the applicant is not a registered guardian of the child"},
	"too_young":           {ZH: "子女8月31日年龄 %s 岁，未达入学年龄", EN: "the child is %s on 31 August, below the entry age"},
	"too_old":             {ZH: "子女8月31日年龄 %s 岁，超出入学年龄", EN: "the child is %s on 31 August, above the entry age"},
	"not_eligible":        {ZH: "截止日（%s）不符合“%s”资格条件", EN: "not eligible for %[2]s on the closing date (%[1]s)"},
	"unit_type_mismatch":  {ZH: "%s 人家庭不能申请该户型", EN: "a household of %s may not apply for this unit type"},
	"no_scheme_version":   {ZH: "截止日无适用的积分方案版本", EN: "no points scheme version in force on the closing date"},

	// Results. Arguments in brackets.
	"placed":        {ZH: "录取：%s（第 %d 志愿）", EN: "placed: %s (choice %d)"},                         // [place name, choice]
	"unplaced":      {ZH: "未录取：所填志愿均已录满", EN: "not placed: every place you ranked is full"},       // []
	"waiting":       {ZH: "候补：%s 第 %d 位，预计 %s", EN: "waiting list: %s, position %d, expected %s"}, // [unit type, position, wait]
	"wait_rounds":   {ZH: "约 %d 轮（约 %d 天）", EN: "about %d rounds (about %d days)"},                // [rounds, days]
	"wait_rounds_n": {ZH: "约 %d 轮", EN: "about %d rounds"},                                        // [rounds]
	"wait_unknown":  {ZH: "无法估计（以往无该户型分配）", EN: "unknown (no unit of this type allocated before)"},
	"refused":       {ZH: "不予受理：%s", EN: "refused: %s"},                              // [reason text]
	"pending":       {ZH: "已受理，待截止后审核", EN: "received; checked at closing"},          // []
	"own":           {ZH: "你的排位：%s", EN: "your priority: %s"},                        // [priority]
	"above":         {ZH: "第 %d 志愿 %s：录取线 %s；%s", EN: "choice %d %s: cutoff %s; %s"}, // [rank, place, cutoff, why]
	"priority":      {ZH: "%s，积分 %s%s，抽签号 %s", EN: "%s, points %s%s, ticket %s"},     // [district, points, tie-break, ticket]
	"in_district":   {ZH: "本学区", EN: "in district"},
	"out_district":  {ZH: "非本学区", EN: "out of district"},
	"no_district":   {ZH: "不分学区", EN: "no district"},
	"tiebreak":      {ZH: "，同分比较 %s", EN: ", tie-break %s"}, // [values]

	// Why a ranked place above the result was not given.
	"why_no_seats":     {ZH: "无学位", EN: "it had no seats"},
	"why_district":     {ZH: "录取线为本学区申请人，你非本学区", EN: "it filled with applicants of its district and you are not"},
	"why_points":       {ZH: "你的积分低于录取线", EN: "your points are below the cutoff"},
	"why_tiebreak":     {ZH: "积分相同，你的同分比较项（%s）低于录取线", EN: "same points; your tie-break (%s) is below the cutoff"}, // [name]
	"why_ticket":       {ZH: "积分与同分比较项均相同，你的抽签号在录取线之后", EN: "same points and tie-breaks; your ticket comes after the cutoff"},
	"why_not_compared": {ZH: "录取线高于你的排位", EN: "the cutoff is above your priority"},
}

// T returns the message key in lang (zh when lang is neither) with args.
// An unknown key returns the key itself, so a missing message shows, not
// panics.
func T(lang Lang, key string, args ...any) string {
	m, ok := Messages[key]
	if !ok {
		return key
	}
	f, ok := m[lang]
	if !ok {
		f = m[ZH]
	}
	if len(args) == 0 && !strings.Contains(f, "%") {
		return f
	}
	return fmt.Sprintf(f, args...)
}
