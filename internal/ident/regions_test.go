package ident

import (
	"slices"
	"strings"
	"testing"
)

func TestProvinceName(t *testing.T) {
	for _, tt := range []struct {
		code, wantZH, wantEN string
		wantOK               bool
	}{
		{"11", "北京市", "Beijing", true},
		{"33", "浙江省", "Zhejiang", true},
		{"45", "广西壮族自治区", "Guangxi", true},
		{"50", "重庆市", "Chongqing", true},
		{"52", "贵州省", "Guizhou", true},
		{"61", "陕西省", "Shaanxi", true},
		{"14", "山西省", "Shanxi", true},
		{"71", "台湾省", "Taiwan", true},
		{"81", "香港特别行政区", "Hong Kong", true},
		{"82", "澳门特别行政区", "Macau", true},
		{"00", "", "", false},
		{"99", "", "", false},
		{"3", "", "", false},
		{"330", "", "", false},
		{"", "", "", false},
	} {
		zh, ok := ProvinceName(tt.code)
		if zh != tt.wantZH || ok != tt.wantOK {
			t.Errorf("ProvinceName(%q) = %q, %v, want %q, %v", tt.code, zh, ok, tt.wantZH, tt.wantOK)
		}
		if en := ProvinceNameEN(tt.code); en != tt.wantEN {
			t.Errorf("ProvinceNameEN(%q) = %q, want %q", tt.code, en, tt.wantEN)
		}
	}
}

func TestProvinces(t *testing.T) {
	got := Provinces()
	var codes []string
	for _, r := range got {
		codes = append(codes, r.Code)
		if r.Name == "" || r.NameEN == "" {
			t.Errorf("Provinces() has %+v, want both names", r)
		}
	}
	want := []string{
		"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
		"35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
		"53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
	}
	if !slices.Equal(codes, want) {
		t.Errorf("Provinces() codes = %v, want %v", codes, want)
	}
	got[0].Name = "changed"
	if again := Provinces(); again[0].Name != "北京市" {
		t.Errorf("Provinces() after the caller changed its slice: first = %+v, want 北京市", again[0])
	}
}

func TestRegionName(t *testing.T) {
	for _, tt := range []struct {
		code, want string
		wantOK     bool
	}{
		{"331081", "温岭市", true},
		{"331082", "临海市", true},
		{"331002", "椒江区", true},
		{"331083", "玉环市", true},
		{"330113", "临平区", true},
		{"330383", "龙港市", true},
		{"331127", "景宁畲族自治县", true},
		{"520102", "南明区", true},
		{"500236", "奉节县", true},
		{"429004", "仙桃市", true},
		{"331000", "台州市", true}, // a prefecture code names the prefecture
		{"331021", "台州市", true}, // 玉环县 before 2017: falls back to the prefecture
		{"330103", "杭州市", true}, // 下城区, merged away in 2021
		{"341299", "阜阳市", true}, // unknown county, known prefecture
		{"522121", "贵州省", true}, // 遵义县 under the old 遵义地区: province only
		{"110105", "北京市", true}, // county not in the table
		{"330000", "浙江省", true}, // the province code itself
		{"710000", "台湾省", true},
		{"990101", "", false},
		{"000000", "", false},
		{"33108", "", false},
		{"3310811", "", false},
		{"33108a", "", false},
		{"", "", false},
	} {
		got, ok := RegionName(tt.code)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("RegionName(%q) = %q, %v, want %q, %v", tt.code, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCountiesZhejiang(t *testing.T) {
	got := Counties("33")
	if len(got) != 90 {
		t.Errorf("len(Counties(\"33\")) = %d, want 90 (37 districts, 20 cities, 33 counties)", len(got))
	}
	// Per prefecture, as of December 2021.
	wantPerPrefecture := map[string]int{
		"3301": 13, "3302": 10, "3303": 12, "3304": 7, "3305": 5, "3306": 6,
		"3307": 9, "3308": 6, "3309": 4, "3310": 9, "3311": 9,
	}
	gotPerPrefecture := map[string]int{}
	var districts, cities, others int
	for _, r := range got {
		gotPerPrefecture[r.Code[:4]]++
		switch {
		case strings.HasSuffix(r.Name, "区"):
			districts++
		case strings.HasSuffix(r.Name, "市"):
			cities++
		default:
			others++
		}
	}
	for p, want := range wantPerPrefecture {
		if gotPerPrefecture[p] != want {
			t.Errorf("Zhejiang prefecture %s00 has %d county-level units, want %d", p, gotPerPrefecture[p], want)
		}
	}
	if districts != 37 || cities != 20 || others != 33 {
		t.Errorf("Zhejiang has %d districts, %d cities, %d counties, want 37, 20, 33", districts, cities, others)
	}
	for _, want := range []Region{{"331081", "温岭市", ""}, {"331082", "临海市", ""}, {"331002", "椒江区", ""}} {
		if !slices.Contains(got, want) {
			t.Errorf("Counties(\"33\") lacks %+v", want)
		}
	}
}

func TestCounties(t *testing.T) {
	for _, p := range []string{"33", "52", "34", "36", "51", "41", "53", "43", "42", "50", "45", "62", "61"} {
		got := Counties(p)
		if len(got) < 12 {
			t.Errorf("len(Counties(%q)) = %d, want at least 12", p, len(got))
		}
		if !slices.IsSortedFunc(got, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
			t.Errorf("Counties(%q) is not sorted by code", p)
		}
		for _, r := range got {
			if !strings.HasPrefix(r.Code, p) || r.Name == "" || r.NameEN != "" {
				t.Errorf("Counties(%q) has %+v", p, r)
			}
		}
	}
	for _, p := range []string{"99", "", "3", "331"} {
		if got := Counties(p); len(got) != 0 {
			t.Errorf("Counties(%q) = %v, want none", p, got)
		}
	}
}

// TestRegionTable checks the shape of the data: codes are 6 digits in a
// known province, prefecture codes end in 00 and county codes do not, a
// county never shares a code with a prefecture, names are non-empty, and
// every province has its English name.
func TestRegionTable(t *testing.T) {
	if len(provinces) != 34 || len(provincesEN) != 34 {
		t.Errorf("%d provinces and %d English names, want 34 each", len(provinces), len(provincesEN))
	}
	for code, name := range provinces {
		if len(code) != 2 || !allDigits(code) || name == "" || provincesEN[code] == "" {
			t.Errorf("province %q %q %q is malformed", code, name, provincesEN[code])
		}
	}
	for code, name := range prefectures {
		if len(code) != 6 || !allDigits(code) || !strings.HasSuffix(code, "00") || strings.HasSuffix(code, "0000") || name == "" {
			t.Errorf("prefecture %q %q is malformed", code, name)
		}
		if _, ok := provinces[code[:2]]; !ok {
			t.Errorf("prefecture %q %q is in no province", code, name)
		}
	}
	for code, name := range counties {
		if len(code) != 6 || !allDigits(code) || strings.HasSuffix(code, "00") || name == "" {
			t.Errorf("county %q %q is malformed", code, name)
		}
		if _, ok := provinces[code[:2]]; !ok {
			t.Errorf("county %q %q is in no province", code, name)
		}
		// Every Zhejiang county sits in a listed prefecture.
		if code[:2] == "33" {
			if _, ok := prefectures[code[:4]+"00"]; !ok {
				t.Errorf("Zhejiang county %q %q has no prefecture", code, name)
			}
		}
	}
}
