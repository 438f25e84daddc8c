# Reference values for crmstudy.measurement (chapter 02), computed with R.
#
# Run from anywhere:   Rscript tests/reference/measurement/make_reference.R
# Needs: psych (2.2.9 used), lavaan (0.6-14), semTools (0.5-6), GPArotation, jsonlite.
# Writes next to this script:
#   bfi.csv, hs1939.csv            the data exactly as R ships them (NA = missing answer)
#   bfi_codebook.csv, hs1939_codebook.csv
#   psych_reference.json           alpha / item statistics / omega / KMO / Bartlett / eigenvalues / EFA
#   lavaan_reference.json          lavaan::cfa estimates and fitMeasures, semTools htmt / AVE / CR
# The tests read only these files (CI has no R).
suppressPackageStartupMessages({
  library(psych); library(lavaan); library(semTools); library(jsonlite); library(GPArotation)
})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- function(name) file.path(here, name)

versions <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
                 lavaan = as.character(packageVersion("lavaan")),
                 semTools = as.character(packageVersion("semTools")))

# ---------------------------------------------------------------- data sets
data(bfi, package = "psych")
bfi_items <- bfi[, 1:25]
bfi_out <- data.frame(id = sprintf("R%05d", seq_len(nrow(bfi_items))), bfi_items)
write.csv(bfi_out, out("bfi.csv"), row.names = FALSE, na = "")
bfi_reverse <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_construct <- substr(colnames(bfi_items), 1, 1)
write.csv(data.frame(item = colnames(bfi_items), construct = bfi_construct, min = 1, max = 6,
                     reverse = colnames(bfi_items) %in% bfi_reverse, missing_codes = ""),
          out("bfi_codebook.csv"), row.names = FALSE)
# reverse-keyed items recoded min + max - x = 7 - x, as crmstudy.measurement.prepare does
bfi_keyed <- bfi_items
bfi_keyed[, bfi_reverse] <- 7 - bfi_keyed[, bfi_reverse]

data(HolzingerSwineford1939, package = "lavaan")
hs <- HolzingerSwineford1939
hs_items <- hs[, paste0("x", 1:9)]
write.csv(data.frame(id = hs$id, hs_items), out("hs1939.csv"), row.names = FALSE)
write.csv(data.frame(item = paste0("x", 1:9), construct = rep(c("visual", "textual", "speed"), each = 3),
                     min = -10, max = 20, reverse = FALSE, missing_codes = ""),
          out("hs1939_codebook.csv"), row.names = FALSE)

# ---------------------------------------------------------------- psych statistics per scale
scale_stats <- function(x) {
  a <- psych::alpha(x, warnings = FALSE)            # use = "pairwise" (psych default)
  al <- psych::alpha(na.omit(x), warnings = FALSE)  # listwise for comparison
  om <- suppressWarnings(suppressMessages(psych::omega(x, nfactors = 1, fm = "minres", plot = FALSE)))
  f1 <- psych::fa(x, nfactors = 1, fm = "minres")
  k <- suppressWarnings(psych::KMO(x))
  b <- suppressWarnings(psych::cortest.bartlett(cor(x, use = "pairwise"), n = nrow(x)))
  list(
    n = nrow(x), n_complete = sum(complete.cases(x)),
    alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, average_r = a$total$average_r,
    G6 = a$total[["G6(smc)"]],
    feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]],
    alpha_listwise = al$total$raw_alpha, std_alpha_listwise = al$total$std.alpha,
    items = colnames(x),
    item_n = unname(a$item.stats$n), raw_r = unname(a$item.stats$raw.r),
    std_r = unname(a$item.stats$std.r), r_cor = unname(a$item.stats$r.cor),
    r_drop = unname(a$item.stats$r.drop), item_mean = unname(a$item.stats$mean),
    item_sd = unname(a$item.stats$sd),
    alpha_if_deleted = unname(a$alpha.drop$raw_alpha),
    std_alpha_if_deleted = unname(a$alpha.drop$std.alpha),
    average_r_if_deleted = unname(a$alpha.drop$average_r),
    omega_total = om$omega.tot, omega_loadings = unname(as.numeric(f1$loadings[, 1])),
    kmo = k$MSA, kmo_items = unname(k$MSAi),
    bartlett_chi2 = b$chisq, bartlett_df = b$df, bartlett_p = b$p.value
  )
}

