# R's convention of an estimated dispersion for families whose own is fixed (issue 15):
# glm(..., family = MASS::negative.binomial(theta)) with summary.glm's Pearson dispersion,
# and the Poisson family with the dispersion estimated (R's quasipoisson gives those numbers).
# glmkit gives them with dispersion="pearson".
#
# Run from the repository root:
#
#     Rscript tests/reference/r/dispersion_estimated.R
#
# Reads tests/reference/data/quine.csv and warpbreaks.csv; writes
# tests/reference/expected/dispersion_estimated.json.
#
# Per case: coefficients; summary.glm's dispersion (Pearson X^2 / df_resid), standard errors,
# t values and p-values (t on df_resid); vcov; Wald intervals (confint.default: normal
# quantiles); MASS::confint.glm's profile intervals (which scale by the same dispersion);
# predict(type = "link"/"response", se.fit = TRUE) on newdata_rows; a joint Wald F test of one
# term (W/q on F(q, df_resid), from vcov); anova(fit, test = "F") (sequential).
#
# Numbers are written with the shortest of 15/16/17 digits that round-trips.

suppressPackageStartupMessages({
  library(MASS)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
if (!dir.exists("tests/reference")) stop("run from the repository root")

ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
data_dir <- "tests/reference/data"
rd <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = TRUE)
quine <- rd("quine"); warpbreaks <- rd("warpbreaks")

fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v) || !is.finite(v)) { out[i] <- "null"; next }
    for (d in 15:17) { s <- sprintf(paste0("%.", d, "g"), v); if (as.numeric(s) == v) break }
    out[i] <- s
  }
  out
}
jv <- function(x) structure(paste0("[", paste(fmt_num(as.numeric(x)), collapse = ","), "]"), class = "json")
jn <- function(x) structure(fmt_num(as.numeric(x)), class = "json")
jm <- function(m) {
  m <- as.matrix(m)
  rows <- vapply(seq_len(nrow(m)), function(i) jv(m[i, ]), character(1))
  structure(paste0("[", paste(rows, collapse = ","), "]"), class = "json")
}
jtable <- function(tab) {
  tab <- as.data.frame(tab)
  out <- list(rows = rownames(tab))
  for (nm in names(tab)) out[[nm]] <- jv(tab[[nm]])
  out
}

cases <- list(
  list(id = "negbin_theta_pearson_quine", dataset = "quine",
       r_call = "glm(Days ~ Eth + Sex + Age + Lrn, family = negative.binomial(1.5), data = quine, control = ctrl)",
       formula = "Days ~ C(Eth) + C(Sex) + C(Age) + C(Lrn)", family = "negative_binomial",
       family_args = list(theta = unbox(1.5)), term = "Age", glmkit_term = "C(Age)"),
  list(id = "poisson_pearson_warpbreaks", dataset = "warpbreaks",
       r_call = "glm(breaks ~ wool + tension, family = quasipoisson, data = warpbreaks, control = ctrl)",
       formula = "breaks ~ C(wool) + C(tension)", family = "poisson", family_args = NULL,
       term = "tension", glmkit_term = "C(tension)")
)

records <- lapply(cases, function(cs) {
  data <- get(cs$dataset)
  fit <- eval(parse(text = cs$r_call))
  if (!fit$converged) stop(cs$id, ": no convergence")
  s <- summary(fit)
  if (!isTRUE(all.equal(s$dispersion, sum(residuals(fit, "pearson")^2) / fit$df.residual)))
    stop(cs$id, ": summary's dispersion is not Pearson's")
  rows <- unique(round(seq(1, nrow(data), length.out = 5)))
  nd <- data[rows, , drop = FALSE]
  pl <- predict(fit, nd, type = "link", se.fit = TRUE)
  pr <- predict(fit, nd, type = "response", se.fit = TRUE)
  X <- model.matrix(fit)
  idx <- which(attr(X, "assign") == match(cs$term, attr(terms(fit), "term.labels")))
  b <- coef(fit)[idx]; V <- vcov(fit)[idx, idx, drop = FALSE]
  W <- as.numeric(t(b) %*% solve(V, b)); q <- length(idx)
  list(
    id = unbox(cs$id), dataset = unbox(cs$dataset), r_call = unbox(cs$r_call),
    formula = unbox(cs$formula), family = unbox(cs$family), family_args = cs$family_args,
    glmkit_term = unbox(cs$glmkit_term),
    coef_names = names(coef(fit)), coef = jv(coef(fit)),
    dispersion = jn(s$dispersion), df_resid = unbox(fit$df.residual),
    std_err = jv(s$coefficients[, 2]), statistic = jv(s$coefficients[, 3]),
    p_values = jv(s$coefficients[, 4]), cov = jm(vcov(fit)),
    conf_int = jm(confint.default(fit)), profile_mass = jm(suppressMessages(confint(fit))),
    newdata_rows = rows - 1L,
    predict_link = jv(pl$fit), predict_link_se = jv(pl$se.fit),
    predict_response = jv(pr$fit), predict_response_se = jv(pr$se.fit),
    wald_term = list(statistic = jn(W / q), df = unbox(q), df_resid = unbox(fit$df.residual),
                     p_value = jn(pf(W / q, q, fit$df.residual, lower.tail = FALSE))),
    anova_f = jtable(anova(fit, test = "F"))
  )
})

out <- list(
  generator = unbox("tests/reference/r/dispersion_estimated.R"),
  r_version = unbox(R.version.string),
  packages = list(stats = unbox(as.character(packageVersion("stats"))),
                  MASS = unbox(as.character(packageVersion("MASS"))),
                  jsonlite = unbox(as.character(packageVersion("jsonlite")))),
  conventions = unbox(paste(
    "Estimated (Pearson) dispersion with t and F tests; newdata_rows 0-based;",
    "coefficients compared by position; conf_int is confint.default (normal quantiles);",
    "anova_f is anova.glm's sequential table with test = 'F' (NULL row first).")),
  cases = records
)
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), "tests/reference/expected/dispersion_estimated.json")
