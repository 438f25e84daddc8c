#!/usr/bin/env Rscript
# Reference values for crmstudy.moderation (tests/test_moderation.py).
#
# Regenerate (from the repository root):
#     Rscript tests/reference/moderation/make_reference.R
# Needs R >= 4.1 with car, sandwich, lmtest and jsonlite.  Written with R 4.2.2, car 3.1-1,
# sandwich 3.0-2.  Data: mtcars and state.x77, both shipped with R (package datasets), also
# written next to this script as CSV so the Python tests read exactly the same numbers.
#
# For every case: a hierarchical regression (block 1 controls, block 2 focal predictor and
# moderator, block 3 their product), fitted with lm() on data whose focal predictor and
# moderator are mean-centred (or not), and
#   * steps: R^2, adjusted R^2, Delta R^2, F change with df and p from anova(m_{k-1}, m_k)
#     (pairwise: the SPSS "F change", denominator = residual MS of the larger model), and the
#     HC3 Wald test of the block from lmtest::waldtest(..., vcov = vcovHC(type = "HC3"));
#   * coefficients of every step: estimate, classical and HC3 standard errors, t, p, CIs
#     (confint / lmtest::coefci with the HC3 matrix, t with the residual df), standardised
#     betas (b * sd(design column) / sd(y));
#   * car::vif (GVIF, Df, GVIF^(1/(2 Df))) of every step with at least two terms;
#   * simple slopes of x at the mean and mean +/- 1 SD of w, and Johnson-Neyman bounds, both
#     from the full coefficient covariance (classical and HC3);
#   * the coefficients of the same model fitted on uncentred data (for the "uncentred
#     equivalents").
suppressPackageStartupMessages({
  library(car); library(sandwich); library(lmtest); library(jsonlite)
})

here <- local({
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f)) dirname(normalizePath(f)) else "tests/reference/moderation"
})

mt <- mtcars
mt$cyl <- factor(mt$cyl)
mt$car <- rownames(mtcars)
write.csv(mt[, c("car", "mpg", "cyl", "am", "hp", "wt")], file.path(here, "mtcars.csv"),
          row.names = FALSE)

st <- as.data.frame(state.x77)
names(st) <- c("Population", "Income", "Illiteracy", "Life_Exp", "Murder", "HS_Grad",
               "Frost", "Area")
st$state <- rownames(state.x77)
write.csv(st[, c("state", "Murder", "Population", "Frost", "Income", "Illiteracy", "HS_Grad")],
          file.path(here, "state_x77.csv"), row.names = FALSE)

coef_table <- function(m, vc_hc3) {
  est <- coef(m)
  se <- sqrt(diag(vcov(m)))
  se3 <- sqrt(diag(vc_hc3))
  df <- df.residual(m)
  q <- qt(0.975, df)
  X <- model.matrix(m)
  y <- model.response(model.frame(m))
  beta <- est * apply(X, 2, sd) / sd(y)
  beta[names(beta) == "(Intercept)"] <- NA
  data.frame(term = names(est), b = unname(est),
             se = unname(se), t = unname(est / se), p = unname(2 * pt(-abs(est / se), df)),
             ci_low = unname(confint(m)[, 1]), ci_high = unname(confint(m)[, 2]),
             se_hc3 = unname(se3), t_hc3 = unname(est / se3),
             p_hc3 = unname(2 * pt(-abs(est / se3), df)),
             ci_low_hc3 = unname(est - q * se3), ci_high_hc3 = unname(est + q * se3),
             beta = unname(beta))
}

vif_table <- function(m) {
  if (length(attr(terms(m), "term.labels")) < 2) return(NULL)
  v <- suppressMessages(suppressWarnings(car::vif(m, type = "terms")))
  if (is.null(dim(v))) {
    data.frame(term = names(v), gvif = unname(v), df = 1, gvif_adj = sqrt(unname(v)))
  } else {
    data.frame(term = rownames(v), gvif = v[, 1], df = v[, 2], gvif_adj = v[, 3])
  }
}

# Conditional slope of x at moderator values w0 (on the fitted, possibly centred, scale).
slopes <- function(m, V, x, xw, w0) {
  b <- coef(m); df <- df.residual(m)
  s <- b[x] + b[xw] * w0
  se <- sqrt(V[x, x] + 2 * w0 * V[x, xw] + w0^2 * V[xw, xw])
  q <- qt(0.975, df)
  data.frame(slope = unname(s), se = unname(se), t = unname(s / se),
             p = unname(2 * pt(-abs(s / se), df)), ci_low = unname(s - q * se),
             ci_high = unname(s + q * se))
}

