"""Build notebooks/03_weighting_index.ipynb (run: python notebooks/_build/build_03.py).

The notebook is generated so that its source stays reviewable in diffs; it is committed with
outputs stripped.
"""
from _nb import code, md, write_notebook

cells = [
    md("""
# 第 3 章 指标赋权与客户关系管理能力指数：层次分析法、熵权法、组合赋权、TOPSIS 与模糊综合评价
# Chapter 3 Weighting and the CRM capability index: AHP, entropy, combined weights, TOPSIS and fuzzy evaluation

本章为客户关系管理能力指标体系确定权重：用专家的两两比较判断（层次分析法，主观权重）和企业问卷得分（熵权法，客观权重），
把两者组合，再计算每家企业的能力指数、等级和排名，并用 TOPSIS、模糊综合评价和敏感性分析检验结论是否稳健。
修改下方 `parameters` 单元格即可换成自己的专家判断表和问卷数据。

This chapter weights the CRM capability indicator system: from experts' pairwise judgments (the analytic hierarchy
process, subjective weights) and from the firms' survey scores (the entropy method, objective weights). It combines
the two, computes every firm's capability index, grade and rank, and checks how robust the conclusions are with
TOPSIS, fuzzy comprehensive evaluation and a sensitivity analysis. Change the `parameters` cell to run the chapter
on your own judgment table and survey.
"""),
    code("""
# Parameters (papermill). Data sources are shipped data set names or paths to CSV/Excel files.
lang = "zh"                        # "zh" or "en": language of tables and figures
judgments = "crm_judgments"        # expert judgments, long table: expert, parent, a, b, value
judgment_scale = "saaty"           # "saaty" (1/9..9, "1/3") or "questionnaire" (-9..9 coding)
survey = "crm_survey"              # survey answers, one row per firm (items A11..A36)
codebook = "crm_codebook"          # codebook of the survey (scale, missing-value codes)
id_col = "firm_id"                 # respondent id column
attention_item = "attention_check" # screening (the same in chapters 02-04): instructed-response item ("" for none)
attention_answer = 2               # the answer it asks for
drop_careless = True               # drop straight-liners and respondents failing the attention check
ri_table = "saaty1980"             # "saaty1980", "saaty2005" or "donegan_dodd1991"
priority_method = "eigen"          # "eigen", "geometric" (方根法) or "arithmetic" (和积法)
group_method = "aij"               # "aij", "aip_geometric" or "aip_arithmetic"
exclude_inconsistent = False       # True: leave out experts with CR of 0.10 or more
entropy_normalisation = "minmax"   # "minmax", "sum" or "shifted_minmax"
combination = "linear"             # "linear", "multiplicative", "mdi" or "game_theory"
alpha = 0.5                        # share of the AHP weights in the linear combination
grade_thresholds = [40, 60, 80]    # cut points of the 0-100 index: weak | moderate | good | excellent
fuzzy_operator = "weighted_average"  # "weighted_average" M(·,⊕), "min_max" M(∧,∨), ...
mc_draws = 10000                   # Monte-Carlo draws of perturbed judgments
mc_spread = 0.25                   # sd of the log-normal perturbation of each judgment
seed = 20261123
""", tags=["parameters"]),
    code("""
import numpy as np
import pandas as pd
from IPython.display import display

from crmstudy import ahp, datasets, entropy, evaluation, weighting
from crmstudy.indicators import capability_system
from crmstudy.measurement import Codebook, prepare
from crmstudy.plotting import set_theme
from crmstudy.plotting.weighting import (consistency_plot, index_distribution, rank_stability_plot,
                                         sensitivity_plot, weights_bar)

set_theme(lang=lang)
pd.set_option("display.precision", 4)
system = capability_system()
names = system.labels(lang)
"""),
    md("""
## 3.1 指标体系与专家判断 / The hierarchy and the experts' judgments

目标层是客户关系管理能力指数（A），准则层是三项基本活动（A1–A3），指标层是 17 个二级指标。
层次分析法请专家在每个准则下两两比较其下级指标：“a 比 b 重要几倍”，用 Saaty 的 1–9 标度回答（1 同等重要，3 稍微重要，
5 明显重要，7 强烈重要，9 极端重要，倒数表示相反）。问卷导出的长表每行是一条判断。

The goal is the CRM capability index (A), the criteria are the three basic activities (A1-A3), and the indicators
are the 17 second-level indicators. AHP asks experts to compare, under each criterion, its sub-indicators pair by
pair: "how many times more important is a than b", on Saaty's 1-9 scale (1 equal, 3 moderate, 5 strong, 7 very
strong, 9 extreme; reciprocals for the reverse). The long table exported from the questionnaire has one judgment
per row.
"""),
    code("""
print(system.tree_text(lang))
table = datasets.read_table(judgments, what="expert judgments")
print(f"{len(table)} judgments, experts: {', '.join(map(str, table['expert'].unique()))}")
display(table.head(8))
"""),
    md("""
## 3.2 单个判断矩阵：权重与一致性 / One judgment matrix: priorities and consistency

以第一位专家在“创造和传递客户价值”（A2）下的 7×7 判断矩阵为例。权重取最大特征根对应的特征向量（默认；也可选方根法、和积法），
一致性指标 CI = (λmax − n)/(n − 1)，一致性比率 CR = CI/RI，RI 取所选的随机一致性指标表；CR < 0.10 视为一致性可以接受。

Take the first expert's 7 × 7 matrix under "creating and delivering customer value" (A2). The priorities are the
principal eigenvector (default; the row geometric mean and the column-normalised row mean are alternatives), the
consistency index is CI = (λmax − n)/(n − 1) and the consistency ratio CR = CI/RI with the chosen random-index table;
CR < 0.10 counts as acceptably consistent.
"""),
    code("""
matrices = ahp.from_long(table, scale=judgment_scale, system=system)
first_expert = str(table["expert"].iloc[0])
one = ahp.priorities(matrices[(first_expert, "A2")], priority_method, ri_table)
display(one.matrix.round(3))
print(one.summary())
"""),
    md("""
## 3.3 各专家的一致性 / Every expert's consistency

每位专家、每个准则都有一个判断矩阵。CR 超过 0.10 的矩阵应退回专家修改；结果中的 `inconsistency` 表按 |ln(a_ij w_j / w_i)|
排序，指出最需要重新考虑的判断。

Every expert has one matrix per criterion. A matrix with CR above 0.10 should go back to its expert; the result's
`inconsistency` table, sorted by |ln(a_ij w_j / w_i)|, names the judgments most worth revisiting.
"""),
    code("""
hier = ahp.hierarchy_weights(table, system, method=priority_method, group_method=group_method,
                             ri_table=ri_table, scale=judgment_scale,
                             exclude_inconsistent=exclude_inconsistent)
experts_only = hier.consistency[hier.consistency["expert"] != "group"]
display(experts_only.pivot(index="expert", columns="parent", values="cr"))
consistency_plot(experts_only, lang=lang);
"""),
    code("""
worst = experts_only.sort_values("cr", ascending=False).iloc[0]
bad = ahp.priorities(matrices[(worst["expert"], worst["parent"])], priority_method, ri_table)
print(f"expert {worst['expert']}, criterion {worst['parent']}: CR = {bad.cr:.3f}")
display(bad.inconsistency.head(5))
"""),
    md("""
## 3.4 群决策与层次总排序 / Group decision and global weights

多位专家的判断按元素几何平均合成（AIJ，保持互反性），也可先求各自权重再几何或算术平均（AIP）。
全局权重 = 局部权重 × 上级准则的全局权重；层次总排序一致性比率 CR = Σ w_p CI_p / Σ w_p RI_p。

The experts' judgments are aggregated by the element-wise geometric mean (AIJ, which keeps reciprocity), or their
priority vectors are averaged geometrically or arithmetically (AIP). A global weight is the local weight times the
global weight of the parent; the hierarchical consistency ratio is CR = Σ w_p CI_p / Σ w_p RI_p.
"""),
    code("""
display(hier.to_frame(lang))
print(hier.total_cr.rename("hierarchical CR"))
"""),
    md("""
## 3.5 熵权法：客观权重 / The entropy method: objective weights

熵权法只看数据：某指标在各企业间差异越大（熵越小），提供的信息越多，权重越大。先清洗问卷（缺失值编码、反向题、不认真作答者），
再按效益型/成本型指标做极差标准化，计算 p_ij、熵 e_j、差异系数 d_j = 1 − e_j 与权重 w_j = d_j / Σ d_j。CRITIC 法同时考虑
对比强度（标准差）和指标间冲突性（相关），作为另一种客观赋权。

The entropy method looks at the data only: the more an indicator varies between firms (the lower its entropy), the
more information it carries and the larger its weight. The survey is cleaned first (missing-value codes, reverse
items, careless respondents), then min-max standardised by benefit/cost direction; p_ij, the entropy e_j, the
divergence d_j = 1 − e_j and the weight w_j = d_j / Σ d_j follow. CRITIC, a second objective method, combines
contrast (standard deviation) with conflict (correlation) between indicators.
"""),
    code("""
responses = datasets.read_table(survey, what="survey responses")
book = Codebook.from_frame(datasets.read_table(codebook, what="codebook"))
screening = dict(attention_check=(attention_item, attention_answer) if attention_item else None,
                 drop_careless=drop_careless)   # the study's rule: chapters 02-04 analyse the same firms
prepared = prepare(responses, book, id_col=id_col, missing="person_mean", **screening)
scores = prepared.items[system.leaves()]
ent = entropy.entropy_weights(scores, system.directions(), normalisation=entropy_normalisation,
                              dropna=True)
crit = entropy.critic_weights(scores, system.directions(), dropna=True)
print(f"{ent.n_alternatives} firms with complete answers ({len(ent.dropped_rows)} incomplete rows dropped)")
display(ent.table.assign(critic=crit.weights.to_numpy()))
"""),
    md("""
## 3.6 组合赋权 / Combining the weights

主观权重反映专家经验，客观权重反映数据差异，二者各有偏颇，常组合使用：线性加权 w = α w_AHP + (1 − α) w_熵，乘法合成，
最小鉴别信息（√(w_AHP w_熵) 归一化），以及博弈论组合赋权。

Subjective weights carry the experts' experience, objective weights the variation in the data; each is biased in its
own way, so they are usually combined: linearly w = α w_AHP + (1 − α) w_entropy, multiplicatively, by minimum
discrimination information (√(w_AHP w_entropy) normalised), or by the game-theory combination.
"""),
    code("""
combined = weighting.combine(hier, ent, combination, alpha=alpha)
print(combined.summary())
compare = pd.DataFrame({m: weighting.combine(hier, ent, m, alpha=alpha).weights
                        for m in weighting.COMBINATION_METHODS})
display(compare.rename(index=names))
weights_bar(combined.table, system, lang=lang);
"""),
    md("""
## 3.7 能力指数、等级与排名 / Capability index, grades and ranks

每家企业的得分先按量表范围（1–7）换算到 0–100，再以组合权重加权：维度指数 I_d = Σ_{j∈d} w_j s_j / Σ_{j∈d} w_j，
总指数 I = Σ_j w_j s_j。按阈值分为差、中、良、优四个等级，并排名（1 为最好，并列取最小名次）。

Each firm's scores are mapped from the answer range (1-7) to 0-100 and weighted by the combined weights: dimension
indices I_d = Σ_{j∈d} w_j s_j / Σ_{j∈d} w_j and the overall index I = Σ_j w_j s_j. Thresholds give four grades (weak,
moderate, good, excellent) and the firms are ranked (1 is best, ties share the smallest rank).
"""),
    code("""
complete = scores.drop(index=list(ent.dropped_rows))
index = evaluation.capability_index(complete, combined, system, thresholds=grade_thresholds, lang=lang)
print(index.summary())
display(index.table.head(10))
index_distribution(index, lang=lang);
"""),
    md("""
## 3.8 TOPSIS

TOPSIS 用向量归一化、加权后，计算每家企业到正理想解和负理想解的距离，贴近度 C = d⁻/(d⁺ + d⁻) 越大越好。
它与加权综合指数的排名通常高度一致。

TOPSIS vector-normalises and weights the scores, measures each firm's distance to the ideal and the anti-ideal point,
and ranks by the closeness C = d⁻/(d⁺ + d⁻). Its ranking usually agrees closely with the weighted index.
"""),
    code("""
closeness = evaluation.topsis(complete, combined.weights, system.directions())
both = pd.DataFrame({"index": index.index, "topsis": closeness})
print(f"Spearman correlation of the index and TOPSIS closeness: "
      f"{both.corr(method='spearman').iloc[0, 1]:.3f}")
display(both.assign(rank_index=evaluation.rank(both["index"]),
                    rank_topsis=evaluation.rank(both["topsis"])).sort_values("rank_index").head(10))
"""),
    md("""
## 3.9 模糊综合评价 / Fuzzy comprehensive evaluation

把全部企业的回答看成对样本整体能力的“评语”：隶属度矩阵 R 的每一行是某指标落在各评语等级的比例。
先在每个维度内合成 B_d = w_d ∘ R_d，再在目标层合成 B = W ∘ [B_d]，按最大隶属度原则和加权评分给出等级。

Treat all firms' answers as "comments" on the capability of the sample as a whole: each row of the membership matrix
R is the share of answers of an indicator at each grade. Compose within each dimension, B_d = w_d ∘ R_d, then at the
goal, B = W ∘ [B_d]; the grade follows from the maximum membership and from the weighted score.
"""),
    code("""
grade_names = {"zh": ["很差", "较差", "一般", "较好", "很好"],
               "en": ["very poor", "poor", "fair", "good", "very good"]}[lang]
level_to_grade = dict(zip(range(1, 8), [grade_names[g] for g in (0, 0, 1, 2, 3, 4, 4)]))
answers = prepare(responses, book, id_col=id_col, missing="pairwise",
                  **screening).items[system.leaves()]   # raw answers, missing left out
membership = evaluation.membership_from_answers(answers, levels=range(1, 8), grades=level_to_grade)
fuzzy = evaluation.fuzzy_evaluation(membership, combined.weights, operator=fuzzy_operator,
                                    grade_scores=[20, 40, 60, 80, 100], system=system)
display(fuzzy.table)
print(f"grade by maximum membership: {fuzzy.grade}; weighted score: {fuzzy.score:.1f}")
"""),
    md("""
## 3.10 敏感性分析 / Sensitivity analysis

结论对权重是否敏感？一是单因素扰动：把某一指标的权重增减 10%、20%，其余按比例调整，看多少企业名次改变；
二是蒙特卡洛模拟：对每个判断做对数正态扰动，成千上万次重新计算层次分析法权重（批量矩阵计算），再与熵权组合，得到各企业名次的分布。

Are the conclusions sensitive to the weights? First, one at a time: raise or lower one indicator's weight by 10 % and
20 %, rescale the others, and count the firms whose rank changes. Second, Monte Carlo: perturb every judgment
log-normally, recompute the AHP weights thousands of times (batched matrix computations), combine each draw with the
entropy weights, and look at the distribution of every firm's rank.
"""),
    code("""
oat = evaluation.weight_sensitivity(index.scaled, combined.weights, changes=(-0.2, -0.1, 0.1, 0.2))
display(oat.groupby("change")[["rank_changes", "max_shift", "spearman"]].mean())
sensitivity_plot(oat, system, lang=lang);
"""),
    code("""
mc = ahp.monte_carlo(hier, draws=mc_draws, spread=mc_spread, seed=seed) if group_method == "aij" else None
if mc is not None:
    display(mc.table.rename(index=names))
    draws = weighting.combine_draws(mc.draws, ent, combination, alpha=alpha)
    stability = evaluation.rank_stability(index.scaled, draws, combined.weights, top=10)
    display(stability.head(10))
    rank_stability_plot(stability, lang=lang, top=30);
"""),
    md("""
## 小结 / Summary

- 层次分析法给出专家的主观权重，并用 CR 检查判断的一致性；不一致的专家可以定位到具体判断并排除。
- 熵权法和 CRITIC 从数据得到客观权重；组合赋权兼顾两者。
- 能力指数、等级、TOPSIS 与模糊综合评价从不同角度给出企业的相对位置；敏感性分析说明这些结论有多稳健。
- 下一章：客户关系管理能力对企业绩效的影响及调节效应。

- AHP gives the experts' subjective weights and checks their consistency with CR; an inconsistent expert can be
  traced to individual judgments and excluded.
- The entropy method and CRITIC derive objective weights from the data; combined weights use both.
- The capability index, grades, TOPSIS and fuzzy evaluation place firms from different angles; the sensitivity
  analysis shows how robust these placements are.
- Next chapter: the effect of CRM capability on firm performance, and its moderators.
"""),
]

write_notebook(cells, "03_weighting_index")
