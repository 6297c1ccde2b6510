package apperr

import (
	"errors"
	"testing"

	"github.com/newcitizens/rooted/internal/msg"
)

func TestRender(t *testing.T) {
	cause := errors.New("disk full")
	for _, tt := range []struct {
		name         string
		err          *Error
		zh, en, text string // Render(zh), Render(en), Error()
		key          string // MessageKey
	}{
		{"keyed", E("round.get", NotFound, "error.round_not_found", "g1"),
			"轮次 g1 不存在", "round g1 not found", "round g1 not found", "error.round_not_found"},
		{"keyed with a cause", WrapE("store.user_add", Conflict, cause, "error.user_exists", "amy"),
			"用户 amy 已存在", "user amy already exists", "user amy already exists: disk full", "error.user_exists"},
		{"a message as an argument", E("round.check_seed", Invalid, "error.seed_weak", msg.M{Key: "error.seed_repeated", Args: []any{"ab"}}, 24),
			"种子强度不足：它是 \"ab\" 的重复。好的种子至少有 24 个随机选取的字符，例如默认种子（不填种子即可：来自安全随机源的 64 位十六进制数）；不要用单词、姓名、日期、重复字符或序列",
			"the seed is too weak: it is \"ab\" repeated. A good seed is at least 24 characters drawn at random, such as the default (leave the seed out: 64 hex digits from a secure random source); not a word, a name, a date, a repeated character or a sequence",
			"the seed is too weak: it is \"ab\" repeated. A good seed is at least 24 characters drawn at random, such as the default (leave the seed out: 64 hex digits from a secure random source); not a word, a name, a date, a repeated character or a sequence",
			"error.seed_weak"},
		{"a page's reason keeps its key as its text", E("web.auth", Forbidden, "err.out_of_scope"),
			"您的角色无权查看此页面。", "Your role may not see this page.", "err.out_of_scope", "err.out_of_scope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Render(msg.ZH); got != tt.zh {
				t.Errorf("Render(zh) = %q, want %q", got, tt.zh)
			}
			if got := tt.err.Render(msg.EN); got != tt.en {
				t.Errorf("Render(en) = %q, want %q", got, tt.en)
			}
			if got := tt.err.Error(); got != tt.text {
				t.Errorf("Error() = %q, want %q", got, tt.text)
			}
			if got := tt.err.MessageKey(); got != tt.key {
				t.Errorf("MessageKey() = %q, want %q", got, tt.key)
			}
		})
	}
}

// TestSameEnglish checks that an error given a key reads, in English and
// in Error(), as the sentence it was before errors had keys (a test pins
// it, and logs are searched for it).
func TestSameEnglish(t *testing.T) {
	got := E("round.finalize", Conflict, "error.finalize_unanswered", "g1", 2, 5)
	want := "round g1: 2 of 5 objections not answered yet; answer every objection before finalizing"
	if got.Error() != want || got.Text() != want {
		t.Errorf("E: %q / %q, want %q", got.Error(), got.Text(), want)
	}
}
