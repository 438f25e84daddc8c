# Reference values for crmstudy.mediation from R (lm, sandwich, lavaan) on two public data sets
# that ship with the R package psych (>= 2.2): Tal_Or (Tal-Or, Cohen, Tsfati & Gunther 2010;
# Hayes 2022, ch. 3-5: presumed media influence, n = 123) and Garcia (Garcia, Schmitt,
# Branscombe & Ellemers 2010; Hayes 2022, ch. 7-12: protest and sexism, n = 129).
#
# Run from the repository root:  Rscript tests/reference/mediation/make_reference_r.R
# Writes tal_or.csv, garcia.csv (the data, so CI needs no R) and r_reference.json.
suppressPackageStartupMessages({library(psych); library(sandwich); library(lavaan);
  library(jsonlite)})
out <- "tests/reference/mediation"
tal <- psych::Tal_Or
tal <- data.frame(cond = as.numeric(tal$cond), pmi = as.numeric(tal$pmi),
                  import = as.numeric(tal$import), reaction = as.numeric(tal$reaction),
                  gender = ifelse(as.numeric(tal$gender) == 1, "g1", "g2"),
                  age = as.numeric(tal$age))
gar <- psych::Garcia
gar <- data.frame(protest = as.numeric(gar$protest), prot2 = as.numeric(gar$prot2),
                  sexism = as.numeric(gar$sexism), anger = as.numeric(gar$anger),
                  liking = as.numeric(gar$liking), respappr = as.numeric(gar$respappr))
write.csv(tal, file.path(out, "tal_or.csv"), row.names = FALSE)
write.csv(gar, file.path(out, "garcia.csv"), row.names = FALSE)

eq <- function(formula, data) {
  m <- lm(formula, data = data)
  s <- summary(m)
  co <- coef(s)
  hc3 <- sqrt(diag(vcovHC(m, type = "HC3")))
  hc0 <- sqrt(diag(vcovHC(m, type = "HC0")))
  list(formula = deparse(formula), term = rownames(co), b = unname(co[, 1]),
       se = unname(co[, 2]), t = unname(co[, 3]), p = unname(co[, 4]),
       se_hc3 = unname(hc3), se_hc0 = unname(hc0),
       r2 = s$r.squared, F = unname(s$fstatistic[1]), df1 = unname(s$fstatistic[2]),
       df2 = unname(s$fstatistic[3]), n = nrow(data))
}
cases <- list(
  tal_m4 = list(data = "tal_or.csv", model = 4, x = "cond", y = "reaction", m = list("pmi"),
    equations = list(pmi = eq(pmi ~ cond, tal), reaction = eq(reaction ~ cond + pmi, tal)),
    total = eq(reaction ~ cond, tal)),
  tal_m4_controls = list(data = "tal_or.csv", model = 4, x = "cond", y = "reaction",
    m = list("pmi"), controls = list("age", "gender"),
    equations = list(pmi = eq(pmi ~ cond + age + gender, tal),
                     reaction = eq(reaction ~ cond + pmi + age + gender, tal)),
    total = eq(reaction ~ cond + age + gender, tal)),
  tal_m4_parallel = list(data = "tal_or.csv", model = 4, x = "cond", y = "reaction",
    m = list("import", "pmi"),
    equations = list(import = eq(import ~ cond, tal), pmi = eq(pmi ~ cond, tal),
                     reaction = eq(reaction ~ cond + import + pmi, tal)),
    total = eq(reaction ~ cond, tal)),
  tal_m6 = list(data = "tal_or.csv", model = 6, x = "cond", y = "reaction",
    m = list("import", "pmi"),
    equations = list(import = eq(import ~ cond, tal), pmi = eq(pmi ~ cond + import, tal),
                     reaction = eq(reaction ~ cond + import + pmi, tal)),
    total = eq(reaction ~ cond, tal)),
  garcia_m7 = list(data = "garcia.csv", model = 7, x = "prot2", y = "liking",
    m = list("respappr"), w = "sexism",
    equations = list(respappr = eq(respappr ~ prot2 + sexism + prot2:sexism, gar),
                     liking = eq(liking ~ prot2 + respappr, gar))),
  garcia_m8 = list(data = "garcia.csv", model = 8, x = "prot2", y = "liking",
    m = list("respappr"), w = "sexism",
    equations = list(respappr = eq(respappr ~ prot2 + sexism + prot2:sexism, gar),
                     liking = eq(liking ~ prot2 + respappr + sexism + prot2:sexism, gar))),
  garcia_m14 = list(data = "garcia.csv", model = 14, x = "prot2", y = "liking",
    m = list("respappr"), w = "sexism",
    equations = list(respappr = eq(respappr ~ prot2, gar),
                     liking = eq(liking ~ prot2 + respappr + sexism + respappr:sexism, gar))),
  garcia_m58 = list(data = "garcia.csv", model = 58, x = "prot2", y = "liking",
    m = list("respappr"), w = "sexism",
    equations = list(respappr = eq(respappr ~ prot2 + sexism + prot2:sexism, gar),
                     liking = eq(liking ~ prot2 + respappr + sexism + respappr:sexism, gar)))
)

# lavaan: the simple mediation of Tal_Or with a defined indirect effect (delta method)
fit <- sem("pmi ~ a*cond
            reaction ~ cp*cond + b*pmi
            ind := a*b
            total := cp + a*b", data = tal)
pe <- parameterEstimates(fit)
row <- function(label) pe[pe$label == label | pe$lhs == label & pe$op == ":=", ][1, ]
lav <- list(call = "sem(model, data = Tal_Or), estimator ML, se = 'standard'",
            n = nrow(tal),
            a = list(est = row("a")$est, se = row("a")$se),
            b = list(est = row("b")$est, se = row("b")$se),
            cp = list(est = row("cp")$est, se = row("cp")$se),
            ind = list(est = row("ind")$est, se = row("ind")$se, z = row("ind")$z,
                       p = row("ind")$pvalue),
            total = list(est = row("total")$est, se = row("total")$se))
# lavaan: model 7 on Garcia, the index of moderated mediation a3*b as a defined parameter
gar$prot2_sexism <- gar$prot2 * gar$sexism
fit7 <- sem("respappr ~ a1*prot2 + a2*sexism + a3*prot2_sexism
             liking ~ cp*prot2 + b*respappr
             imm := a3*b
             ind_at_5 := (a1 + a3*5)*b", data = gar)
pe7 <- parameterEstimates(fit7)
lav7 <- list(call = "sem(model, data = Garcia), estimator ML",
             n = nrow(gar),
             imm = list(est = pe7[pe7$lhs == "imm", "est"], se = pe7[pe7$lhs == "imm", "se"]),
             ind_at_5 = list(est = pe7[pe7$lhs == "ind_at_5", "est"],
                             se = pe7[pe7$lhs == "ind_at_5", "se"]))
res <- list(generated_by = "tests/reference/mediation/make_reference_r.R",
            R = R.version.string, psych = as.character(packageVersion("psych")),
            lavaan = as.character(packageVersion("lavaan")),
            sandwich = as.character(packageVersion("sandwich")),
            cases = cases, lavaan_tal_m4 = lav, lavaan_garcia_m7 = lav7)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out, "r_reference.json"))
cat("wrote", file.path(out, "r_reference.json"), "\n")
