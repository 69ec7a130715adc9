# Reference model matrices for glmkit's R formula spellings, computed with R's model.matrix.
#
# Run from the repository root:
#
#     Rscript tests/reference/r/model_matrix.R
#
# Writes
#     tests/reference/data/formula_mtcars.csv      mtcars (the 11 numeric columns)
#     tests/reference/expected/model_matrix.json   one record per formula
#
# Reads tests/reference/data/quine.csv and esoph.csv (written by core_glm.R).
#
# Design notes (why, not what):
# - Each formula is written exactly as an R user writes it; glmkit is given the same text
#   (`gk_formula` differs only where glmkit's arguments replace R's columns, e.g. weights).
# - The model frame is R's: model.frame() (na.omit, drop.unused.levels = TRUE) then
#   model.matrix(); new data go through the frame's terms (their `predvars` carry the
#   training knots, polynomial coefficients and boundary knots) and `.getXlevels`, as
#   predict.lm does, so prediction on new data is checked with the training encoding.
# - New mtcars rows lie partly outside the training range of hp and wt, so the splines'
#   extrapolation (ns: linear beyond the boundary knots; bs: the boundary polynomial) is
#   compared too.
# - Factor levels in the C locale (codepoint order), as formulaic sorts strings.
# - Numbers: the shortest of 15/16/17 significant digits that round-trips exactly.

suppressPackageStartupMessages({
  library(MASS)
  library(splines)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))

if (!dir.exists("tests/reference")) {
  stop("run this script from the repository root: Rscript tests/reference/r/model_matrix.R")
}
data_dir <- "tests/reference/data"
expected_dir <- "tests/reference/expected"

mt <- datasets::mtcars
rownames(mt) <- NULL
write.csv(mt, file.path(data_dir, "formula_mtcars.csv"), row.names = FALSE)
# Missing values: R learns transforms' state (knots, polynomial coefficients) on every row,
# then drops incomplete rows, then drops factor levels no remaining row uses ("c" below is
# only in dropped rows).
missing_data <- data.frame(y = c(NA, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5),
                           x = c(100, 1:9, 12, 15), z = c(1:9, NA, 11, 12),
                           g = c("c", "b", "a", "a", "b", "a", "b", "a", "b", "c", "a", "b"))
write.csv(missing_data, file.path(data_dir, "formula_missing.csv"), row.names = FALSE)
read_data <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = TRUE)
datasets_used <- list(formula_mtcars = read_data("formula_mtcars"), quine = read_data("quine"),
                      esoph = read_data("esoph"), formula_missing = read_data("formula_missing"))

# New rows: mtcars rows with hp and wt moved partly outside their training ranges.
mt_new <- datasets_used$formula_mtcars[c(1, 5, 10, 20, 31), ]
mt_new$hp <- c(40, 100, 180, 250, 400)
mt_new$wt <- c(1.2, 2.5, 3.3, 4.0, 6.0)
rownames(mt_new) <- NULL
quine_new <- datasets_used$quine[c(1, 30, 60, 90, 120, 146), ]
rownames(quine_new) <- NULL
esoph_new <- datasets_used$esoph[c(1, 20, 40, 60, 88), ]
rownames(esoph_new) <- NULL
missing_new <- data.frame(x = c(0, 5, 50, 120), z = c(1, 2, 3, 4), g = c("a", "b", "a", "b"))
new_rows <- list(formula_mtcars = mt_new, quine = quine_new, esoph = esoph_new, formula_missing = missing_new)

