"""Build notebooks/02_measurement.ipynb (run: python notebooks/_build/build_02.py).

The notebook is generated so that its source stays reviewable in diffs; it is committed with
outputs stripped.
"""
from _nb import code, md, write_notebook

cells = [
    md("""
# 第 2 章 问卷测量：编码手册、数据清理、信度与效度
# Chapter 2 Survey measurement: codebook, data cleaning, reliability and validity

研究者用李克特量表测量客户关系管理能力及其调节变量。在赋权或回归之前，一项研究必须先证明量表可靠（信度）且测到了想测的构念（效度）。
本章从编码手册和原始答卷出发，依次完成数据清理、反向计分、缺失值处理、量表得分、信度分析（α、ω、题项分析）、
KMO 与 Bartlett 检验、探索性因子分析、共同方法偏差检验和验证性因子分析（CR、AVE、Fornell-Larcker 准则、HTMT），
最后生成一段可以直接写进论文的测量报告。修改下方 `parameters` 单元格即可换成自己的问卷。

Researchers measure CRM capability and its moderators with Likert questionnaires. Before any weighting or regression a
study must show that its scales are reliable and that they measure the intended constructs (validity). Starting from
a codebook and the raw answers, this chapter cleans the data, recodes reverse-keyed items, handles missing answers,
computes scale scores, analyses reliability (alpha, omega, item statistics), runs the KMO and Bartlett tests, an
exploratory factor analysis, a common-method-bias check and a confirmatory factor analysis (CR, AVE, the
Fornell-Larcker criterion, HTMT), and ends with a measurement paragraph ready for a thesis. Change the `parameters`
cell to run the chapter on your own survey.
"""),
    code("""
# Parameters (papermill). Data sources are shipped data set names or paths to CSV/Excel/YAML files.
lang = "zh"                       # "zh" or "en": language of tables and figures
survey = "crm_survey"             # raw answers, one row per respondent
codebook = "crm_codebook"         # codebook: item, construct, min, max, reverse, missing_codes, ...
id_col = "firm_id"                # respondent id column
missing = "person_mean"           # "person_mean", "pairwise" or "listwise"
min_share = 0.5                   # person-mean imputation / scores need this share of a construct's items
invalid = "raise"                 # "raise" or "missing": what to do with out-of-range answers
attention_item = "attention_check"  # instructed-response item ("" if the survey has none)
attention_answer = 2              # the answer it asks for
drop_careless = True              # drop straight-liners and respondents failing the attention check
alpha_threshold = 0.70            # Nunnally (1978)
omega_threshold = 0.70
r_drop_threshold = 0.30           # corrected item-total correlation
efa_constructs = ["A1", "A2", "A3", "ED"]   # constructs in the EFA; an empty list means all
n_boot = 2000                     # bootstrap resamples for the CIs of alpha and omega
seed = 20261123
""", tags=["parameters"]),
    code("""
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from crmstudy import datasets
from crmstudy.measurement import (Codebook, bartlett_sphericity, cfa, cronbach_alpha, efa,
                                  harman_single_factor, kmo, omega_total, prepare, reliability,
                                  scale_scores, write_up)
from crmstudy.plotting import set_theme
from crmstudy.plotting.measurement import item_correlation_plot, loading_heatmap, reliability_bar

set_theme(lang=lang)
pd.set_option("display.precision", 3)
zh = lang == "zh"
"""),
    md("""
## 1 编码手册 / The codebook

编码手册是问卷的"说明书"：每个题项属于哪个构念、量表的最小值和最大值、是否反向计分、哪些数字代表"未作答"（如 99、-9）。
所有后续步骤都由它驱动，所以先检查它：重复题项、未知构念、最小值不小于最大值、只有一个题项的构念，都会给出指明行号的错误。

The codebook is the manual of the questionnaire: which construct each item measures, the scale minimum and maximum,
whether it is reverse-keyed, and which numbers mean "no answer" (e.g. 99, -9). Every later step is driven by it, so it
is validated first: duplicate items, unknown constructs, min ≥ max and single-item constructs raise errors naming the line.
"""),
    code("""
book = Codebook.from_source(codebook)
text_col = "text_zh" if zh else "text_en"
shown = book.to_frame()[["item", "construct", text_col, "min", "max", "reverse", "missing_codes"]]
shown.columns = (["题项", "构念", "题目", "最小值", "最大值", "反向计分", "缺失值代码"] if zh
                 else ["Item", "Construct", "Wording", "Min", "Max", "Reverse-keyed", "Missing codes"])
print(book)
display(shown)
"""),
    md("""
## 2 数据清理 / Preparing the answers

`prepare` 一次完成：缺失值代码变为缺失；超出量表范围或非数字的答案按编号和题项报告（默认报错，也可设为缺失）；
反向题按 最小值 + 最大值 − x 重新计分；检查重复编号；用"长串指数"（连续相同答案的最长长度）和注意力检查题识别不认真作答者；
最后按所选规则处理缺失值：成列删除（listwise）、成对删除（pairwise，相关分析用全部可用数据），
或个人均值插补（person mean：某人回答了某构念至少一半题项时，用其在该构念上已答题项的均值补齐——问卷研究的常用做法）。
原始数据不会被修改。

`prepare` does it in one call: missing-value codes become missing; out-of-range or non-numeric answers are reported by
respondent and item (an error by default, or set missing); reverse-keyed items are recoded min + max − x; duplicate ids
are checked; careless respondents are flagged by the long-string index (the longest run of identical answers) and the
attention-check item; finally the chosen missing-data policy is applied: listwise, pairwise (correlations use every
available pair), or person-mean imputation (a respondent who answered at least half of a construct's items gets the
mean of those answers for the missing ones, the common rule in survey research). The raw data are never modified.
"""),
    code("""
raw = datasets.read_table(survey, what="survey responses")
check = (attention_item, attention_answer) if attention_item else None
survey = prepare(raw, book, id_col=id_col, invalid=invalid, missing=missing, min_share=min_share,
                 attention_check=check, drop_careless=drop_careless)
report = survey.report
display(report.summary(lang))
"""),
    code("""
missing_table = report.missing_by_item[["construct", "n_missing_code", "n_invalid", "n_missing",
                                        "share_missing", "n_imputed"]]
missing_table.columns = (["构念", "缺失代码", "无效答案", "缺失合计", "缺失比例", "插补"] if zh else
                         ["Construct", "Missing codes", "Invalid", "Missing", "Share missing", "Imputed"])
display(missing_table.T)
flagged = report.careless[report.careless["flagged"]]
print(("疑似不认真作答的样本：" if zh else "Respondents flagged as careless: ") + str(len(flagged)))
display(flagged)
"""),
    md("""
**反向计分的检验。** 反向题（如"本行业的技术和产品多年来基本保持稳定"）的原始答案应与同一构念的其他题项负相关，重新计分后变为正相关。

**Checking the reverse keying.** The raw answers to a reverse-keyed item should correlate negatively with the other
items of its construct, and positively after recoding.
"""),
    code("""
rows = []
for item in book.reverse_items:
    construct = book.construct_of(item)
    others = [i for i in book.items_of(construct) if i != item]
    rest = survey.items[others].mean(axis=1)
    raw_item = pd.to_numeric(raw.set_index(id_col)[item], errors="coerce")
    lo, hi = book.table.set_index("item").loc[item, ["min", "max"]]
    raw_item = raw_item.where(raw_item.between(lo, hi)).reindex(rest.index)
    rows.append({"item": item, "construct": construct,
                 "r_raw": raw_item.corr(rest), "r_recoded": survey.items[item].corr(rest)})
reverse_check = pd.DataFrame(rows, columns=["item", "construct", "r_raw", "r_recoded"])
reverse_check.columns = (["题项", "构念", "原始答案与其余题项均值的相关", "重新计分后的相关"] if zh else
                         ["Item", "Construct", "r with rest (raw)", "r with rest (recoded)"])
display(reverse_check)
"""),
    md("""
## 3 量表得分 / Scale scores

构念得分是其题项的均值（或总分），只在答题比例不低于 `min_share` 时计算；`n_items_*` 列给出每个得分用到的题项数。
第 3、4 章使用这些得分。

A construct's score is the mean (or sum) of its items, computed when at least `min_share` of them were answered; the
`n_items_*` columns give the number of items each score used. Chapters 3 and 4 use these scores.
"""),
    code("""
scores = scale_scores(survey)
display(scores[book.constructs].describe().T)
"""),
    md("""
## 4 信度 / Reliability

- **Cronbach's α** = k/(k−1)·(1 − Σ题项方差/总分方差)，衡量内部一致性，一般要求 ≥ 0.70（Nunnally 1978）；
  置信区间用 Feldt (1965) 的 F 分布方法；标准化 α 用相关矩阵计算。
- **McDonald's ω** 来自单因子模型：ω = 1 − Σ独特方差 / 相关矩阵元素之和。α 假定各题载荷相等（τ 等价），ω 不需要这一假定。
- **校正题总相关（CITC）**：题项与其余题项总分的相关，一般要求 ≥ 0.30；**删除该题后的 α** 高于原 α 时，该题值得检查。

- **Cronbach's alpha** = k/(k−1)·(1 − Σ item variances / variance of the total), internal consistency, usually
  required to be ≥ 0.70 (Nunnally 1978); its confidence interval is Feldt's (1965); standardised alpha uses correlations.
- **McDonald's omega** comes from a one-factor model: ω = 1 − Σ uniquenesses / sum of the correlation matrix. Alpha
  assumes equal loadings (tau-equivalence); omega does not.
- **Corrected item-total correlation (CITC)**: the item against the sum of the other items, usually ≥ 0.30; when
  **alpha if item deleted** is above the scale's alpha, the item deserves a look.
"""),
    code("""
thresholds = {"alpha": alpha_threshold, "omega": omega_threshold, "r_drop": r_drop_threshold}
rel = reliability(survey, thresholds=thresholds)
display(rel.summary(lang))
display(rel.item_summary(lang))
"""),
    md("""
**自助法置信区间。** 对 α 和 ω 各做 `n_boot` 次有放回重抽样（所有重抽样一次性用矩阵乘法计算），与 Feldt 区间对照。

**Bootstrap intervals.** `n_boot` resamples of the respondents for alpha and omega (all resamples computed at once by
matrix products), next to Feldt's interval.
"""),
    code("""
rows = []
for construct in book.constructs:
    block = survey.construct_items(construct)
    a_boot = cronbach_alpha(block, ci_method="bootstrap", n_boot=n_boot, seed=seed)
    o_boot = omega_total(block, ci=0.95, n_boot=n_boot, seed=seed)
    feldt = cronbach_alpha(block).ci
    rows.append([construct, a_boot.alpha, *feldt, *a_boot.ci, o_boot.omega, *o_boot.ci])
boot_table = pd.DataFrame(rows, columns=(
    ["构念", "α", "Feldt 下限", "Feldt 上限", "自助法下限", "自助法上限", "ω", "ω 自助法下限", "ω 自助法上限"] if zh else
    ["Construct", "alpha", "Feldt low", "Feldt high", "bootstrap low", "bootstrap high", "omega",
     "omega bootstrap low", "omega bootstrap high"])).set_index("构念" if zh else "Construct")
display(boot_table)
"""),
    md("""
## 5 因子分析的前提：KMO 与 Bartlett 检验 / Can the items be factored? KMO and Bartlett

KMO（取样适切性量数）比较题项间的相关与偏相关，≥ 0.6 可以做因子分析，≥ 0.8 为"很好"（Kaiser 1974）；
Bartlett 球形检验的原假设是相关矩阵为单位矩阵，p < 0.05 表示题项之间存在足够的相关。

The KMO measure of sampling adequacy compares correlations with partial correlations; ≥ 0.6 allows factoring, ≥ 0.8
is "meritorious" (Kaiser 1974). Bartlett's test of sphericity tests whether the correlation matrix is an identity;
p < 0.05 means the items correlate enough.
"""),
    code("""
k = kmo(survey)
b = bartlett_sphericity(survey)
factorability = pd.DataFrame({
    ("指标" if zh else "Statistic"): ["KMO", "Bartlett χ²", "df", "p"],
    ("数值" if zh else "Value"): [k.overall, b.chi2, b.df, b.p],
    ("判断" if zh else "Verdict"): [k.label_in(lang), "", "", ("显著" if zh else "significant") if b.passes else ""],
})
display(factorability)
display(k.summary().T)
"""),
    md("""
## 6 探索性因子分析 / Exploratory factor analysis

用最小残差法（minres）提取因子、直接斜交（oblimin）旋转（构念之间相关，因此用斜交旋转）。每个题项应在其所属构念的因子上有高载荷（≥ 0.5），
在其他因子上的交叉载荷低（< 0.3）。

Factors are extracted by minimum residuals (minres) and rotated obliquely (oblimin), since the constructs correlate.
Each item should load highly (≥ 0.5) on its own construct's factor and weakly (< 0.3) elsewhere.
"""),
    code("""
efa_book = book.subset(efa_constructs) if efa_constructs else book
exploratory = efa(survey.items[efa_book.items], n_factors=len(efa_book.constructs))
display(exploratory.variance.T)
fig = loading_heatmap(exploratory, lang=lang, cutoff=0.3)
"""),
    md("""
## 7 共同方法偏差：Harman 单因素检验 / Common-method bias: Harman's single-factor test

所有题项由同一受访者在同一时间回答时，可能存在共同方法偏差。Harman 检验把全部题项放在一起做未旋转的因子分析：
若第一个因子解释的方差超过 50%，说明偏差可能严重。这是一个较弱的检验（通过它并不能排除偏差），但在该领域的文献中普遍报告。

When all items come from one respondent at one time, common-method variance may inflate correlations. Harman's test
factors all items together without rotation; if the first factor explains more than 50% of the variance, the bias may
be serious. It is a weak test (passing it does not rule the bias out) but widely reported in this literature.
"""),
    code("""
harman = harman_single_factor(survey)
print(("第一个因子解释的方差：" if zh else "Variance explained by the first factor: ") + f"{harman.share:.1%}")
"""),
    md("""
## 8 验证性因子分析 / Confirmatory factor analysis

按编码手册的构念—题项关系建立测量模型，用最大似然法估计（semopy，结果与 R lavaan 一致）。
拟合指标的常用标准：χ²/df ≤ 3，CFI、TLI ≥ 0.90，RMSEA、SRMR ≤ 0.08（Hu & Bentler 1999）。
**收敛效度**：标准化载荷 ≥ 0.5，组合信度 CR ≥ 0.7，平均方差抽取量 AVE ≥ 0.5（Fornell & Larcker 1981）。
**区分效度**：每个构念 AVE 的平方根大于它与其他构念的相关（Fornell-Larcker 准则），且 HTMT < 0.85（Henseler 等 2015）。

The measurement model follows the codebook (construct → items) and is estimated by maximum likelihood (semopy; the
results agree with R's lavaan). Usual cut-offs: χ²/df ≤ 3, CFI and TLI ≥ 0.90, RMSEA and SRMR ≤ 0.08 (Hu & Bentler
1999). **Convergent validity**: standardised loadings ≥ 0.5, composite reliability CR ≥ 0.7, average variance
extracted AVE ≥ 0.5 (Fornell & Larcker 1981). **Discriminant validity**: the square root of each construct's AVE exceeds
its correlations with the other constructs (Fornell-Larcker criterion), and HTMT < 0.85 (Henseler et al. 2015).
"""),
    code("""
confirmatory = cfa(survey, book.model)
tables = confirmatory.summary(lang)
display(tables["fit"])
display(tables["validity"])
"""),
    code("""
fl = confirmatory.fornell_larcker.copy()
print("Fornell-Larcker (" + ("对角线为 AVE 的平方根" if zh else "diagonal: square root of AVE") + ")")
display(fl.where(np.tril(np.ones(fl.shape, dtype=bool))))
print("HTMT")
display(confirmatory.htmt.where(np.tril(np.ones(fl.shape, dtype=bool), -1)))
"""),
    code("""
fig = loading_heatmap(confirmatory, book, lang=lang)
"""),
    code("""
fig = item_correlation_plot(survey, lang=lang)
"""),
    code("""
fig = reliability_bar(rel, confirmatory, lang=lang, threshold=alpha_threshold)
"""),
    md("""
## 9 与模拟真值对照 / Against the simulated truth

内置数据是模拟的，生成它的载荷和因子相关已知。估计值应接近真值；由于 7 点量表把连续反应切成等级，皮尔逊相关下的载荷会略低于真值。
用自己的数据时，本节会自动跳过。

The shipped data are simulated with known loadings and factor correlations. The estimates should be close to the
truth; cutting continuous responses into 7 categories makes Pearson-based loadings slightly smaller. With your own data
this section is skipped.
"""),
    code("""
if survey == "crm_survey":
    truth = datasets.load("crm_truth")
    estimated = confirmatory.loadings.set_index("item")["std_all"]
    compare = pd.DataFrame({"truth": pd.Series(truth["loadings"]), "estimate": estimated}).dropna()
    compare["difference"] = compare["estimate"] - compare["truth"]
    display(compare.T)
    factors = [f for f in truth["factor_corr"] if f in confirmatory.factor_corr.index]
    true_corr = pd.DataFrame(truth["factor_corr"]).loc[factors, factors]
    display((confirmatory.factor_corr.loc[factors, factors] - true_corr).round(3))
else:
    print("own data: no simulated truth to compare with")
"""),
    md("""
## 10 可写进论文的测量报告 / A measurement paragraph for the thesis

下面的文字完全由上面的结果生成，阈值与参数单元格一致。

The text below is generated from the results above, with the thresholds of the parameters cell.
"""),
    code("""
display(Markdown(write_up(rel, k, b, confirmatory, harman, lang=lang)))
"""),
    md("""
## 小结 / Summary

- 编码手册驱动整个清理流程：缺失值代码、反向计分、量表范围都写在里面，错误会指明行号、题项和受访者。
- 信度看 α、ω 和题项分析；效度看 KMO/Bartlett、探索性因子分析、验证性因子分析的拟合与 CR、AVE、Fornell-Larcker、HTMT。
- 不认真作答者会拉低反向题的载荷：把 `drop_careless` 改为 `False` 再运行一次，比较 ED3 的载荷。
- 下一章用这里的题项得分为客户关系管理能力指标赋权并计算能力指数。

- The codebook drives the cleaning: missing codes, reverse keys and scale ranges live there, and errors name the line,
  item and respondent.
- Reliability: alpha, omega and item analysis. Validity: KMO/Bartlett, EFA, and CFA fit with CR, AVE,
  Fornell-Larcker and HTMT.
- Careless respondents depress the loading of the reverse-keyed item: set `drop_careless = False`, run again and
  compare the loading of ED3.
- Next chapter: weighting the CRM capability indicators with these item scores, and the capability index.
"""),
]

write_notebook(cells, "02_measurement")
