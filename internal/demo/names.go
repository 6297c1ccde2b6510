package demo

import "strconv"

// surnames are the most common Chinese surnames with their approximate share
// of the population, in the order of the Ministry of Public Security's 2020
// national name report (公安部户政管理研究中心《二〇二〇年全国姓名报告》:
// 王 李 张 刘 陈 杨 黄 赵 吴 周 …). Shares beyond the top ten are
// approximate; the draw normalises them.
var surnames = []weighted{
	{"王", 7.12}, {"李", 7.00}, {"张", 6.74}, {"刘", 5.10}, {"陈", 4.61},
	{"杨", 3.22}, {"黄", 2.45}, {"赵", 2.19}, {"吴", 2.00}, {"周", 1.90},
	{"徐", 1.45}, {"孙", 1.38}, {"马", 1.29}, {"朱", 1.28}, {"胡", 1.16},
	{"郭", 1.15}, {"何", 1.06}, {"林", 1.02}, {"罗", 0.95}, {"高", 0.94},
	{"郑", 0.84}, {"梁", 0.83}, {"谢", 0.74}, {"宋", 0.68}, {"唐", 0.65},
	{"许", 0.64}, {"韩", 0.62}, {"邓", 0.61}, {"冯", 0.61}, {"曹", 0.58},
	{"彭", 0.56}, {"曾", 0.55}, {"肖", 0.53}, {"田", 0.52}, {"董", 0.51},
	{"潘", 0.48}, {"袁", 0.48}, {"蔡", 0.46}, {"蒋", 0.46}, {"余", 0.45},
	{"于", 0.45}, {"杜", 0.42}, {"叶", 0.42}, {"程", 0.41}, {"魏", 0.40},
	{"苏", 0.39}, {"吕", 0.39}, {"丁", 0.38}, {"任", 0.37}, {"卢", 0.36},
	{"姚", 0.35}, {"沈", 0.34}, {"钟", 0.34}, {"姜", 0.33}, {"崔", 0.32},
	{"谭", 0.31}, {"陆", 0.30}, {"范", 0.29}, {"汪", 0.29}, {"廖", 0.28},
	{"石", 0.28}, {"金", 0.27}, {"韦", 0.26}, {"贾", 0.25}, {"夏", 0.24},
	{"付", 0.24}, {"方", 0.23}, {"邹", 0.22}, {"熊", 0.22}, {"白", 0.22},
	{"孟", 0.21}, {"秦", 0.21}, {"邱", 0.21}, {"侯", 0.20}, {"江", 0.20},
	{"尹", 0.19}, {"薛", 0.18}, {"闫", 0.18}, {"段", 0.17}, {"雷", 0.17},
	{"龙", 0.16}, {"黎", 0.16}, {"史", 0.15}, {"陶", 0.15}, {"贺", 0.14},
	{"毛", 0.14}, {"郝", 0.13}, {"顾", 0.13}, {"龚", 0.12}, {"邵", 0.12},
	{"万", 0.12}, {"覃", 0.11}, {"武", 0.11}, {"钱", 0.11}, {"戴", 0.10},
	{"严", 0.10}, {"莫", 0.10}, {"孔", 0.09}, {"向", 0.09}, {"常", 0.09},
}

// Given-name characters by generation and sex. Adults born before about 1990
// carry the older styles; children born from about 2008 the newer ones. A
// given name is one or two characters from the pool.
var (
	givenMaleOld   = []rune("伟强军勇杰磊涛斌超明刚平辉鹏华飞波峰建国志海文东林成龙兵春生发永新德福贵忠祥云山红金荣")
	givenFemaleOld = []rune("芳娟敏静丽艳娜霞秀英玲燕红梅婷雪琳慧倩颖洁萍兰凤丹莉晶琴桂珍芬翠菊花美云霞小")
	givenMaleNew   = []rune("子浩宇轩博文俊一嘉睿泽晨沐航铭宸皓然辰逸梓瑞豪天佑思远奕鑫锦程乐")
	givenFemaleNew = []rune("梓涵欣怡诗雨思可佳悦依萱若汐语彤梦琪紫嫣雅静心妍佳玥馨一诺安雪")
)

// Place-name characters for villages, roads, estates and industrial zones.
var (
	placeChars  = []rune("上下东西南北新前后塘岙山洋桥湖岩林沙河田溪坑头里横石泽屿峰湾岭庄园桐松柏兴隆安和平丰顺")
	roadChars   = []rune("人民解放中华建设新华文化青年工业商城泽国兴业长安太平东海环城银湖锦园振兴万寿")
	estateWords = []string{"花园", "家园", "新村", "公寓", "苑", "名都", "华庭", "嘉园"}
	tradeChars  = []rune("利达鑫宏华泰盛丰远恒大新金银永福顺祥瑞嘉创科东方海天伟佳康安明亿隆兴旺德信诚宝荣昌通")
)

// chineseNumber returns n (1..99) in Chinese numerals, as in 第十二小学;
// any other n in Arabic digits.
func chineseNumber(n int) string {
	if n < 1 || n > 99 {
		return strconv.Itoa(n)
	}
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	tens, ones := n/10, n%10
	s := ""
	if tens > 1 {
		s = digits[tens] // 二十, not 一十
	}
	if tens > 0 {
		s += "十"
	}
	return s + digits[ones]
}