bfi_scales <- lapply(split(colnames(bfi_keyed), bfi_construct), function(v) scale_stats(bfi_keyed[, v]))
hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
hs_scales <- lapply(hs_model, function(v) scale_stats(hs_items[, v]))

whole <- function(x) {
  r <- cor(x, use = "pairwise")
  k <- suppressWarnings(psych::KMO(x))
  b <- suppressWarnings(psych::cortest.bartlett(r, n = nrow(x)))
  ev <- eigen(r, symmetric = TRUE, only.values = TRUE)$values
  list(items = colnames(x), kmo = k$MSA, kmo_items = unname(k$MSAi),
       bartlett_chi2 = b$chisq, bartlett_df = b$df, bartlett_p = b$p.value,
       eigenvalues = ev, harman_share = ev[1] / ncol(x))
}
efa <- function(x, nf, fm) {
  f <- psych::fa(x, nfactors = nf, fm = fm, rotate = "oblimin")
  L <- unclass(f$loadings)
  list(fm = fm, rotate = "oblimin", items = rownames(L), loadings = unname(split(L, row(L))),
       phi = if (is.null(f$Phi)) NULL else unname(split(f$Phi, row(f$Phi))),
       communalities = unname(f$communality))
}
psych_ref <- list(
  versions = versions,
  bfi = list(reverse = bfi_reverse, scales = bfi_scales, whole = whole(bfi_keyed),
             efa_minres = efa(bfi_keyed, 5, "minres")),
  hs1939 = list(scales = hs_scales, whole = whole(hs_items),
                efa_minres = efa(hs_items, 3, "minres"), efa_ml = efa(hs_items, 3, "ml"))
)
writeLines(toJSON(psych_ref, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           out("psych_reference.json"))

# ---------------------------------------------------------------- lavaan CFA, semTools
cfa_ref <- function(model_list, data) {
  syntax <- paste(sprintf("%s =~ %s", names(model_list),
                          sapply(model_list, paste, collapse = " + ")), collapse = "\n")
  fit <- lavaan::cfa(syntax, data = data)            # ML, marker variable, listwise
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  fm <- lavaan::fitMeasures(fit, c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                                   "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                                   "rmsea.pvalue", "srmr", "aic", "bic", "ntotal"))
  # semTools 0.5-6 defaults to htmt2 = TRUE; ask for both variants explicitly
  h <- semTools::htmt(syntax, data = data, htmt2 = FALSE)
  h2 <- semTools::htmt(syntax, data = data, htmt2 = TRUE)
  cr <- semTools::compRelSEM(fit, obs.var = FALSE)
  ave <- semTools::AVE(fit)
  # Fornell-Larcker (1981) CR and AVE from lavaan's standardised loadings
  std <- pe[pe$op == "=~", ]
  fl_cr <- sapply(names(model_list), function(f) {
    l <- std$std.all[std$lhs == f]; sum(l)^2 / (sum(l)^2 + sum(1 - l^2)) })
  fl_ave <- sapply(names(model_list), function(f) mean(std$std.all[std$lhs == f]^2))
  list(syntax = syntax, model = model_list,
       params = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                     z = pe$z, std_all = pe$std.all),
       fit = as.list(fm),
       htmt = list(names = rownames(h), values = unname(split(unclass(h), row(h)))),
       htmt2 = list(names = rownames(h2), values = unname(split(unclass(h2), row(h2)))),
       composite_reliability_semtools = as.list(cr), ave_semtools = as.list(ave),
       composite_reliability_std = as.list(fl_cr), ave_std = as.list(fl_ave))
}
bfi_model <- split(colnames(bfi_keyed), bfi_construct)
lavaan_ref <- list(versions = versions,
                   hs1939 = cfa_ref(hs_model, hs_items),
                   bfi = cfa_ref(bfi_model, na.omit(bfi_keyed)))
writeLines(toJSON(lavaan_ref, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           out("lavaan_reference.json"))
cat("wrote", here, "\n")
