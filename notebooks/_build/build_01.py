"""Build notebooks/01_framework.ipynb (run: python notebooks/_build/build_01.py).

The notebook is generated so that its source stays reviewable in diffs; it is committed with
outputs stripped.
"""
from _nb import code, md, write_notebook

cells = [
    md("""
# 第 1 章 客户关系管理能力：概念、分析框架与指标体系
# Chapter 1 CRM capability: concept, analysis framework and indicator systems

本章介绍客户关系管理能力的概念与分析框架，展示本书使用的三个指标体系（客户关系管理能力、企业绩效、客户价值），并初步查看随书数据。
修改下方 `parameters` 单元格（或用 `crmstudy run --params`）即可在自己的指标体系和数据上运行本章。

This chapter introduces the concept of CRM capability and its analysis framework, presents the three
indicator systems used throughout (CRM capability, firm performance, customer value), and takes a first
look at the sample data. Change the `parameters` cell (or use `crmstudy run --params`) to run the chapter
on your own indicator system and data.
"""),
    code("""
# Parameters (papermill). Data sources are shipped data set names or paths to CSV/Excel files.
lang = "zh"                      # "zh" or "en": language of tables and figures
system_file = ""                 # your own indicator system (YAML/CSV); empty: the CRM capability system
survey = "crm_survey"            # survey answers, one row per firm
financials = "crm_financials"    # financial statements, one row per firm-year
transactions = "cdnow"           # customer transactions
customer_col = "customer_id"
date_col = "date"
amount_col = "dollar_value"
""", tags=["parameters"]),
    code("""
import pandas as pd
from IPython.display import display

from crmstudy import datasets, indicators
from crmstudy.plotting import set_theme
from crmstudy.plotting.overview import framework_figure, likert_shares, monthly_activity

set_theme(lang=lang)
pd.set_option("display.max_colwidth", 60)
"""),
    md("""
## 1.1 什么是客户关系管理能力 / What CRM capability is

**客户关系管理能力**是企业以客户关系管理为导向，配置、开发和整合企业内外部资源，利用、分析和管理客户信息，
快速满足客户个性化需求，从而建立、发展和提升客户关系、形成竞争优势的知识和技能。

**CRM capability** is the knowledge and skills with which a CRM-oriented firm allocates, develops and integrates
internal and external resources, uses, analyses and manages customer information, meets individual customer needs
quickly, and so builds, develops and improves customer relationships into a competitive advantage.

## 1.2 分析框架 / The analysis framework

框架借用价值链的形式：**基本活动**依次为客户洞察 → 创造和传递客户价值 → 管理客户关系生命周期 → 客户盈利；
**支持活动**即影响能力的因素：信息技术、领导、企业文化、人力资源管理、组织设计和供应链伙伴。
前三项基本活动就是能力评价指标体系的三个一级指标 A1–A3。

The framework takes the shape of a value chain: the **basic activities** run from customer insight to creating
and delivering customer value, to managing the relationship lifecycle, to customer profitability; the
**support activities** are the factors that influence capability: IT, leadership, culture, HRM, organisational
design and supply-chain partners. The first three basic activities are the three first-level indicators A1–A3.
"""),
    code("""
display(indicators.capability_framework(lang))
framework_figure(lang=lang);
"""),
    md("""
## 1.3 客户关系管理能力评价指标体系 / The CRM capability indicator system

目标层为客户关系管理能力指数（A），准则层为三项一级指标（A1 客户洞察、A2 创造和传递客户价值、A3 管理客户关系生命周期），
指标层为 17 项二级指标。所有指标都由问卷按李克特量表测量，数值越大能力越强，因此都是**效益型**指标。
第 3 章用层次分析法（主观）和熵值法（客观）确定各层权重，并把企业的指标得分加权合成为能力指数。

The goal layer is the CRM capability index (A); the criterion layer holds three first-level indicators; the
indicator layer holds 17 second-level indicators. All are measured by Likert items, higher meaning more capable,
so all are **benefit** indicators. Chapter 3 weights the layers by AHP (judgement) and entropy (data) and
combines each firm's scores into its capability index.

If `system_file` names your own file, it is loaded and validated here instead (a duplicate code, a missing parent,
a cycle or a leaf without direction stops with a message naming the line).
"""),
    code("""
system = indicators.load_system(system_file) if system_file else indicators.capability_system()
print(system)
display(system.table(lang))
system.plot(lang=lang, kind="tree");
"""),
    code("""
system.plot(lang=lang, kind="sunburst");
"""),
    md("""
## 1.4 企业绩效指标体系 / The firm-performance indicator system

客户关系管理能力通过客户、创新和财务三条路径影响企业绩效（第 4 章检验这一影响及其调节因素）。
财务指标由财务报表计算，平均值取期初与期末余额的平均；资产负债率按成本型处理。

CRM capability affects firm performance through customers, innovation and finance (chapter 4 tests the effect and
its moderators). Financial indicators are computed from statements, averages being the mean of opening and closing
balances; the debt-to-asset ratio is treated as a cost indicator.
"""),
    code("""
performance = indicators.performance_system()
display(performance.table(lang))
"""),
    md("""
## 1.5 客户价值指标体系 / The customer-value indicator system

某电气元件企业原先只按年订货额给客户排名，忽视了服务成本和发展潜力。改进后的体系从价值贡献、客户忠诚度、发展潜力和公司实力四个方面评价客户
（第 5 章用它给模拟的 B2B 客户打分，并与按订货额排名对比）。标 (−) 的是成本型指标。

An electrical-components maker used to rank customers by yearly order value only, ignoring cost to serve and
potential. The improved system rates customers on value contribution, loyalty, development potential and company
strength (chapter 5 scores simulated B2B customers with it and contrasts the result with ranking by order value).
Indicators marked (−) are cost indicators.
"""),
    code("""
customer_value = indicators.customer_value_system()
display(customer_value.table(lang))
customer_value.plot(lang=lang);
"""),
    md("""
## 1.6 随书数据 / The sample data

随书数据分两类：**模拟数据**由 `crmstudy.simulate` 按已知的真值生成（因而能检验各章方法是否把真值找回来），
**真实数据**是 CDNOW 在线音乐商店的交易记录。

The sample data are of two kinds: **simulated** data generated by `crmstudy.simulate` from a known truth (so each
chapter can check that its methods recover it), and **real** data, the CDNOW online music store's transactions.
"""),
    code("""
catalogue = datasets.list_datasets()
display(catalogue[["name", "description_zh" if lang == "zh" else "description", "rows", "kind"]])
"""),
    md("""
### 问卷数据 / The survey

每行一家企业。题项为 1–7 分李克特量表；99（未回答）和 −9（拒答）是缺失值编码，第 2 章会把它们转为缺失值并处理反向计分题（ED3）。
下图是各题项的回答分布，灰色为缺失。

One row per firm. Items are 1–7 Likert answers; 99 (no answer) and −9 (refused) are missing-value codes, which
chapter 2 turns into missing values, also recoding the reverse-keyed item (ED3). The figure shows the answers per
item, missing in grey.
"""),
    code("""
if survey:
    answers = datasets.read_table(survey, what="survey answers")
    print(answers.shape)
    display(answers.head())
    item_columns = [c for c in system.leaves() if c in answers.columns]
    if item_columns:
        likert_shares(answers[item_columns], labels=system.labels(lang, with_code=True), lang=lang);
    else:
        print("问卷中没有本指标体系的题项：跳过答案分布图。" if lang == "zh" else
              "The survey has no item of this indicator system: the answer chart is skipped.")
else:
    print("本研究没有问卷数据：跳过本节。" if lang == "zh" else "The study has no survey: section skipped.")
"""),
    md("""
### 财务报表 / Financial statements

每行一个企业-年度（金额单位：万元）。第 4 章据此计算净资产收益率等财务指标。

One row per firm-year (money in 10k CNY). Chapter 4 computes ROE and the other financial ratios from them.
"""),
    code("""
if financials:
    statements = datasets.read_table(financials, what="financial statements")
    print(statements.shape)
    display(statements.describe().T.round(2))
else:
    print("本研究没有财务报表（绩效由问卷测量）：跳过本节。" if lang == "zh" else
          "The study has no financial statements (performance is measured by questionnaire): section skipped.")
"""),
    md("""
### 交易数据 / Transactions

CDNOW 数据记录了 1997 年第一季度首次购买的全部客户此后 18 个月的每一笔购买。多数客户只买过一次——这正是第 5 章研究客户流失和客户终生价值的起点。

CDNOW records every purchase of the customers who first bought in 1997-Q1, over the following 18 months. Most
customers bought only once: the starting point of chapter 5 on churn and customer lifetime value.
"""),
    code("""
if transactions:
    purchases = datasets.read_table(transactions, what="transactions")
    per_customer = purchases.groupby(customer_col).size()
    overview = pd.Series({
        "transactions": len(purchases),
        "customers": per_customer.size,
        "first date": pd.to_datetime(purchases[date_col]).min().date(),
        "last date": pd.to_datetime(purchases[date_col]).max().date(),
        "share buying once": round(float((per_customer == 1).mean()), 3),
        "revenue": round(float(purchases[amount_col].sum()), 2),
    })
    display(overview.to_frame("value"))
    monthly_activity(purchases, customer_col, date_col, amount_col, lang=lang);
else:
    print("本研究没有交易数据：跳过本节。" if lang == "zh" else "The study has no transactions: section skipped.")
"""),
    md("""
## 小结 / Summary

- 客户关系管理能力由客户洞察、创造和传递客户价值、管理客户关系生命周期三项基本活动构成，共 17 项指标。
- 企业绩效从财务、客户、创新三方面衡量；客户价值从价值贡献、忠诚度、发展潜力和公司实力四方面衡量。
- 下一章：问卷测量的信度与效度。

- CRM capability consists of three basic activities, measured by 17 indicators.
- Firm performance is measured financially, with customers and in innovation; customer value by contribution,
  loyalty, potential and company strength.
- Next chapter: reliability and validity of the survey measurement.
"""),
]

write_notebook(cells, "01_framework")
