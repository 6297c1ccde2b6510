package ingest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// msgID names one quarantine reason. Every reason an import can give is in
// the messages table below, in Chinese and English, so that a deployment
// speaks one language and a translator has one place to look.
type msgID int

const (
	mFieldCount msgID = iota
	mFieldExtra
	mCSVQuote
	mCSVSyntax
	mEmpty
	mTooLong
	mBadChars
	mIDNumeric
	mIDLength
	mIDDigit
	mIDLast
	mIDProvince
	mIDBirth
	mIDBirthFuture
	mIDCheck
	mIDOther
	mUnknownPerson
	mGuardianSelf
	mGuardianUnknown
	mPhone
	mEnum
	mDate
	mMonth
	mExcel60
	mFuture
	mBefore
	mUSCCLength
	mUSCCChar
	mUSCCRegion
	mUSCCCheck
	mUSCCOther
	mTown
	mFactKind
	mFactNone
	mFactLevel
	mFactNeed
	mFactNumber
	mFactInt
	mFactMin
	mFactMax
	mFactOther
	mDuplicate
	mSeats
	mCode
	numMessages
)

// messages holds each reason as a format in both languages. Arguments are
// indexed (%[n]) so that the two sentences may order them differently.
var messages = [numMessages]struct{ zh, en string }{
	mFieldCount: {"该行有 %[1]d 个字段，表头有 %[2]d 个", "row has %[1]d fields, header has %[2]d"},
	mFieldExtra: {"该行有 %[1]d 个字段，表头只有 %[2]d 个；多出的内容：%[3]s", "row has %[1]d fields, header has only %[2]d; extra: %[3]s"},
	mCSVQuote:   {"CSV 格式错误：第 %[1]d 个字段的引号不成对", "CSV syntax error: stray quote in field %[1]d"},
	mCSVSyntax:  {"CSV 格式错误：%[1]s", "CSV syntax error: %[1]s"},
	mEmpty:      {"%[1]s为空", "%[1]s is empty"},
	mTooLong:    {"%[1]s超过 %[2]d 个字符（%[3]d 个）", "%[1]s has %[3]d characters, at most %[2]d"},
	mBadChars:   {"%[1]s含有无法识别的字符（文件编码有误？）", "%[1]s contains undecodable characters (wrong file encoding?)"},

	mIDNumeric:     {"%[1]s“%[2]s”被存成了数字，末几位已丢失：请把该列设为文本", "%[1]s %[2]q was stored as a number and lost digits: format the column as text"},
	mIDLength:      {"%[1]s应为 18 位，实际 %[2]d 位", "%[1]s has %[2]d characters, want 18"},
	mIDDigit:       {"%[1]s第 %[2]d 位不是数字", "%[1]s character %[2]d is not a digit"},
	mIDLast:        {"%[1]s末位应为数字或 X", "%[1]s check character must be a digit or X"},
	mIDProvince:    {"%[1]s前两位 %[2]s 不是省级行政区代码", "%[1]s region starts %[2]s, which is not a province code"},
	mIDBirth:       {"%[1]s中的出生日期 %[2]s 不存在", "%[1]s birth date %[2]s is not a real date"},
	mIDBirthFuture: {"%[1]s中的出生日期 %[2]s 晚于今天", "%[1]s birth date %[2]s is in the future"},
	mIDCheck:       {"%[1]s校验位错误：应为 %[3]c", "%[1]s check character is %[2]c, want %[3]c"},
	mIDOther:       {"%[1]s无效：%[2]s", "%[1]s is invalid: %[2]s"},

	mUnknownPerson:   {"%[1]s %[2]s 不在登记库中", "%[1]s %[2]s is neither in the registry nor accepted earlier in this import"},
	mGuardianSelf:    {"监护人身份证号与本人身份证号相同", "guardian_id_number is the person's own ID number"},
	mGuardianUnknown: {"监护人身份证号 %[1]s 不在登记库中，也不在本次导入中", "guardian_id_number %[1]s is neither in the registry nor in this import"},

	mPhone:   {"%[1]s“%[2]s”应为 1 开头、第二位为 3–9 的 11 位数字", "%[1]s %[2]q is not 11 digits starting 13–19"},
	mEnum:    {"%[1]s“%[2]s”不是可选值（%[3]s）", "%[1]s %[2]q is not one of %[3]s"},
	mDate:    {"%[1]s“%[2]s”不是有效日期（应如 2024-03-01、2024/3/1 或 2024年3月1日）", "%[1]s %[2]q is not a date (2024-03-01, 2024/3/1 or 2024年3月1日)"},
	mMonth:   {"%[1]s“%[2]s”不是有效月份（应如 2024-03、2024/3 或 2024年3月）", "%[1]s %[2]q is not a month (2024-03, 2024/3 or 2024年3月)"},
	mExcel60: {"%[1]s是 Excel 日期序号 60，即不存在的 1900-02-29", "%[1]s is Excel day 60, the non-existent 1900-02-29"},
	mFuture:  {"%[1]s %[2]s 晚于今天", "%[1]s %[2]s is in the future"},
	mBefore:  {"%[1]s %[2]s 早于%[3]s %[4]s", "%[1]s %[2]s is before %[3]s %[4]s"},

	mUSCCLength: {"%[1]s应为 18 位，实际 %[2]d 位", "%[1]s has %[2]d characters, want 18"},
	mUSCCChar:   {"%[1]s第 %[2]d 位“%[3]s”不是允许的字符（不含 I、O、Z、S、V）", "%[1]s character %[2]d (%[3]q) is not allowed (I, O, Z, S, V never appear)"},
	mUSCCRegion: {"%[1]s第 3–8 位（行政区划码）应为数字", "%[1]s characters 3–8 (region) must be digits"},
	mUSCCCheck:  {"%[1]s校验位错误：应为 %[3]c", "%[1]s check character is %[2]c, want %[3]c"},
	mUSCCOther:  {"%[1]s无效：%[2]s", "%[1]s is invalid: %[2]s"},

	mTown:       {"%[1]s“%[2]s”不是本地的镇或街道", "%[1]s %[2]q is not a town or street of this deployment"},
	mFactKind:   {"%[1]s“%[2]s”不是现行积分方案声明的事实类别", "%[1]s %[2]q is not a fact kind of the scheme in force"},
	mFactNone:   {"%[1]s不取数值，却填了“%[2]s”", "%[1]s takes no value, got %[2]q"},
	mFactLevel:  {"%[1]s的数值“%[2]s”不是可选值（%[3]s）", "%[1]s value %[2]q is not one of %[3]s"},
	mFactNeed:   {"%[1]s需要填写数值", "%[1]s needs a value"},
	mFactNumber: {"%[1]s的数值“%[2]s”不是数字", "%[1]s value %[2]q is not a number"},
	mFactInt:    {"%[1]s的数值“%[2]s”不是整数", "%[1]s value %[2]q is not a whole number"},
	mFactMin:    {"%[1]s的数值 %[2]s 小于下限 %[3]g", "%[1]s value %[2]s is below %[3]g"},
	mFactMax:    {"%[1]s的数值 %[2]s 大于上限 %[3]g", "%[1]s value %[2]s is above %[3]g"},
	mFactOther:  {"%[1]s的数值无效：%[2]s", "%[1]s value is invalid: %[2]s"},

	mDuplicate: {"与第 %[1]d 行重复", "same key as line %[1]d"},
	mSeats:     {"%[1]s“%[2]s”应为不小于 0 的整数", "%[1]s %[2]q is not a whole number ≥ 0"},
	mCode:      {"%[1]s“%[2]s”只能由字母、数字、- 和 _ 组成，最多 32 个字符", "%[1]s %[2]q may hold only letters, digits, - and _, at most 32 characters"},
}

// reasonSep joins the reasons of one row.
var reasonSep = [2]string{"；", "; "}

// format renders message id in Chinese, or in English when en is set.
func format(en bool, id msgID, args ...any) string {
	m := messages[id]
	if en {
		return fmt.Sprintf(m.en, args...)
	}
	return fmt.Sprintf(m.zh, args...)
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
