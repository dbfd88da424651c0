package zh

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// num formats a float the short way: 3, 3.5, -1.
func clNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// clCheckSpans fails when a Start/End pair does not frame its Text.
func clCheckSpans(t *testing.T, text string, spans ...[3]any) {
	t.Helper()
	for _, sp := range spans {
		s, e, w := sp[0].(int), sp[1].(int), sp[2].(string)
		if s < 0 || e > len(text) || s > e || text[s:e] != w {
			t.Errorf("%q: offsets %d:%d do not frame %q", text, s, e, w)
		}
	}
}

type clCase struct {
	in   string
	want []string
}

func clRunCases(t *testing.T, cases []clCase, f func(t *testing.T, text string) []string) {
	t.Helper()
	for _, c := range cases {
		text := Normalize(c.in)
		got := f(t, text)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got  %q\n want %q", c.in, got, c.want)
		}
	}
}

func TestFindTemperaturesClinical(t *testing.T) {
	clRunCases(t, []clCase{
		{"孩子昨晚38度5", []string{"38度5=38.5"}},
		{"三十九度", []string{"三十九度=39"}},
		{"39度多一直退不下来", []string{"39度多=39+"}},
		{"最高38.5℃", []string{"38.5°c=38.5"}},
		{"三十八度七", []string{"三十八度七=38.7"}},
		{"体温37.8", []string{"37.8=37.8"}},
		{"体温是37.8,有点低烧", []string{"37.8=37.8"}},
		{"烧到40度", []string{"40度=40"}},
		{"发烧39°C", []string{"39°c=39"}},
		{"发烧39℃两天了", []string{"39°c=39"}},
		{"37度半", []string{"37度半=37.5"}},
		{"烧到39度三天了", []string{"39度=39"}},
		{"39度一直不退", []string{"39度=39"}},
		{"宝宝烧到40多度", []string{"40多度=40+"}},
		{"量了下腋温38点2", []string{"38点2=38.2"}},
		{"体温三十八点五", []string{"三十八点五=38.5"}},
		{"发烧40多,吃了退烧药", []string{"40多=40+"}},
		{"早上37.5度晚上又到38度7", []string{"37.5度=37.5", "38度7=38.7"}},
		{"３８．５度", []string{"38.5度=38.5"}},
		// Not body temperatures.
		{"30度的天气出门就头晕", nil},
		{"45度角", nil},
		{"吃了3片", nil},
		{"外面38度热死了", nil},
		{"喝了40度的热水", nil},
		{"喝了二两42度白酒", nil},
		{"腿抬到40度就疼", nil},
		{"发烧3天", nil},
		{"体温计坏了", nil},
		{"近视400度", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, tp := range FindTemperatures(text) {
			clCheckSpans(t, text, [3]any{tp.Start, tp.End, tp.Text})
			s := tp.Text + "=" + clNum(tp.Celsius)
			if tp.More {
				s += "+"
			}
			out = append(out, s)
		}
		return out
	})
}

func TestFindSeverity(t *testing.T) {
	clRunCases(t, []clCase{
		{"疼的话有7分", []string{"7分=7/severe"}},
		{"疼痛有八分", []string{"八分=8/severe"}},
		{"十分的话有6分", []string{"6分=6/moderate"}},
		{"满分十分的话我打6分吧", []string{"6分=6/moderate"}},
		{"1到10分的话大概4分", []string{"4分=4/moderate"}},
		{"6/10", []string{"6/10=6/moderate"}},
		{"疼痛程度:8/10", []string{"8/10=8/severe"}},
		{"疼痛6/10左右", []string{"6/10=6/moderate"}},
		{"打8分", []string{"8分=8/severe"}},
		{"能打十分了", []string{"十分=10/severe"}},
		{"七八分吧", []string{"七八分=8(7)/severe"}},
		{"大概3-4分", []string{"3-4分=4(3)/moderate"}},
		{"2分,不怎么疼", []string{"2分=2/mild", "不怎么疼=-1/mild"}},
		{"满分100分的话有80分", []string{"80分=8/severe"}},
		{"疼痛评分7", []string{"7=7/severe"}},
		{"0分,不疼", []string{"0分=0/"}},
		{"轻微的疼", []string{"轻微=-1/mild"}},
		{"有点疼", []string{"有点疼=-1/mild"}},
		{"肚子隐隐作痛", []string{"隐隐=-1/mild"}},
		{"比较疼", []string{"比较疼=-1/moderate"}},
		{"挺疼的", []string{"挺疼=-1/moderate"}},
		{"中等吧", []string{"中等=-1/moderate"}},
		{"很疼", []string{"很疼=-1/severe"}},
		{"剧烈疼痛", []string{"剧烈=-1/severe"}},
		{"疼得受不了", []string{"疼得受不了=-1/severe"}},
		{"疼的睡不着觉", []string{"疼的睡不着=-1/severe"}},
		{"痛得睡不着", []string{"痛得睡不着=-1/severe"}},
		{"难以忍受", []string{"难以忍受=-1/severe"}},
		{"疼得要命", []string{"疼得要命=-1/severe"}},
		{"十分难受", []string{"十分难受=-1/severe"}},
		{"头疼死了", []string{"疼死了=-1/severe"}},
		{"不是很疼", []string{"不是很疼=-1/mild"}},
		{"不太疼,还能忍", []string{"不太疼=-1/mild", "能忍=-1/mild"}},
		{"没那么难受了", []string{"没那么难受=-1/mild"}},
		{"晚上疼醒好几次", []string{"疼醒=-1/severe"}},
		{"胃特别难受", []string{"特别难受=-1/severe"}},
		{"老人家说肚子好痛好痛", []string{"好痛=-1/severe", "好痛=-1/severe"}},
		{"嗓子有点痒有点干", []string{"有点痒=-1/mild", "有点=-1/mild"}},
		{"疼痛七分左右,很难受", []string{"七分=7/severe", "很难受=-1/severe"}},
		// Not scores.
		{"每次疼3分钟", nil},
		{"五分钟就好了", nil},
		{"三分之一的药", nil},
		{"一点都不疼", nil},
		{"不疼", nil},
		{"2026/6/10来过", nil},
		{"6/10号来过", nil},
		{"考试考了90分", nil},
		{"早上8点10分吃的药", nil},
		{"这个病很重要吗,严重吗", nil},
		{"挂号太麻烦了", nil},
		{"吃到七分饱", nil},
		{"明显好转", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, s := range FindSeverity(text) {
			clCheckSpans(t, text, [3]any{s.Start, s.End, s.Text})
			v := s.Text + "=" + clNum(s.Score)
			if s.Min != s.Score {
				v += "(" + clNum(s.Min) + ")"
			}
			out = append(out, v+"/"+s.Level)
		}
		return out
	})
}

func TestFindFrequency(t *testing.T) {
	clRunCases(t, []clCase{
		{"一天拉三四次", []string{"一天拉三四次=4(3)/1day"}},
		{"每天2次", []string{"每天2次=2/1day"}},
		{"一周两三次", []string{"一周两三次=3(2)/1week"}},
		{"每隔两小时吐一次", []string{"每隔两小时吐一次=1/2hour"}},
		{"一晚上醒好几次", []string{"一晚上醒好几次=3~/1night"}},
		{"夜里起夜三次", []string{"三次=3/1"}},
		{"一天十几次", []string{"一天十几次=19(11)~/1day"}},
		{"大便2次/天", []string{"2次/天=2/1day"}},
		{"两三天一次", []string{"两三天一次=1/2day"}},
		{"拉了五六次", []string{"五六次=6(5)/1"}},
		{"一个月来两次月经", []string{"一个月来两次=2/1month"}},
		{"一年发作两三回", []string{"一年发作两三回=3(2)/1year"}},
		{"一天吐了7、8次", []string{"8次=8/1"}},
		{"持续疼", []string{"持续:persistent"}},
		{"一直咳嗽", []string{"一直:persistent"}},
		{"一阵一阵的疼", []string{"一阵一阵的:intermittent"}},
		{"阵发性腹痛", []string{"阵发性:intermittent"}},
		{"偶尔头晕", []string{"偶尔:occasional"}},
		{"经常胸闷", []string{"经常:frequent"}},
		{"反复发作", []string{"反复:recurrent"}},
		{"时好时坏的", []string{"时好时坏:recurrent"}},
		{"不是一直疼,一阵阵的", []string{"不是一直:intermittent", "一阵阵:intermittent"}},
		{"老咳嗽", []string{"老:frequent"}},
		{"断断续续一个多月了", []string{"断断续续:intermittent"}},
		{"有时候晚上会咳醒", []string{"有时候:occasional"}},
		{"隔十几分钟疼一次", []string{"隔十几分钟疼一次=1/11minute"}},
		{"有时一晚上咳醒两三回", []string{"有时:occasional", "一晚上咳醒两三回=3(2)/1night"}},
		{"大便一天5-6次,稀水样", []string{"一天5-6次=6(5)/1day"}},
		{"每个月都疼一次", []string{"每个月都疼一次=1/1month"}},
		{"三天拉了五次", []string{"三天拉了五次=5/3day"}},
		{"天天头疼", []string{"天天:frequent"}},
		{"一天咳好多次", []string{"一天咳好多次=3~/1day"}},
		{"拉肚子一天十来次", []string{"一天十来次=10~/1day"}},
		{"一天两到三次", []string{"一天两到三次=3(2)/1day"}},
		{"昨儿个晚上九点多开始拉,拉了七八回了", []string{"七八回=8(7)/1"}},
		// Not frequencies.
		{"一次一片", nil},
		{"第三次来看了", nil},
		{"老公陪我来的", nil},
		{"一直到现在", nil},
		{"发烧三天了", nil},
		{"这次比上次严重", nil},
		{"一次性用品", nil},
		{"两天前吐了一次", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, f := range FindFrequency(text) {
			clCheckSpans(t, text, [3]any{f.Start, f.End, f.Text})
			if f.Pattern != "" {
				out = append(out, f.Text+":"+f.Pattern)
				continue
			}
			v := f.Text + "=" + clNum(f.Count)
			if f.Min != f.Count {
				v += "(" + clNum(f.Min) + ")"
			}
			if f.Vague {
				v += "~"
			}
			out = append(out, v+"/"+clNum(f.Every)+f.Per)
		}
		return out
	})
}

func TestFindSides(t *testing.T) {
	clRunCases(t, []clCase{
		{"左边疼", []string{"左边=left"}},
		{"右侧腰疼", []string{"右侧=right"}},
		{"左下腹痛", []string{"左下=left/下"}},
		{"右上腹隐痛", []string{"右上=right/上"}},
		{"两侧太阳穴疼", []string{"两侧=both"}},
		{"双侧扁桃体肿大", []string{"双侧=both"}},
		{"两边都疼", []string{"两边=both"}},
		{"双膝疼痛", []string{"双膝=both"}},
		{"两条腿都肿了", []string{"两条腿=both"}},
		{"双下肢水肿", []string{"双下肢=both/下"}},
		{"左右两侧都疼", []string{"左右两侧=both"}},
		{"左右眼都红", []string{"左右=both"}},
		{"左后背疼", []string{"左后=left/后"}},
		{"右下方一按就疼", []string{"右下方=right/下"}},
		{"肚子中间疼", []string{"中间=/中间"}},
		{"上腹部不舒服", []string{"上腹=/上"}},
		{"中上腹胀", []string{"中上腹=/中上"}},
		{"左胸口闷", []string{"左=left"}},
		{"右眼红", []string{"右=right"}},
		{"眼睛左上方有个黑影", []string{"左上方=left/上"}},
		{"两只眼睛都看不清", []string{"两只眼睛=both"}},
		{"左胳膊麻,有时候右边也麻", []string{"左=left", "右边=right"}},
		{"右边上班的时候疼", []string{"右边=right"}},
		// Not sides.
		{"三天左右", nil},
		{"38度左右", nil},
		{"一周左右了", nil},
		{"吃了左氧氟沙星", nil},
		{"右美沙芬糖浆", nil},
		{"双黄连口服液", nil},
		{"两天了", nil},
		{"往左转头的时候疼", nil},
		{"小腹疼", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, s := range FindSides(text) {
			clCheckSpans(t, text, [3]any{s.Start, s.End, s.Text})
			v := s.Text + "=" + s.Side
			if s.Part != "" {
				v += "/" + s.Part
			}
			out = append(out, v)
		}
		return out
	})
}

func TestFindDoses(t *testing.T) {
	clRunCases(t, []clCase{
		{"一次一片", []string{"一次一片=1片"}},
		{"每次5毫升", []string{"每次5毫升=5ml"}},
		{"0.25g", []string{"0.25g=0.25g"}},
		{"一天三次,一次两粒", []string{"一次两粒=2粒x3"}},
		{"吃了半片", []string{"半片=0.5片"}},
		{"布洛芬混悬液5ml", []string{"5ml=5ml"}},
		{"美林一次吃4毫升,一天最多4次", []string{"一次吃4毫升=4mlx4"}},
		{"阿莫西林0.5克 每日3次", []string{"0.5克=0.5gx3"}},
		{"早晚各一片", []string{"一片=1片x2"}},
		{"一片半", []string{"一片半=1.5片"}},
		{"1/2片", []string{"1/2片=0.5片"}},
		{"一次1-2粒", []string{"一次1-2粒=2(1)粒"}},
		{"每8小时一次,每次10mg", []string{"每次10mg=10mgx3"}},
		{"二甲双胍500mg bid", []string{"500mg=500mgx2"}},
		{"胰岛素晚上打8u", []string{"8u=8单位"}},
		{"滴眼液一次两滴", []string{"一次两滴=2滴"}},
		{"头孢一天两次每次一袋;布洛芬一次一片", []string{"每次一袋=1袋x2", "一次一片=1片"}},
		{"蒙脱石散一次一包", []string{"一次一包=1袋"}},
		{"一次两颗", []string{"一次两颗=2粒"}},
		{"药吃多了一片,会有影响吗", []string{"一片=1片"}},
		{"吃了两片布洛芬", []string{"两片=2片"}},
		{"吃了两片就好了", []string{"两片=2片"}},
		{"含了一颗速效救心丸", []string{"一颗=1粒"}},
		{"每天三顿饭后各吃一片", []string{"一片=1片x3"}},
		{"孩子体重15公斤,美林吃多少,一次7.5毫升可以吗", []string{"一次7.5毫升=7.5ml"}},
		{"早上空腹吃了两粒胶囊,晚上又吃了一粒", []string{"两粒=2粒", "一粒=1粒"}},
		{"每天吃一片氨氯地平5mg", []string{"一片=1片x1", "5mg=5mg"}},
		{"吃了一粒感冒胶囊,一次一粒,一天3次", []string{"一粒=1粒", "一次一粒=1粒x3"}},
		{"一次一袋,一天三次,还吃了布洛芬10ml", []string{"一次一袋=1袋x3", "10ml=10ml"}},
		{"每日一次,每次一片", []string{"每次一片=1片x1"}},
		{"给喂了美林2.5ml", []string{"2.5ml=2.5ml"}},
		// Not doses.
		{"宝宝一顿喝120毫升奶", nil},
		{"一天抽一包烟", nil},
		{"一天20支", nil},
		{"支气管炎", nil},
		{"拍了片子", nil},
		{"身上起了一片一片的疹子", nil},
		{"体重60kg", nil},
		{"尿量500ml", nil},
		{"一个小时就湿透一片夜用卫生巾", nil},
		{"半小时湿透一片,头晕眼花", nil},
		{"孩子吃了一颗葡萄干,会卡住吗", nil},
		{"儿子把玩具里的两颗小磁铁吞下去了", nil},
		{"冠脉三支病变,放不了支架", nil},
		{"一滴尿都没有,小肚子鼓起来一个包", nil},
		{"被蚊子叮了一个包", nil},
		{"手上起了一片红点点", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, d := range FindDoses(text) {
			clCheckSpans(t, text, [3]any{d.Start, d.End, d.Text})
			v := d.Text + "=" + clNum(d.Amount)
			if d.Min != d.Amount {
				v += "(" + clNum(d.Min) + ")"
			}
			v += d.Unit
			if d.Times != 0 {
				v += "x" + clNum(d.Times)
			}
			out = append(out, v)
		}
		return out
	})
}

// now for the time tests: Friday 20 November 2026, 15:30 in China.
var clTestNow = time.Date(2026, 11, 20, 15, 30, 0, 0, time.FixedZone("CST", 8*3600))

func TestFindTimes(t *testing.T) {
	clRunCases(t, []clCase{
		{"今天早上开始拉肚子", []string{"今天早上=2026-11-20/早上/0"}},
		{"昨天晚上发烧", []string{"昨天晚上=2026-11-19/晚上/1"}},
		{"前天晚上开始的", []string{"前天晚上=2026-11-18/晚上/2"}},
		{"大前天", []string{"大前天=2026-11-17//3"}},
		{"上周三开始咳嗽", []string{"上周三=2026-11-11//9"}},
		{"上个星期五", []string{"上个星期五=2026-11-13//7"}},
		{"周一去过医院", []string{"周一=2026-11-16//4"}},
		{"上个月20号来的", []string{"上个月20号=2026-10-20//31"}},
		{"末次月经是10月15号", []string{"10月15号=2026-10-15//36"}},
		{"11月3日", []string{"11月3日=2026-11-03//17"}},
		{"12月25号", []string{"12月25号=2025-12-25//330"}},
		{"2026年10月1日", []string{"2026年10月1日=2026-10-01//50"}},
		{"十月十五号", []string{"十月十五号=2026-10-15//36"}},
		{"2026-10-01", []string{"2026-10-01=2026-10-01//50"}},
		{"3天前", []string{"3天前=2026-11-17//3"}},
		{"半个月前", []string{"半个月前=2026-11-05//15"}},
		{"两个月前", []string{"两个月前=2026-09-20//61"}},
		{"上午十点", []string{"上午十点=2026-11-20 10:00/上午/0"}},
		{"昨晚8点半", []string{"昨晚8点半=2026-11-19 20:30/晚上/1"}},
		{"晚上10点开始疼", []string{"晚上10点=2026-11-19 22:00/晚上/1"}},
		{"凌晨3点疼醒了", []string{"凌晨3点=2026-11-20 03:00/凌晨/0"}},
		{"15号来的月经", []string{"15号=2026-11-15//5"}},
		{"25号来的", []string{"25号=2026-10-25//26"}},
		{"晚上咳得厉害", []string{"晚上=/晚上/0"}},
		{"上周", []string{"上周=//7"}},
		{"前几天开始", []string{"前几天=//3"}},
		{"今天一点都不疼", []string{"今天=2026-11-20//0"}},
		{"上周一直咳嗽", []string{"上周=//7"}},
		{"两小时前", []string{"两小时前=2026-11-20 13:30//0"}},
		{"昨儿个晚上九点多开始拉", []string{"昨儿个晚上九点多=2026-11-19 21:00/晚上/1"}},
		{"俺家老头子前个月20号住的院", []string{"前个月20号=2026-10-20//31"}},
		{"末次月经:2026.10.8", []string{"2026.10.8=2026-10-08//43"}},
		{"上次月经是十月二十号左右", []string{"十月二十号=2026-10-20//31"}},
		{"宝宝从礼拜一开始咳嗽", []string{"礼拜一=2026-11-16//4"}},
		{"这个月1号来的月经,上上个月是28号", []string{"这个月1号=2026-11-01//19", "上上个月是28号=2026-09-28//53"}},
		{"前两天开始嗓子疼,今天早上起来发烧", []string{"前两天=//2", "今天早上=2026-11-20/早上/0"}},
		{"昨天下午4点左右开始肚子疼", []string{"昨天下午4点左右=2026-11-19 16:00/下午/1"}},
		{"今早6点多吐了一次,下午两点又吐了", []string{"今早6点多=2026-11-20 06:00/早上/0", "下午两点=2026-11-20 14:00/下午/0"}},
		{"上个礼拜天开始咳嗽", []string{"上个礼拜天=2026-11-15//5"}},
		{"半年前做过手术", []string{"半年前=2026-05-21//183"}},
		{"2025年3月8号", []string{"2025年3月8号=2025-03-08//622"}},
		{"一到晚上就咳,一晚上咳醒两三回", nil},
		// Not times.
		{"住3号床", nil},
		{"一周三次", nil},
		{"发烧三天了", nil},
		{"有点疼", nil},
		{"38.5度", nil},
		{"胆固醇7点几", nil},
		{"叫她起床迷迷糊糊的", nil},
	}, func(t *testing.T, text string) []string {
		var out []string
		for _, tp := range FindTimes(text, clTestNow) {
			clCheckSpans(t, text, [3]any{tp.Start, tp.End, tp.Text})
			d := ""
			if !tp.Date.IsZero() {
				d = tp.Date.Format("2006-01-02")
				if tp.Clock {
					d = tp.Date.Format("2006-01-02 15:04")
				}
			}
			out = append(out, fmt.Sprintf("%s=%s/%s/%s", tp.Text, d, tp.Part, clNum(tp.DaysAgo)))
		}
		return out
	})
}

func TestFindTimesYearEnd(t *testing.T) {
	now := time.Date(2027, 1, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for in, want := range map[string]string{
		"上个月20号":    "2026-12-20",
		"12月28号开始的": "2026-12-28",
		"1月2号":      "2027-01-02",
		"1月5号":      "2026-01-05", // after now: last year
		"28号":       "2026-12-28",
		"上周日":       "2026-12-27",
	} {
		ts := FindTimes(in, now)
		if len(ts) != 1 || ts[0].Date.Format("2006-01-02") != want {
			t.Errorf("%q: got %+v, want %s", in, ts, want)
		}
	}
}

func TestFindRelation(t *testing.T) {
	tests := []struct {
		in    string
		rel   string
		child bool
	}{
		{"我儿子发烧两天了", RelationChild, true},
		{"医生,我女儿3岁,咳嗽", RelationChild, true},
		{"孩子拉肚子怎么办", RelationChild, true},
		{"宝宝吐奶", RelationChild, true},
		{"小孩晚上老哭", RelationChild, true},
		{"我家宝这两天不吃饭", RelationChild, true},
		{"俺闺女肚子疼", RelationChild, true},
		{"我是宝妈,娃发烧了", RelationChild, true},
		{"我儿子今年35岁,最近老胸闷", RelationChild, false},
		{"我妈最近头晕", RelationMother, false},
		{"帮我妈妈问一下", RelationMother, false},
		{"我母亲72岁,高血压", RelationMother, false},
		{"老妈腿疼", RelationMother, false},
		{"我爸血糖高", RelationFather, false},
		{"父亲去年做过搭桥", RelationFather, false},
		{"我老公胃疼", RelationHusband, false},
		{"丈夫咳嗽一个月", RelationHusband, false},
		{"我老婆怀孕了", RelationSpouse, false},
		{"我爱人腰疼", RelationSpouse, false},
		{"我爷爷摔了一跤", RelationGrandparent, false},
		{"奶奶八十多了", RelationGrandparent, false},
		{"外婆血压高", RelationGrandparent, false},
		{"姥姥", RelationGrandparent, false},
		{"我孙子发烧", RelationGrandchild, true},
		{"我朋友被狗咬了", RelationOther, false},
		{"我妈让我来问问,我头疼", "", false},
		{"我老公陪我来的", "", false},
		{"我头疼三天了", "", false},
		{"我想要孩子,备孕中", "", false},
		{"怀孕了肚子里的宝宝会不会受影响", "", false},
		{"我的妈呀疼死了", "", false},
		{"孩子他爸腰疼一个礼拜了", RelationHusband, false},
		{"我是孩子妈妈,他咳嗽", RelationChild, true},
		{"老伴最近老忘事", RelationSpouse, false},
		{"我女儿刚满月", RelationChild, true},
		{"我是奶奶,孙子发烧了", RelationGrandchild, true},
		{"我是他老婆,他胸口疼", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		rel, child := FindRelation(Normalize(tt.in))
		if rel != tt.rel || child != tt.child {
			t.Errorf("FindRelation(%q) = %q, %v; want %q, %v", tt.in, rel, child, tt.rel, tt.child)
		}
	}
}

func TestParseRange(t *testing.T) {
	for in, want := range map[string][2]float64{
		"3": {3, 3}, "三四": {3, 4}, "两三": {2, 3}, "一两": {1, 2}, "七八": {7, 8}, "3-4": {3, 4}, "3~4": {3, 4},
		"2到3": {2, 3}, "两到三": {2, 3}, "十七八": {17, 18}, "三四十": {30, 40}, "十几": {11, 19}, "好几": {3, 3}, "半": {0.5, 0.5},
	} {
		lo, hi, _, ok := clParseRange(in)
		if !ok || lo != want[0] || hi != want[1] {
			t.Errorf("clParseRange(%q) = %v, %v, %v; want %v", in, lo, hi, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "三几", "四三"} {
		if lo, hi, _, ok := clParseRange(bad); ok && lo != hi {
			t.Errorf("clParseRange(%q) = %v-%v", bad, lo, hi)
		}
	}
}

// TestClinicalSpans runs every extractor over awkward inputs and checks
// that offsets frame the text and nothing panics.
func TestClinicalSpans(t *testing.T) {
	inputs := []string{
		"", "度", "分", "次", "左", "号", "点", "38度", "十分", "每隔", "一天", "2026-13-45", "2月30号", "99月99号",
		"上周日上周日", "左右左右", "双双", "一片一片", "/10", "6/", "每次", "晚上晚上10点", "体温", "烧到",
		strings.Repeat("疼", 50), "\xff\xfe", "🤒38度5😭", "左下腹右上腹两侧双膝",
	}
	for _, in := range inputs {
		text := Normalize(in)
		for _, x := range FindTemperatures(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindSeverity(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindFrequency(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindSides(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindDoses(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindTimes(text, clTestNow) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		FindRelation(text)
	}
}

// clBenchMessage is a patient message of about 200 characters.
var clBenchMessage = func() string {
	m := Normalize("医生您好，我是替我妈妈问的，她今年68岁，前天晚上开始左下腹一阵一阵的疼，疼起来有七八分，疼得睡不着觉，" +
		"昨天早上量体温38度5，一天拉三四次稀水样便，吃了蒙脱石散一次一袋，一天三次，还吃了布洛芬混悬液10ml，" +
		"现在还是隐隐作痛，偶尔恶心想吐，上周三也这样过一次。她有高血压，每天吃一片氨氯地平5mg。末次住院是10月15号。" +
		"两侧腰也有点酸，右边更明显，晚上十点以后疼得厉害，不知道要不要紧，挂什么科好？")
	return m
}()

func BenchmarkClinical(b *testing.B) {
	text := clBenchMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		FindTemperatures(text)
		FindSeverity(text)
		FindFrequency(text)
		FindSides(text)
		FindDoses(text)
		FindTimes(text, clTestNow)
		FindRelation(text)
		FindDurations(text)
	}
}

// FuzzClinical checks that no extractor panics and that every offset
// frames its text, whatever the input (go test -fuzz FuzzClinical).
func FuzzClinical(f *testing.F) {
	for _, s := range []string{clBenchMessage, "38度5", "左右两侧", "一天三次,一次两粒", "上个月20号", "十分的话有6分", "每隔两小时吐一次", "我儿子25岁"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		text := Normalize(in)
		for _, x := range FindTemperatures(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
			if x.Celsius < 34 || x.Celsius > 43 {
				t.Fatalf("temperature out of range: %+v", x)
			}
		}
		for _, x := range FindSeverity(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
			if x.Score > 10 || x.Score < -1 {
				t.Fatalf("score out of range: %+v", x)
			}
		}
		for _, x := range FindFrequency(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindSides(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindDoses(text) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		for _, x := range FindTimes(text, clTestNow) {
			clCheckSpans(t, text, [3]any{x.Start, x.End, x.Text})
		}
		FindRelation(text)
	})
}
