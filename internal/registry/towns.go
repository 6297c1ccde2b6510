package registry

// DefaultTowns are the 16 towns and streets of Wenling (温岭市), the city the
// default deployment and the demo are modelled on (Wenling government
// administrative divisions, 2023). A real deployment replaces them by
// importing its own towns file; a fresh database starts with these.
var DefaultTowns = []Town{
	{Code: "taiping", Name: "太平街道", Kind: "street"},
	{Code: "chengdong", Name: "城东街道", Kind: "street"},
	{Code: "chengxi", Name: "城西街道", Kind: "street"},
	{Code: "chengbei", Name: "城北街道", Kind: "street"},
	{Code: "hengfeng", Name: "横峰街道", Kind: "street"},
	{Code: "zeguo", Name: "泽国镇", Kind: "town"},
	{Code: "daxi", Name: "大溪镇", Kind: "town"},
	{Code: "songmen", Name: "松门镇", Kind: "town"},
	{Code: "ruoheng", Name: "箬横镇", Kind: "town"},
	{Code: "xinhe", Name: "新河镇", Kind: "town"},
	{Code: "shitang", Name: "石塘镇", Kind: "town"},
	{Code: "binhai", Name: "滨海镇", Kind: "town"},
	{Code: "wenqiao", Name: "温峤镇", Kind: "town"},
	{Code: "chengnan", Name: "城南镇", Kind: "town"},
	{Code: "shiqiaotou", Name: "石桥头镇", Kind: "town"},
	{Code: "wugen", Name: "坞根镇", Kind: "town"},
}
