# Reference values for crmstudy.evaluation.rank_agreement (tests/test_ch03_defects.py).
# Run: Rscript make_reference.R   (R 4.x, jsonlite). Scores: scores.csv (made by the test's
# documented generator, committed so R and Python read the same numbers).
library(jsonlite)
d <- read.csv("scores.csv")
top <- 10
ra <- rank(-d$a, ties.method = "min"); rb <- rank(-d$b, ties.method = "min")
out <- list(spearman = cor(d$a, d$b, method = "spearman"),
            kendall = cor(d$a, d$b, method = "kendall"),
            top = top,
            top_overlap = length(intersect(d$id[ra <= top], d$id[rb <= top])),
            n = nrow(d))
write_json(out, "reference.json", digits = 15, auto_unbox = TRUE, pretty = TRUE)
