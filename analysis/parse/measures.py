"""Measure words: the closed lists that tell a count ('805篇', 'X万多条次') from a name ('XX篇章', '**人民').

Both the figures (``analysis.parse.figures``) and the masks (``analysis.parse.masks``: a mask before a measure word
stands for a number) read these lists, so they live here, below both; ``word_at`` finds the longest listed word at
a position through an ``index_words`` index.
"""

from __future__ import annotations

# Measure words and classifiers (Simplified, and the Traditional forms web copies use).
_MEASURES = (
    # compound and event measures
    "人次", "场次", "条次", "篇次", "件次", "户次", "批次", "架次", "车次", "班次", "课时", "学时", "小时",
    "分钟", "个月", "平方公里", "平方米", "立方米", "公里", "千米", "公顷", "千克", "公斤", "千瓦", "美元",
    "人次", "場次", "條次", "萬元", "億元", "万元", "亿元", "千元",
    # classifiers
    "个", "名", "人", "位", "户", "家", "所", "支", "队", "组", "次", "场", "篇", "条", "期", "件", "起", "项",
    "批", "部", "本", "册", "份", "套", "台", "辆", "座", "处", "间", "张", "幅", "首", "集", "门", "类", "种",
    "轮", "届", "节", "堂", "封", "块", "栋", "幢", "枚", "盏", "株", "棵", "头", "只", "艘", "宗", "例", "单",
    "帖", "字", "元", "天", "米", "亩", "吨", "册",
    # Traditional forms
    "個", "場", "條", "項", "隊", "組", "輛", "臺", "處", "間", "張", "門", "類", "種", "輪", "屆", "節", "棟",
    "隻", "頭", "戶", "冊", "萬", "億",
)
_MEASURES = tuple(w for w in _MEASURES if w not in ("萬", "億"))  # scales, not measures
MEASURE_WORDS: tuple[str, ...] = tuple(sorted(set(_MEASURES), key=lambda w: (-len(w), w)))
"""Measure words and classifiers, longest first so a regex alternation prefers 人次 to 人."""

# Words that start with a measure character but are not a measure reading ('XX篇章', '**人民', '十四五期间').
NON_MEASURE_COMPOUNDS: tuple[str, ...] = (
    "篇章", "人民", "人大", "人才", "人物", "人文", "人居", "人心", "人口", "人生", "人间", "人气", "人工", "人事",
    "人社", "人防", "人武", "家园", "家庭", "家风", "家训", "家乡", "家长", "家属", "家喻户晓", "名片", "名牌",
    "名录", "名单", "名称", "名义", "名城", "名镇", "名村", "位于", "位置", "位列", "位居", "所属", "所在", "所有",
    "所得", "场所", "场馆", "场景", "场地", "场域", "场面", "期间", "期刊", "期待", "期望", "期盼", "条例", "条件",
    "条款", "项目", "支部", "支持", "支援", "支撑", "支付", "支出", "起草", "起步", "起来", "起点", "起到", "部门",
    "部署", "部分", "部长", "部委", "台账", "台风", "台湾", "处理", "处置", "处长", "处室", "处级", "处罚", "批示",
    "批准", "批评", "批复", "门户", "门槛", "个性", "个体", "次序", "次要", "队伍", "队员", "队长", "组织", "组建",
    "组长", "组成", "组团", "种植", "种子", "座谈", "届时", "本地", "本土", "本级", "本领", "本色", "本质", "份额",
    "套餐", "集中", "集团", "集体", "集聚", "集成", "集市", "首次", "首批", "首届", "首个", "首位", "首页", "首府",
    "首都", "首发", "节日", "节目", "节点", "节约", "节庆", "户外", "户籍", "户口", "间隙", "间接", "张贴", "轮流",
    "位数", "元素", "元旦", "元宵", "天然", "天地", "单位", "单元", "例如", "头条", "头版", "类型", "种类", "字号",
    # date-unit and approximator compounds (used when classifying masks)
    "日报", "月刊", "年鉴", "年轻", "年代", "时代", "时期", "时间", "时报", "时候", "号召", "号角", "分析", "分别",
    "分类", "分会", "分局", "分院", "分队", "分公司", "多元", "多彩", "多样", "多方", "多措", "多渠道", "多媒体",
    "多维", "多层", "多角度", "多形式", "多领域", "余热", "余粮", "百姓", "百花", "百年", "百强", "百家", "百科",
    "千家",
)

APPROX_SUFFIXES: tuple[str, ...] = ("余", "餘", "多")
"""Approximators written right after the number (or its 万/亿): '11000余件', 'X万多条次'."""

def index_words(words) -> dict[str, tuple[str, ...]]:
    """Words grouped by their first character, longest first: a fast ``word_at`` lookup."""
    out: dict[str, list[str]] = {}
    for w in sorted(set(words), key=lambda w: (-len(w), w)):
        out.setdefault(w[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def word_at(text: str, pos: int, index: dict[str, tuple[str, ...]]) -> str | None:
    """The longest indexed word that starts at ``text[pos]``, or None."""
    for w in index.get(text[pos:pos + 1], ()):
        if text.startswith(w, pos):
            return w
    return None
