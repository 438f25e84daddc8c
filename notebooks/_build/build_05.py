"""Build notebooks/05_customer_value.ipynb (run: python notebooks/_build/build_05.py).

The notebook is generated so that its source stays reviewable in diffs; it is committed with
outputs stripped.
"""
from _nb import code, md, write_notebook

cells = [
    md("""
# 第 5 章 客户价值：RFM、客户流失与保持、客户终生价值与客户细分
# Chapter 5 Customer value: RFM, churn and retention, customer lifetime value, segments

本章在真实的 CDNOW 交易数据（23,570 位客户的 69,659 笔交易，1997-01 至 1998-06）上计算客户价值：
RFM 分析、流失与保持、三个层次的客户终生价值（教学公式、基于保持率的公式、BG/NBD + Gamma-Gamma 概率模型），
价值—忠诚度细分，最后用模拟的 B2B 客户数据演示客户价值评价指标体系和客户价值向量模型。
修改下方 `parameters` 单元格即可在自己的交易数据上运行本章。

This chapter computes customer value on the real CDNOW transactions (69,659 purchases of 23,570 customers,
January 1997 to June 1998): RFM analysis, churn and retention, customer lifetime value at three levels (the
teaching formula, the retention-based formula, the BG/NBD + Gamma-Gamma probability model), value × loyalty
segments, and finally the customer-value indicator system and the customer-value vector on simulated B2B
customers. Change the `parameters` cell to run the chapter on your own transactions.
"""),
    code("""
# Parameters (papermill). Data sources are shipped data set names or paths to CSV/Excel files.
lang = "zh"                       # "zh" or "en": language of tables and figures
transactions = "cdnow"            # one row per purchase: data set name, CSV/Excel, Parquet or glob
customer_col = "customer_id"
date_col = "date"
amount_col = "dollar_value"
snapshot = "1998-06-30"           # RFM and churn are measured at this date
calibration_end = "1997-09-30"    # models are fitted on purchases up to this date ...
observation_end = "1998-06-30"    # ... and checked on the holdout period after it
time_unit = "W"                   # "D", "W" or "M": time unit of the BG/NBD summary
horizon_months = 12               # CLV horizon in months
discount_rate = 0.01              # monthly discount rate
margin = 1.0                      # share of spend that is profit (1.0: revenue CLV)
rfm_frequency = "days"            # "days" (distinct purchase days) or "transactions"
rfm_monetary = "total"            # "total" or "mean"
rfm_ties = "consistent"           # "consistent" or "equal_count"
segment_rules = ""                # YAML/CSV file of RFM segment rules; empty: the shipped rules
churn_window_days = 180           # churned: no purchase in this many days
value_measure = "clv"             # value axis of the segments: "clv" or "monetary"
loyalty_measure = "frequency"     # loyalty axis: "frequency", "tenure" or "p_alive"
segment_cut = "median"            # "median" or "mean"
high_if = "gt"                    # "gt": on the cut counts as low; "ge": as high
seed = 2024                       # train/test split, random forest, k-means
b2b_customers = "b2b_customers"   # B2B customers with the indicators C11..C43
b2b_judgments = "b2b_judgments"   # AHP judgments for the customer-value system
combination = "linear"            # how AHP and entropy weights are combined
alpha = 0.5                       # share of the AHP weights (linear combination)
""", tags=["parameters"]),
    code("""
import warnings

import numpy as np
import pandas as pd
from IPython.display import display

from crmstudy import datasets, indicators
from crmstudy import customer_value as cv
from crmstudy.customer_value import system as cvs
from crmstudy.plotting import set_theme
from crmstudy.plotting import customer_value as cvplot

set_theme(lang=lang)
pd.set_option("display.precision", 3)
ZH = lang == "zh"
if str(transactions).lower().endswith((".parquet", ".pq")) or any(c in str(transactions) for c in "*?["):
    # Parquet file(s) or a glob: DuckDB reads only the three columns (extra crmstudy[duckdb])
    tx = cv.read_transactions(transactions, customer_col, date_col, amount_col)
else:
    tx = datasets.read_table(transactions, what="transactions")
tx = cv.validate_transactions(tx, customer_col, date_col, amount_col)
# from here on the clean table has the columns customer_id, date, amount
C, D, A = "customer_id", "date", "amount"
print(f"{len(tx):,} transactions, {tx[C].nunique():,} customers, {tx[D].min().date()} to {tx[D].max().date()}")
"""),
    md("""
## 5.1 RFM 分析 / RFM analysis

RFM 用三个数描述每位客户：**R**（最近一次购买距今的天数，越小越好）、**F**（购买次数，这里按不同的购买日计）、
**M**（消费金额，总额）。每个数再打 1–5 分，5 分最好（R 反向）。真实数据中并列极多（CDNOW 约一半客户只买过一次），
所以分箱规则必须写明：默认“并列一致”，并列的客户得同一分，分数取并列组起点所在的五分位；
也可选“等数量分箱”，按文档给出的次序打破并列。结果与行的顺序无关。

RFM describes every customer by three numbers: **R** (days since the last purchase, smaller is better), **F** (number
of purchases, here distinct purchase days) and **M** (money spent, total). Each gets a score from 1 to 5, 5 best (R
reversed). Real data are full of ties (about half of CDNOW's customers bought once), so the binning rule is stated:
by default tied customers share a score, the quintile in which their tie group starts; the alternative is equal-count
bins with a documented tie-breaker. The result does not depend on the order of the rows.
"""),
    code("""
table = cv.rfm(tx, C, D, A, snapshot=snapshot, frequency=rfm_frequency, monetary=rfm_monetary,
               ties=rfm_ties)
display(table.head(8))
print(table.attrs)
scores = pd.DataFrame({s: table[s].value_counts().sort_index() for s in "RFM"}).fillna(0).astype(int)
scores.index.name = "得分" if ZH else "score"
display(scores)
"""),
    md("""
热力图显示每个 R × F 单元格中客户的平均消费额：右上角（最近买过、买得多）是最有价值的客户。

The heat map shows the mean spend of the customers in each R × F cell: the top right (recent and frequent) holds
the most valuable customers.
"""),
    code("""
fig = cvplot.rfm_heatmap(table, value="monetary", lang=lang)
"""),
    md("""
命名的细分来自一张规则表（数据而非代码：`crmstudy/customer_value/rfm_segments.yaml`），从上到下第一个匹配的规则生效。

Named segments come from a rule table (data, not code: `crmstudy/customer_value/rfm_segments.yaml`); the first
rule that matches, from the top, wins.
"""),
    code("""
rules = cv.segment_rules(segment_rules or None)
display(rules[["segment", f"name_{lang}", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]])
segmented = cv.rfm_segments(table, rules=segment_rules or None, lang=lang)
seg_summary = segmented.groupby("segment_name", observed=True).agg(
    customers=("R", "size"), recency=("recency", "mean"), frequency=("frequency", "mean"),
    monetary=("monetary", "mean")).sort_values("customers", ascending=False)
seg_summary["share"] = seg_summary["customers"] / seg_summary["customers"].sum()
display(seg_summary)
"""),
    md("""
## 5.2 客户流失与保持 / Churn and retention

**保持率**：上一期活跃（有购买）的客户中本期仍活跃的比例；**流失率** = 1 − 保持率。
**同期群**：按首购月份分组，看每组在首购后第 k 个月仍购买的比例。CDNOW 的客户都在 1997 年第一季度首购，
所以同期群只有三个。

**Retention rate**: the share of customers active (buying) last period who are active again this period;
**churn rate** = 1 − retention. **Cohorts**: customers grouped by the month of their first purchase, followed month
by month. All CDNOW customers made their first purchase in 1997-Q1, so there are three cohorts.
"""),
    code("""
retention = cv.period_retention(tx, C, D, A, freq="M")
display(retention.head(8))
cohorts = cv.cohort_retention(tx, C, D, A, freq="M")
fig = cvplot.cohort_heatmap(cohorts, lang=lang, max_periods=17)
"""),
    md(f"""
没有合同的业务里，“流失”只能用不活跃来定义：在快照日之前 `churn_window_days` 天内没有购买即视为流失。

Without contracts, churn can only be defined by inactivity: a customer with no purchase in the `churn_window_days`
days up to the snapshot counts as churned.
"""),
    code("""
status = cv.churn_status(tx, C, D, A, at=snapshot, window_days=churn_window_days)
print(("流失率" if ZH else "churn rate") + f" ({churn_window_days} d): {status.attrs['churn_rate']:.1%}")
"""),
    md("""
### 5.2b 用机器学习预测流失 / Predicting churn with scikit-learn

特征取自校准期（R、F、M、客户年龄、平均购买间隔、消费趋势），标签取自保留期（保留期内没有购买 = 流失）。
逻辑回归（先标准化）和随机森林在同一训练集上拟合，在测试集上用 ROC AUC 和前 10% 提升度评价，
并与 BG/NBD 模型的得分比较。注意：BG/NBD 的 P(alive) 对只买过一次的客户恒为 1，
所以“1 − P(alive)”作为流失得分很差；模型给出的“保留期预期购买次数”（取负）才是合适的得分。

Features come from the calibration period (R, F, M, tenure, mean gap between purchases, spend trend), the label
from the holdout period (no purchase in the holdout = churned). A logistic regression (after scaling) and a random
forest are fitted on the same training split and evaluated on the test split by ROC AUC and top-decile lift, next
to the BG/NBD scores. Note: the BG/NBD P(alive) is 1 for every one-time buyer, so "1 − P(alive)" is a poor churn
score; the model's expected number of holdout purchases (negated) is the proper one.
"""),
    code("""
features = cv.churn_features(tx, C, D, A, calibration_end=calibration_end, observation_end=observation_end)
summary = cv.summary_data(tx, C, D, A, calibration_end=calibration_end, observation_end=observation_end,
                          freq=time_unit)
bg = cv.BetaGeo().fit(summary)
holdout_length = float(summary["duration_holdout"].iloc[0])
bg_scores = {"BG/NBD 1 − P(alive)": 1 - bg.p_alive(summary),
             "BG/NBD −E[purchases]": -bg.conditional_expected_purchases(holdout_length, summary)}
churn_models = cv.predict_churn(features, extra_scores=bg_scores, seed=seed, n_estimators=50)
display(churn_models.metrics)
fig = cvplot.churn_model_plot(churn_models, lang=lang)
"""),
    md("""
k-means 聚类是数据驱动的细分：对 log(F)、log(M) 和 R 标准化后聚类，用轮廓系数选择聚类数（设定随机种子）。
下表把聚类与规则型 RFM 细分并排比较。

k-means clustering is the data-driven alternative: R, log F and log M are standardised and clustered, the number of
clusters chosen by the silhouette score (seeded). The table sets the clusters beside the rule-based RFM segments.
"""),
    code("""
clusters = cv.kmeans_segments(table, k_range=range(2, 7), seed=seed, sample_size=3000)
display(clusters.silhouette.to_frame().T)
display(clusters.centers)
display(pd.crosstab(segmented["segment_name"], clusters.labels))
fig = cvplot.cluster_plot(clusters, table, lang=lang)
"""),
    md("""
## 5.3 客户终生价值 / Customer lifetime value

**(a) 教学公式**：年利润 × 预期年数；例如每年 10 万元、10 年，终生价值 100 万元（不折现）。

**(a) The teaching formula**: yearly margin × expected years; e.g. 100,000 a year for 10 years is a lifetime value
of 1,000,000 (undiscounted).
"""),
    code("""
teaching = pd.DataFrame({
    "discount_rate": [0.0, 0.05, 0.10],
    "clv": [cv.simple_clv(100_000, 10, d) for d in (0.0, 0.05, 0.10)]})
display(teaching)
"""),
    md("""
**(b) 基于保持率的公式**（Gupta & Lehmann）：每期利润 m、保持率 r、折现率 d，无限期 CLV = m·r/(1 + d − r)，
即“利润乘数” r/(1 + d − r)。下表给出不同保持率下的乘数，以及 CDNOW 月度保持率的中位数对应的值。

**(b) Retention-based CLV** (Gupta & Lehmann): margin m per period, retention r, discount rate d; over an infinite
horizon CLV = m·r/(1 + d − r), the "margin multiple" r/(1 + d − r). The table gives the multiple for several
retention rates and for the median monthly retention of CDNOW.
"""),
    code("""
r_cdnow = float(retention["retention_rate"].iloc[3:].median())
rates = [0.5, 0.7, 0.8, 0.9, round(r_cdnow, 3)]
multiples = pd.DataFrame({"retention": rates,
                          "multiple_infinite": [cv.retention_clv(1.0, r, discount_rate) for r in rates],
                          f"multiple_{horizon_months}_periods": [cv.retention_clv(1.0, r, discount_rate, horizon=horizon_months) for r in rates]})
display(multiples)
"""),
    md("""
**(c) 概率模型**：BG/NBD 描述“活跃时按泊松过程购买、每次购买后以概率 p 流失”，Gamma-Gamma 描述每次消费额。
两者用最大似然估计（crmstudy 自己的闭式似然 + scipy；理由见 `crmstudy.customer_value.clv` 的文档）。
先在 Fader, Hardie & Lee (2005) 的 CDNOW 十分之一样本上复现论文的估计值。

**(c) The probability model**: BG/NBD says an active customer buys as a Poisson process and drops out after each
purchase with probability p; Gamma-Gamma models the spend per purchase. Both are fitted by maximum likelihood
(crmstudy's own closed-form likelihoods with scipy; see `crmstudy.customer_value.clv` for why). First we reproduce
the published estimates on the CDNOW 1-in-10 sample of Fader, Hardie & Lee (2005).
"""),
    code("""
sample = datasets.load("cdnow_sample")
sample_summary = cv.summary_data(sample, "customer_id", "date", "dollar_value",
                                 calibration_end="1997-09-30", freq="W")
check = pd.DataFrame({
    "crmstudy": {**cv.BetaGeo().fit(sample_summary).params_, **cv.GammaGamma().fit(sample_summary).params_},
    "published": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "v": 15.44}})
display(check)
"""),
    md("""
然后在本章的数据上拟合（校准期至 `calibration_end`，时间单位 `time_unit`），并看参数及其标准误。
时间单位随汇总表一起保存，CLV 的月数会按正确的系数换算（一个月 = 30.4375 天），避免同类库中常见的 30 倍误差。

Then we fit on this chapter's data (calibration up to `calibration_end`, time unit `time_unit`) and look at the
estimates and their standard errors. The time unit travels with the summary table, so the CLV horizon in months is
converted with the right factor (a month is 30.4375 days), avoiding the 30-fold error common in peer libraries.
"""),
    code("""
display(summary.head())
print(summary.attrs)
gg = cv.GammaGamma().fit(summary)
display(pd.concat({"BG/NBD": bg.summary(), "Gamma-Gamma": gg.summary()}))
print(f"corr(frequency, spend) = {gg.frequency_spend_correlation_:.3f}  (Gamma-Gamma assumes ≈ 0)")
"""),
    md("""
模型检验：保留期内的实际购买与预测购买（按校准期购买次数分组），以及整个客户群累计重复购买的跟踪图。

Checking the model: actual vs predicted purchases in the holdout period by calibration frequency, and the tracking
plot of the cohort's cumulative repeat purchases.
"""),
    code("""
holdout = cv.holdout_check(bg, summary)
display(holdout)
fig = cvplot.holdout_plot(holdout, lang=lang)
tracking = cv.tracking_data(bg, tx, C, D, A, calibration_end=calibration_end, observation_end=observation_end)
fig = cvplot.tracking_plot(tracking, lang=lang)
"""),
    md("""
最后计算每位客户在今后 `horizon_months` 个月的折现 CLV：以观察期末为起点，用全部数据重新拟合两个模型。

Finally each customer's discounted CLV over the next `horizon_months` months: the two models are refitted on all
data up to the end of the observation period.
"""),
    code("""
full = cv.summary_data(tx, C, D, A, observation_end=observation_end, freq=time_unit)
bg_full, gg_full = cv.BetaGeo().fit(full), cv.GammaGamma().fit(full)
clv = cv.customer_lifetime_value(bg_full, gg_full, full, months=horizon_months,
                                 discount_rate=discount_rate, margin=margin)
display(clv.summary().T)
display(clv.table.sort_values("clv", ascending=False).head(10))
fig = cvplot.distribution_plot(clv.table["p_alive"], "p_alive", lang=lang)
fig = cvplot.distribution_plot(clv.clv, "clv", lang=lang, log=True)
"""),
    md("""
## 5.4 价值—忠诚度细分 / Value × loyalty segments

按价值（`value_measure`，默认 CLV）和忠诚度（`loyalty_measure`，默认购买日数）两个维度、以中位数为界把客户分为四类，
并给出每类的策略（识别、区分、互动、定制，IDIC）。分界规则必须写明：CDNOW 过半客户只买过一次，购买日数的中位数是 1，
所以用 `high_if="gt"`（大于中位数才算“高”，即回头客为高忠诚）；若用“≥”，所有客户都会是高忠诚。
P(alive) 不适合作忠诚度：只买过一次的客户在 BG/NBD 中 P(alive) 恒为 1。

Customers fall into four classes by value (`value_measure`, CLV by default) and loyalty (`loyalty_measure`, purchase
days by default), cut at the median, each with its strategy (identify, differentiate, interact, customise: IDIC).
The cut rule must be stated: more than half of CDNOW's customers bought once, the median number of purchase days is
1, so `high_if="gt"` (above the median is high: repeat buyers are the loyal ones); with ">=" every customer would be
highly loyal. P(alive) is a poor loyalty measure: it is 1 for every one-time buyer in the BG/NBD model.
"""),
    code("""
customers = clv.table.join(table[["recency", "frequency", "monetary"]], how="left")
customers["tenure"] = full["T"]
customers["frequency"] = customers["frequency"].fillna(0)
segments = cv.value_loyalty_segments(customers, value=value_measure, loyalty=loyalty_measure,
                                     cut=segment_cut, high_if=high_if, lang=lang)
print({k: segments.attrs[k] for k in ("value_measure", "loyalty_measure", "value_cut", "loyalty_cut", "high_if")})
classes = segments.groupby("segment", observed=False).agg(
    name=("segment_name", "first"), customers=("value", "size"), mean_value=("value", "mean"),
    mean_loyalty=("loyalty", "mean"), strategy=("strategy", "first"))
display(classes)
fig = cvplot.segment_scatter(segments, lang=lang, log_value=value_measure in ("clv", "monetary"),
                             log_loyalty=loyalty_measure in ("frequency", "tenure"))
"""),
    md("""
## 5.5 B2B 客户价值评价指标体系 / The B2B customer-value indicator system

案例企业原来只按年订货额给客户排名。改进的指标体系包括价值贡献、客户忠诚度、发展潜力和公司实力四个维度、
18 项指标（其中服务成本、平均交易周期、小批量额外成本、与竞争对手的交往为成本型）。这里用模拟的 150 家客户
（生成模型和真实值见 `crmstudy.simulate.b2b`），以 AHP（主观）、熵权（客观）及其组合赋权。

The case firm ranked customers by annual order value alone. The improved system has four dimensions (value
contribution, loyalty, development potential, company strength) and 18 indicators (cost to serve, transaction
cycle, extra cost of small batches and dealings with competitors are cost indicators). We use 150 simulated
customers (generating model and truth in `crmstudy.simulate.b2b`) and weight the system with AHP (subjective),
entropy (objective) and their combination.
"""),
    code("""
system = indicators.customer_value_system()
print(system.tree_text(lang))
b2b = datasets.read_table(b2b_customers, what="B2B customers").set_index("customer_id")
judgments = datasets.read_table(b2b_judgments, what="AHP judgments")
w = cvs.customer_value_weights(b2b, judgments, combination=combination, alpha=alpha)
weights_table = w["table"].copy()
weights_table.insert(0, "name", [system.label(c, lang) for c in weights_table.index])
display(weights_table)
"""),
    code("""
index = cvs.customer_value_index(b2b, w["combined"], weighting=f"AHP + entropy ({combination})", lang=lang)
display(index.table.sort_values("rank").head(10))
display(index.table.groupby("value_class", observed=False).agg(
    name=("class_name", "first"), customers=("index", "size"), mean_index=("index", "mean"),
    strategy=("strategy", "first")))
"""),
    md("""
与只按年订货额排名相比：两种排名的前 10 名有多少重合？因为是模拟数据，我们还知道每位客户的“真实价值”，
可以检验哪种排名更接近真实。

Compared with ranking by annual order value alone: how many of the top 10 agree? As the data are simulated we also
know each customer's true value, and can check which ranking comes closer to it.
"""),
    code("""
truth = datasets.load("b2b_customers_latent").set_index("customer_id")["true_value"] \\
    if b2b_customers == "b2b_customers" else None
if "annual_order_value" in b2b.columns:
    display(cvs.compare_rankings(index.table["index"], b2b["annual_order_value"], truth=truth))
else:
    print("客户表没有年订货额（annual_order_value）列：跳过与订货额排名的比较。" if lang == "zh" else
          "The customer table has no annual_order_value column: the comparison is skipped.")
"""),
    md("""
## 5.6 客户价值向量模型 / The customer-value vector

把客户价值看作经济价值 x、功能价值 y、心理价值 z 构成的三维向量：大小 |CV| = √(x² + y² + z²)，
方向由与三个坐标轴的夹角给出。下面是三位客户的示例评分（0–10）。

Customer value as a vector of economic (x), functional (y) and psychological (z) value: magnitude
|CV| = √(x² + y² + z²), direction given by the angles to the three axes. Below, example ratings (0–10) of three
customers.
"""),
    code("""
ratings = pd.DataFrame({"economic": [8, 3, 5], "functional": [4, 7, 5], "psychological": [2, 6, 5]},
                       index=["K001", "K002", "K003"])
vectors = cv.value_vector(ratings["economic"], ratings["functional"], ratings["psychological"],
                          index=ratings.index)
display(vectors.round(2))
fig = cvplot.value_vector_plot(vectors, lang=lang)
"""),
    md("""
## 5.7 BTYD 模型比较：BG/NBD、MBG/NBD 与 Pareto/NBD / Comparing BTYD models

BG/NBD 不是唯一的“买到流失”（buy till you die）模型。**Pareto/NBD**（Schmittlein 等 1987）假设客户的寿命是指数分布、
可在任何时刻流失；**MBG/NBD**（Batislam 等 2007）在 BG/NBD 的基础上允许客户在首购之后立即流失，
所以只买过一次的客户的 P(alive) 不再恒为 1。三个模型用同一张校准期汇总表拟合（各 4 个参数），
然后在保留期上比较预测：按校准期购买次数分组的平均购买次数、总数误差、客户层误差，以及校准期的 AIC/BIC。

BG/NBD is not the only "buy till you die" model. **Pareto/NBD** (Schmittlein et al. 1987) lets a customer's lifetime be
exponential, so she can leave at any moment; **MBG/NBD** (Batislam et al. 2007) is the BG/NBD in which a customer may
also leave right after her first purchase, so a one-time buyer's P(alive) is no longer 1. The three models are fitted
on the same calibration summary (4 parameters each) and compared on the holdout: mean purchases by calibration
frequency, total error, customer-level error, and the calibration AIC/BIC.
"""),
    code("""
from crmstudy.errors import ModelFitError

candidates = {"BG/NBD": bg}
for name, model in (("MBG/NBD", cv.ModifiedBetaGeo()), ("Pareto/NBD", cv.ParetoNBD())):
    try:
        candidates[name] = model.fit(summary)
    except ModelFitError as err:  # a model that does not converge is reported, not fatal
        print(f"{name}: {err}")
display(pd.concat({name: m.summary() for name, m in candidates.items()}))
comparison = cv.compare_models(candidates, summary, lang=lang)
display(comparison.fit.rename(columns=comparison.fit.attrs["labels"]))
display(comparison.by_frequency)
fig = cvplot.model_comparison_plot(comparison, lang=lang)
print(("保留期分组误差最小的模型：" if ZH else "smallest holdout error (group means): ") + comparison.best("holdout_mae"))
"""),
    md("""
**怎样选择？** 看保留期预测，而不是校准期的似然：在 CDNOW 上 MBG/NBD 的校准期 AIC 最好，保留期预测却最差；
Pareto/NBD 的校准期似然最低，保留期的分组误差却最小（只买过一次的客户的预测偏低，多次购买的客户则几乎没有偏差）。
三者的客户层误差和相关系数相差很小，所以排序、细分用哪个都差不多；要预测未来的总量或做 CLV 时，选保留期误差小的模型。
BG/NBD 计算最简单、结果稳健，是常用的默认选择；当一次性购买者很多、需要它们的 P(alive) 时用 MBG/NBD；
Pareto/NBD 的流失可以在任何时刻发生，更符合“不购买也会流失”的情形，但它的似然需要超几何函数，计算较重（crmstudy 中已向量化）。
在自己的数据上，先看上表再决定。

**Which to choose?** Judge by the holdout forecast, not by the calibration likelihood: on CDNOW the MBG/NBD has the best
calibration AIC but the worst holdout forecast, while the Pareto/NBD has the lowest calibration likelihood and the
smallest holdout error by frequency group (it under-predicts one-time buyers, and hardly misses the repeat buyers).
At the customer level the three differ little (error and correlation), so for ranking and segmenting any of them
will do; for forecasting totals or CLV take the one with the smaller holdout error. The BG/NBD is the simplest to
compute and robust, the usual default; the MBG/NBD when one-time buyers dominate and their P(alive) matters; the
Pareto/NBD lets customers leave at any time, closer to "churn happens between purchases", at the price of a
likelihood that needs the hypergeometric function (vectorised in crmstudy). On your own data, read the table above.
"""),
    code("""
# CLV of the next horizon_months months under each model, refitted on all data (Gamma-Gamma spend)
clv_by_model = {"BG/NBD": clv.summary()}
for name, model in (("MBG/NBD", cv.ModifiedBetaGeo()), ("Pareto/NBD", cv.ParetoNBD())):
    if name in candidates:
        clv_by_model[name] = cv.customer_lifetime_value(model.fit(full), gg_full, full, months=horizon_months,
                                                        discount_rate=discount_rate, margin=margin).summary()
display(pd.concat(clv_by_model).droplevel(1)[["customers", "total_clv", "mean_clv", "median_clv", "mean_p_alive"]])
"""),
    md("""
## 5.8 合同制场景：移位贝塔几何（sBG）模型 / Contractual retention: the shifted beta-geometric model

订阅、会员、保险等合同制业务能直接观察到流失。Fader & Hardie (2007) 给出两个各 1,000 人的同期群（“高端”和“普通”客户）
每年初仍在订的人数。sBG 模型假设每位客户每期以自己的概率 θ 流失，θ 在客户间服从 Beta(α, β)：
因此整体保持率随时间**上升**（易流失的客户先走了），而没有任何个人的流失概率在变化。
按论文的做法，只用第 0–7 年拟合，再用第 8–12 年检验预测。

In contractual businesses (subscriptions, memberships, insurance) churn is observed. Fader & Hardie (2007) give two
cohorts of 1,000 customers ("high end" and "regular") and the number still subscribed at the start of each year. The
sBG model says each customer churns each period with her own probability θ, with θ ~ Beta(α, β) across customers:
aggregate retention therefore **rises** with tenure (the churn-prone leave first) although no individual's churn
probability changes. As in the paper we fit on years 0–7 and check the projection on years 8–12.
"""),
    code("""
cohorts = datasets.load("retention_fh2007").set_index("year")
sbg = {name: cv.ShiftedBetaGeometric().fit(cohorts[name].iloc[:8]) for name in ("high_end", "regular")}
display(pd.DataFrame({name: {**m.params_, "log_likelihood": m.log_likelihood_,
                             "mean_churn": m.summary().attrs["mean_churn"]} for name, m in sbg.items()}))
display(pd.concat({name: m.holdout_check(cohorts[name]) for name, m in sbg.items()}))
fig = cvplot.retention_plot(sbg["regular"].project(periods=15, survivors=cohorts["regular"]), lang=lang)
"""),
    md("""
**客户价值：DEL 与 DERL。** 每期收费 m、每期折现率 d 时，新客户的期望折现寿命 DEL = 2F1(1, β; α+β; 1/(1+d))，
客户终生价值 CLV = m·DEL；已续约 n 次的老客户的期望折现剩余寿命 DERL（Fader & Hardie 2010）随 n 增加：
留下来的客户是更忠诚的客户，其剩余价值远高于新客户——用单一的平均保持率计算会低估老客户的价值。
下表用每年 100 元、年折现率 10%。

**Customer value: DEL and DERL.** With a margin m per period and a discount rate d per period, a new customer's
discounted expected lifetime is DEL = 2F1(1, β; α+β; 1/(1+d)) and her CLV is m·DEL; the discounted expected residual
lifetime (DERL, Fader & Hardie 2010) of a customer who has renewed n times grows with n: those who stay are the
loyal ones, worth far more than a new customer, which a single average retention rate misses. The table uses a
margin of 100 a year and a yearly discount rate of 10%.
"""),
    code("""
yearly_margin, yearly_discount = 100.0, 0.10
display(pd.DataFrame({name: {"DEL": m.discounted_expected_lifetime(yearly_discount),
                             "CLV (new customer)": m.clv(yearly_margin, yearly_discount)} for name, m in sbg.items()}))
display(pd.concat({name: m.value_table(yearly_margin, yearly_discount, max_renewals=6) for name, m in sbg.items()},
                  axis=1))
"""),
    md("""
## 小结 / Summary

RFM 和保持率描述过去；BG/NBD + Gamma-Gamma 在保留期上检验之后，可以预测每位客户未来的购买和价值；
价值—忠诚度矩阵把预测变成行动；B2B 场景下，多指标体系比单一的订货额更接近客户的真实价值。

RFM and retention describe the past; BG/NBD + Gamma-Gamma, once checked on a holdout period, predict each
customer's future purchases and value; the value × loyalty matrix turns predictions into actions; and for B2B
customers a multi-indicator system comes closer to a customer's true value than order value alone.
"""),
]

write_notebook(cells, "05_customer_value")
