#!/usr/bin/env Rscript
# Reference values for crmstudy.report's Table 1 (tests/test_report.py).
#
# Regenerate (from the repository root):
#     Rscript tests/reference/report/make_reference.R
# Needs R >= 4.1 with jsonlite.  Written with R 4.2.2.  Data: airquality (package datasets,
# New York air quality May-September 1973), 153 rows with missing Ozone (37) and Solar.R (7),
# written next to this script as CSV so the Python tests read exactly the same numbers.
#
# For both missing-data conventions of Table 1:
#   * pairwise: mean and sd of each variable over its non-missing rows; for every pair,
#     cor.test(x, y) (Pearson, two-sided; R uses the rows complete on the pair) -> r, p, n;
#   * listwise: the same on na.omit(d).
suppressPackageStartupMessages(library(jsonlite))

here <- local({
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f)) dirname(normalizePath(f)) else "tests/reference/report"
})

d <- airquality
names(d) <- c("Ozone", "Solar_R", "Wind", "Temp", "Month", "Day")
write.csv(d, file.path(here, "airquality.csv"), row.names = FALSE, na = "")

describe <- function(d) {
  vars <- names(d)
  pairs <- list()
  for (i in seq_along(vars)) for (j in seq_along(vars)) if (j < i) {
    x <- d[[vars[i]]]; y <- d[[vars[j]]]
    ct <- cor.test(x, y)
    pairs[[length(pairs) + 1]] <- list(a = vars[i], b = vars[j], r = unname(ct$estimate),
                                       p = ct$p.value, n = unname(ct$parameter) + 2)
  }
  list(variables = vars,
       mean = as.list(sapply(d, mean, na.rm = TRUE)),
       sd = as.list(sapply(d, sd, na.rm = TRUE)),
       n = as.list(sapply(d, function(v) sum(!is.na(v)))),
       pairs = pairs)
}

out <- list(
  meta = list(r_version = R.version.string, data = "datasets::airquality",
              note = "cor.test(x, y): Pearson, two-sided, pairwise complete rows"),
  pairwise = describe(d),
  listwise = describe(na.omit(d)))
write_json(out, file.path(here, "table1_reference.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
