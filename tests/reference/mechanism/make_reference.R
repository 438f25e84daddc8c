# lavaan reference of chapter 06's SEM (the sample study's research model, built by
# crmstudy.mechanism.mechanism_sem; data and syntax written by write_inputs.py).
#   Rscript tests/reference/mechanism/make_reference.R
library(lavaan)
library(jsonlite)
dir <- "tests/reference/mechanism"
data <- read.csv(file.path(dir, "sem_data.csv"))
model <- paste(readLines(file.path(dir, "sem_model.lav")), collapse = "\n")
fit <- sem(model, data = data)   # ML, expected information, listwise: lavaan defaults
pe <- parameterEstimates(fit)
std <- standardizedSolution(fit)
keep <- pe$op %in% c("~", ":=")
out <- list(
  lavaan = as.character(packageVersion("lavaan")),
  fit = as.list(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr"))),
  estimates = data.frame(lhs = pe$lhs[keep], op = pe$op[keep], rhs = pe$rhs[keep],
                         est = pe$est[keep], se = pe$se[keep],
                         std_all = std$est.std[keep]),
  r2 = as.list(inspect(fit, "r2")[c("CP", "financial", "customer")])
)
write_json(out, file.path(dir, "lavaan_reference.json"), digits = 10, auto_unbox = TRUE, pretty = TRUE)