# Johnson-Neyman: moderator values where |slope / se| = t_crit, the real roots of
# (b3^2 - t^2 V33) w^2 + 2 (b1 b3 - t^2 V13) w + (b1^2 - t^2 V11) = 0, checked with uniroot.
jn <- function(m, V, x, xw, alpha, shift) {
  b <- coef(m); tc <- qt(1 - alpha / 2, df.residual(m))
  a2 <- b[xw]^2 - tc^2 * V[xw, xw]
  a1 <- 2 * (b[x] * b[xw] - tc^2 * V[x, xw])
  a0 <- b[x]^2 - tc^2 * V[x, x]
  disc <- a1^2 - 4 * a2 * a0
  roots <- if (disc < 0) numeric(0) else sort((-a1 + c(-1, 1) * sqrt(disc)) / (2 * a2))
  f <- function(w) (b[x] + b[xw] * w) / sqrt(V[x, x] + 2 * w * V[x, xw] + w^2 * V[xw, xw]) - sign(b[x] + b[xw] * w) * tc
  checked <- vapply(roots, function(r) uniroot(f, c(r - 1e-3 * (1 + abs(r)), r + 1e-3 * (1 + abs(r))), tol = 1e-12)$root, 0)
  list(alpha = alpha, t_crit = unname(tc), a = unname(a2), bounds = unname(roots + shift),
       bounds_uniroot = unname(checked + shift), significant_inside = unname(a2 < 0))
}

run_case <- function(name, data, y, controls, x, w, center) {
  d <- data
  shift <- c(0, 0); names(shift) <- c(x, w)
  if (center) {
    shift[x] <- mean(d[[x]]); shift[w] <- mean(d[[w]])
    d[[x]] <- d[[x]] - shift[x]; d[[w]] <- d[[w]] - shift[w]
  }
  xw <- paste0(x, ":", w)
  blocks <- list(controls, c(x, w), xw)
  forms <- list(); terms_so_far <- character(0)
  for (k in seq_along(blocks)) {
    terms_so_far <- c(terms_so_far, blocks[[k]])
    forms[[k]] <- reformulate(terms_so_far, response = y)
  }
  m0 <- lm(reformulate("1", response = y), data = d)
  models <- lapply(forms, lm, data = d)
  prev <- c(list(m0), models)
  steps <- do.call(rbind, lapply(seq_along(models), function(k) {
    m <- models[[k]]; mp <- prev[[k]]
    a <- anova(mp, m)
    wt <- waldtest(mp, m, vcov = function(obj) vcovHC(obj, type = "HC3"), test = "F")
    r2p <- if (k == 1) 0 else summary(mp)$r.squared
    data.frame(step = k, r2 = summary(m)$r.squared, adj_r2 = summary(m)$adj.r.squared,
               delta_r2 = summary(m)$r.squared - r2p, f_change = a$F[2], df1 = a$Df[2],
               df2 = a$Res.Df[2], p_change = a$`Pr(>F)`[2],
               wald_f = wt$F[2], wald_p = wt$`Pr(>F)`[2])
  }))
  coefs <- lapply(models, function(m) coef_table(m, vcovHC(m, type = "HC3")))
  vifs <- lapply(models, vif_table)
  final <- models[[length(models)]]
  V <- list(nonrobust = vcov(final), HC3 = vcovHC(final, type = "HC3"))
  w_orig <- data[[w]]
  at <- mean(w_orig) + c(-1, 0, 1) * sd(w_orig)
  ss <- lapply(V, function(v) cbind(w = at, slopes(final, v, x, xw, at - shift[w])))
  jns <- lapply(V, function(v) lapply(c(0.05, 0.10), function(al) jn(final, v, x, xw, al, shift[w])))
  # uncentred equivalents: the same model on the original data
  unc <- lm(forms[[length(forms)]], data = data)
  unc_tab <- coef_table(unc, vcovHC(unc, type = "HC3"))
  list(name = name, y = y, controls = controls, x = x, w = w, center = center,
       shift = as.list(shift), n = nrow(d), formulas = vapply(forms, function(f) paste(deparse(f, width.cutoff = 500L), collapse = " "), ""),
       steps = steps, coefficients = coefs, vif = vifs, simple_slopes = ss,
       johnson_neyman = jns, uncentered = unc_tab)
}

cases <- list(
  run_case("mtcars", mt, "mpg", c("cyl", "am"), "hp", "wt", TRUE),
  run_case("state_x77", st, "Murder", c("Population", "Frost"), "Illiteracy", "Income", FALSE),
  run_case("state_x77_centered", st, "Murder", c("Population", "Frost", "HS_Grad"), "Income",
           "Illiteracy", TRUE)
)
meta <- list(R = R.version.string, car = as.character(packageVersion("car")),
             sandwich = as.character(packageVersion("sandwich")),
             lmtest = as.character(packageVersion("lmtest")))
writeLines(toJSON(list(meta = meta, cases = cases), digits = NA, auto_unbox = TRUE,
                  pretty = TRUE, na = "null"),
           file.path(here, "moderation_reference.json"))
cat("wrote", file.path(here, "moderation_reference.json"), "\n")
