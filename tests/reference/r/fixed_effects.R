# Reference values for glmkit's absorbed fixed effects (issue 18): R's glm with factor()
# dummies, the model an absorbed fit must reproduce.
#
# Run from the repository root:
#
#     Rscript tests/reference/r/fixed_effects.R
#
# Reads  tests/reference/data/fixed_effects.csv (written by tests/reference/pyfixest/make_refs.py)
# Writes tests/reference/expected/fixed_effects.json
#
# Design notes:
# - Groups whose outcome makes the MLE not exist (Poisson / negative binomial: all 0;
#   binomial: all 0 or all 1) are dropped here, repeatedly until none is left, as glmkit
#   (and fixest) do before fitting; R's glm would keep them with diverging dummies.
# - Tight convergence (epsilon = 1e-14) so that differences at 1e-8 are glmkit's.
# - Numbers are written with jsonlite's 15 significant digits (ample for the 1e-8 comparisons).

suppressPackageStartupMessages({
  library(MASS)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
if (!dir.exists("tests/reference")) stop("run from the repository root")
df <- read.csv("tests/reference/data/fixed_effects.csv", stringsAsFactors = FALSE)
df$log_exposure <- log(df$exposure)
df$firm_year <- paste(df$firm, df$year, sep = "^")
ctrl <- glm.control(epsilon = 1e-14, maxit = 200)

edge_groups <- function(d, y, factors, edges) {
  # rows of groups whose outcome is one edge value throughout, found repeatedly
  keep <- rep(TRUE, nrow(d))
  repeat {
    drop <- rep(FALSE, nrow(d))
    for (f in factors) {
      for (g in unique(d[[f]][keep])) {
        rows <- keep & d[[f]] == g
        v <- unique(d[[y]][rows])
        if (length(v) == 1 && v %in% edges) drop <- drop | rows
      }
    }
    if (!any(drop)) break
    keep <- keep & !drop
  }
  keep
}

cases <- list(
  list(name = "poisson_two_way_weights_offset", family = "poisson", link = "log", y = "count",
       factors = c("firm", "year"), edges = 0, weights = "w", offset = "log_exposure"),
  list(name = "poisson_combined", family = "poisson", link = "log", y = "count",
       factors = c("firm_year"), edges = 0, weights = NULL, offset = NULL),
  list(name = "logit_two_way", family = "binomial", link = "logit", y = "binary",
       factors = c("firm", "year"), edges = c(0, 1), weights = NULL, offset = NULL),
  list(name = "probit_two_way", family = "binomial", link = "probit", y = "binary",
       factors = c("firm", "year"), edges = c(0, 1), weights = NULL, offset = NULL),
  list(name = "cloglog_two_way_offset", family = "binomial", link = "cloglog", y = "binary",
       factors = c("firm", "year"), edges = c(0, 1), weights = NULL, offset = "x2"),
  list(name = "gaussian_two_way_weights", family = "gaussian", link = "identity", y = "level",
       factors = c("firm", "year"), edges = numeric(0), weights = "w", offset = NULL),
  list(name = "gamma_log_two_way_offset", family = "Gamma", link = "log", y = "amount",
       factors = c("firm", "year"), edges = numeric(0), weights = "w", offset = "log_exposure"),
  list(name = "negbin_two_way", family = "negative_binomial", link = "log", y = "overdispersed",
       factors = c("firm", "year"), edges = 0, weights = NULL, offset = NULL)
)

fit_case <- function(cs) {
  keep <- edge_groups(df, cs$y, cs$factors, cs$edges)
  d <- df[keep, ]
  rhs <- paste(c("x1", "x2", paste0("factor(", cs$factors, ")")), collapse = " + ")
  if (!is.null(cs$offset)) rhs <- paste0(rhs, " + offset(", cs$offset, ")")
  f <- as.formula(paste(cs$y, "~", rhs))
  d$.w <- if (is.null(cs$weights)) 1 else d[[cs$weights]]
  if (cs$family == "negative_binomial") {
    fit <- glm.nb(f, data = d, weights = .w, control = glm.control(epsilon = 1e-14, maxit = 200))
    theta <- fit$theta
    s <- summary(fit, dispersion = 1)
  } else {
    fam <- get(cs$family)(link = cs$link)
    fit <- glm(f, family = fam, data = d, weights = .w, control = ctrl)
    theta <- NULL
    s <- summary(fit)
  }
  if (!fit$converged) stop(paste("not converged:", cs$name))
  co <- coef(s)[c("x1", "x2"), ]
  glmkit_absorb <- paste(gsub("firm_year", "firm^year", cs$factors), collapse = " + ")
  out <- list(
    family = cs$family, link = cs$link, y = cs$y, absorb = glmkit_absorb,
    weights = cs$weights, offset = cs$offset, n_obs = nrow(d), n_dropped = sum(!keep),
    coef = as.list(co[, 1]), std_err = as.list(co[, 2]), deviance = deviance(fit),
    null_deviance = fit$null.deviance, df_resid = fit$df.residual, aic = AIC(fit),
    dispersion = s$dispersion, r_call = paste(deparse(f), collapse = "")
  )
  if (!is.null(theta)) out$theta <- theta
  out
}

results <- lapply(cases, fit_case)
names(results) <- vapply(cases, function(cs) cs$name, "")
out <- list(r_version = R.version.string,
            packages = list(MASS = as.character(packageVersion("MASS")),
                            jsonlite = as.character(packageVersion("jsonlite"))),
            cases = results)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), null = "null", pretty = TRUE),
           "tests/reference/expected/fixed_effects.json")
cat("wrote tests/reference/expected/fixed_effects.json\n")
