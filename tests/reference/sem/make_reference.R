# Reference values for tests/test_sem.py, made with R lavaan (Debian package).
# Run from the repository root:  Rscript tests/reference/sem/make_reference.R
# Writes tests/reference/sem/<case>.json (parameter table, fit measures, R^2) and the data
# files the tests read (PoliticalDemocracy.csv, HolzingerSwineford1939.csv, hs_missing.csv).
suppressMessages({library(lavaan); library(jsonlite)})
out <- "tests/reference/sem"
data(PoliticalDemocracy, package = "lavaan")
data(HolzingerSwineford1939, package = "lavaan")
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(PoliticalDemocracy, file.path(out, "PoliticalDemocracy.csv"), row.names = FALSE)
write.csv(hs, file.path(out, "HolzingerSwineford1939.csv"), row.names = FALSE)

# FIML case: missing at random given x1 (the more x1, the likelier x5/x6/x9 are missing) and
# completely at random elsewhere; seed fixed, the data are committed.
set.seed(20260101)
hsm <- hs
n <- nrow(hsm)
p_mar <- plogis(-2 + 0.8 * as.numeric(scale(hsm$x1)))
for (v in c("x5", "x6", "x9")) hsm[[v]][runif(n) < p_mar] <- NA
for (v in c("x2", "x4", "x7", "x8")) hsm[[v]][runif(n) < 0.08] <- NA
write.csv(hsm, file.path(out, "hs_missing.csv"), row.names = FALSE, na = "")

measures <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "nfi", "ifi", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "gfi", "agfi",
              "logl", "unrestricted.logl", "aic", "bic", "ntotal")
robust <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
            "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled",
            "cfi.robust", "tli.robust", "rmsea.scaled", "rmsea.ci.lower.scaled",
            "rmsea.ci.upper.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
            "rmsea.ci.upper.robust")

dump <- function(name, fit, model, extra = character(0), call = "") {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit, se = FALSE)
  pe$std.all <- ss$est.std
  fm <- fitMeasures(fit, c(measures, extra))
  r2 <- inspect(fit, "r2")
  res <- list(model = model, call = call, lavaan = as.character(packageVersion("lavaan")),
              estimates = pe, fit = as.list(unclass(fm)), r2 = as.list(r2))
  writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
             file.path(out, paste0(name, ".json")))
}

pd_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
  dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  indirect := a*b
  total := c + a*b
'
dump("pd_ml", sem(pd_model, data = PoliticalDemocracy), pd_model, call = 'sem(model, data)')
dump("pd_mlr", sem(pd_model, data = PoliticalDemocracy, estimator = "MLR"), pd_model, robust,
     call = 'sem(model, data, estimator = "MLR")')

hs_model <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
'
dump("hs_cfa", cfa(hs_model, data = hs), hs_model, call = 'cfa(model, data)')
hs2_model <- paste(hs_model, '  g =~ visual + textual + speed\n')
dump("hs_second_order", cfa(hs2_model, data = hs), hs2_model, call = 'cfa(model, data)')
dump("hs_fiml", cfa(hs_model, data = hsm, missing = "fiml"), hs_model,
     call = 'cfa(model, data, missing = "fiml")')
dump("hs_mlr", cfa(hs_model, data = hs, estimator = "MLR"), hs_model, robust,
     call = 'cfa(model, data, estimator = "MLR")')
sat_model <- 'visual =~ x1 + x2 + x3\n'
dump("saturated", cfa(sat_model, data = hs), sat_model, call = 'cfa(model, data)')
path_model <- '
  y1 ~ x1 + x2
  y5 ~ x1 + y1
  y3 ~ x1
'
dump("pd_path", sem(path_model, data = PoliticalDemocracy), path_model, call = 'sem(model, data)')
cat("done\n")

# The tutorial's model exactly (no equality constraints), with the indirect effect.
tut_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
'
dump("pd_tutorial", sem(tut_model, data = PoliticalDemocracy), tut_model, call = 'sem(model, data)')

# Unmeasured latent method construct (Podsakoff et al. 2003): trait model vs trait + method
# (lavaan warns for hs_ulmc: a negative latent variance, an improper solution; the tests use
# the equal-loadings variant hs_ulmc_equal, which is proper)
# factor loading on every item, orthogonal to the traits, loadings free (marker x1 = 1).
ulmc_model <- paste(hs_model, '
  method =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9
  method ~~ 0*visual + 0*textual + 0*speed
')
dump("hs_ulmc", cfa(ulmc_model, data = hs), ulmc_model, call = 'cfa(model, data)')
ulmc_eq <- paste(hs_model, '
  method =~ NA*x1 + m*x1 + m*x2 + m*x3 + m*x4 + m*x5 + m*x6 + m*x7 + m*x8 + m*x9
  method ~~ 0*visual + 0*textual + 0*speed
  method ~~ 1*method
')
dump("hs_ulmc_equal", cfa(ulmc_eq, data = hs), ulmc_eq, call = 'cfa(model, data)')

# FIML with a structural part and covariates (modelled: fixed.x = FALSE) on
# PoliticalDemocracy with values removed completely at random (seed fixed, data committed),
# and the path model under MLR (fixed.x = TRUE).
set.seed(20260102)
pdm <- PoliticalDemocracy
for (v in c("y1", "y5", "y3", "x2")) pdm[[v]][runif(nrow(pdm)) < 0.12] <- NA
write.csv(pdm, file.path(out, "pd_missing.csv"), row.names = FALSE, na = "")
dump("pd_path_fiml", sem(path_model, data = pdm, missing = "fiml", fixed.x = FALSE), path_model,
     call = 'sem(model, data, missing = "fiml", fixed.x = FALSE)')
dump("pd_path_mlr", sem(path_model, data = PoliticalDemocracy, estimator = "MLR"), path_model,
     robust, call = 'sem(model, data, estimator = "MLR")')

# Robust FIML (MLR with missing = "fiml"): Huber-White SEs and the Yuan-Bentler scaled chi-square.
dump("hs_fiml_mlr", cfa(hs_model, data = hsm, missing = "fiml", estimator = "MLR"), hs_model,
     robust, call = 'cfa(model, data, missing = "fiml", estimator = "MLR")')

# MIMIC: a factor regressed on observed covariates (fixed.x = TRUE), and an outcome factor.
mimic_model <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual ~ x7 + x8
  textual ~ visual + x7
'
dump("hs_mimic", sem(mimic_model, data = hs), mimic_model, call = 'sem(model, data)')