cases <- list(
  list("dot_mtcars", "formula_mtcars", "mpg ~ ."),
  list("dot_minus_mtcars", "formula_mtcars", "mpg ~ . - disp - qsec"),
  list("dot_quine", "quine", "Days ~ ."),
  list("dot_minus_quine", "quine", "Days ~ . - Lrn"),
  list("dot_square_quine", "quine", "Days ~ (.)^2"),
  list("dot_log_response_quine", "quine", "log(Days + 1) ~ ."),
  list("factor_cyl", "formula_mtcars", "mpg ~ factor(cyl) + wt"),
  list("factor_times_numeric", "formula_mtcars", "mpg ~ factor(cyl) * wt"),
  list("factor_colon_factor", "formula_mtcars", "mpg ~ factor(cyl):factor(gear)"),
  list("factor_times_factor", "formula_mtcars", "mpg ~ factor(am) * factor(gear)"),
  list("factor_no_intercept", "formula_mtcars", "mpg ~ factor(cyl) + wt - 1"),
  list("factor_string_column", "quine", "Days ~ factor(Age) + Sex"),
  list("I_power", "formula_mtcars", "mpg ~ wt + I(wt^2) + I(hp^3/1000)"),
  list("I_python_power", "formula_mtcars", "mpg ~ I(wt**2) + I(-disp) + I((hp - 100)^2)"),
  list("math_functions", "formula_mtcars", "mpg ~ log(hp) + sqrt(disp) + exp(wt/5) + log10(qsec) + log(drat, 2)"),
  list("poly_orthogonal", "formula_mtcars", "mpg ~ poly(hp, 3)"),
  list("poly_raw", "formula_mtcars", "mpg ~ poly(hp, 2, raw = TRUE)"),
  list("poly_by_factor", "formula_mtcars", "mpg ~ poly(wt, 2) * factor(am)"),
  list("ns_df4", "formula_mtcars", "mpg ~ ns(hp, df = 4)"),
  list("ns_df3_factor", "formula_mtcars", "mpg ~ ns(wt, df = 3) + factor(am)"),
  list("ns_df1", "formula_mtcars", "mpg ~ ns(disp, df = 1)"),
  list("bs_df5", "formula_mtcars", "mpg ~ bs(hp, df = 5)"),
  list("bs_df6_degree2", "formula_mtcars", "mpg ~ bs(hp, df = 6, degree = 2)"),
  list("bs_degree1", "formula_mtcars", "mpg ~ bs(wt, degree = 1, df = 3)"),
  list("bs_default", "formula_mtcars", "mpg ~ bs(disp)"),
  list("offset_log", "formula_mtcars", "carb ~ wt + offset(log(hp))"),
  list("cbind_esoph", "esoph", "cbind(ncases, ncontrols) ~ agegp + alcgp"),
  list("cbind_dot_esoph", "esoph", "cbind(ncases, ncontrols) ~ . - ntotal"),
  list("term_order_numeric_factor", "formula_mtcars", "mpg ~ wt + factor(am):wt"),
  list("term_order_factor_factor", "formula_mtcars", "mpg ~ factor(am) + factor(gear) + factor(gear):factor(am)"),
  list("nested_slopes", "formula_mtcars", "mpg ~ wt*factor(am) - wt"),
  list("nested_division", "formula_mtcars", "mpg ~ factor(am)/factor(gear)"),
  list("factor_factor_no_intercept", "formula_mtcars", "mpg ~ factor(gear):factor(am) - 1"),
  list("logical_I", "formula_mtcars", "mpg ~ I(hp > 150) + as.factor(gear) + as.numeric(cyl)"),
  list("logical_I_no_intercept", "formula_mtcars", "mpg ~ I(hp > 150) - 1"),
  list("missing_rows_state", "formula_missing", "y ~ ns(x, df = 2) + poly(x, 2) + z + factor(g)"),
  list("missing_rows_plain_factor", "formula_missing", "y ~ bs(x, df = 4) + z + g")
)

# Shortest of 15, 16 or 17 significant digits that reads back as the same double.
fmt_num <- function(x) {
  vapply(as.numeric(x), function(v) {
    if (!is.finite(v)) stop("non-finite value reached the JSON writer")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), v)
      if (as.numeric(s) == v) break
    }
    s
  }, character(1))
}
json_vec <- function(x) structure(paste0("[", paste(fmt_num(x), collapse = ","), "]"), class = "json")
json_mat <- function(m) {
  rows <- vapply(seq_len(nrow(m)), function(i) json_vec(m[i, ]), character(1))
  structure(paste0("[", paste(rows, collapse = ","), "]"), class = "json")
}
json_frame <- function(d) {
  cols <- lapply(d, function(col) if (is.numeric(col)) json_vec(col) else as.character(col))
  cols
}

run_case <- function(id, dataset, formula) {
  data <- datasets_used[[dataset]]
  f <- as.formula(formula)
  mf <- model.frame(f, data, drop.unused.levels = TRUE)  # as glm() and lm() call it
  X <- model.matrix(attr(mf, "terms"), mf)
  tt <- delete.response(attr(mf, "terms"))
  newdata <- new_rows[[dataset]]
  mf_new <- model.frame(tt, newdata, xlev = .getXlevels(attr(mf, "terms"), mf))
  X_new <- model.matrix(tt, mf_new)
  y <- model.response(mf)
  off <- model.offset(mf)
  off_new <- model.offset(mf_new)
  rec <- list(
    id = unbox(id), dataset = unbox(dataset), formula = unbox(formula),
    colnames = colnames(X), X = json_mat(X),
    newdata = json_frame(newdata), X_new = json_mat(X_new),
    response = if (is.matrix(y)) json_mat(y) else json_vec(y),
    response_colnames = if (is.matrix(y)) colnames(y) else NULL,
    offset = if (is.null(off)) NULL else json_vec(off),
    offset_new = if (is.null(off_new)) NULL else json_vec(off_new),
    predvars = unbox(paste(deparse(attr(attr(mf, "terms"), "predvars"), width.cutoff = 500L), collapse = " "))
  )
  rec
}

results <- lapply(cases, function(cs) {
  message("model matrix ", cs[[1]])
  run_case(cs[[1]], cs[[2]], cs[[3]])
})

pkg_version <- function(p) unbox(as.character(packageVersion(p)))
out <- list(
  generator = unbox("tests/reference/r/model_matrix.R"),
  r_version = unbox(R.version.string),
  packages = list(stats = pkg_version("stats"), splines = pkg_version("splines"),
                  MASS = pkg_version("MASS"), jsonlite = pkg_version("jsonlite")),
  conventions = list(
    matrices = unbox("X and X_new are row-major; X_new is the model matrix of `newdata` with the training encoding"),
    response = unbox("model.response of the training frame (a matrix for cbind); offset is model.offset (absent: no offset)")
  ),
  cases = results
)
path <- file.path(expected_dir, "model_matrix.json")
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), path)
message("wrote ", path, " (", length(results), " cases)")
