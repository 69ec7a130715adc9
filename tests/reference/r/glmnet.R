# Reference values for glmkit's penalised fits, computed with R's glmnet.
#
# Run from the repository root:
#
#     Rscript tests/reference/r/glmnet.R
#
# Writes
#     tests/reference/data/glmnet_<dataset>.csv     numeric design columns, response, weights, offset
#     tests/reference/expected/glmnet.json          one record per glmnet call (several lambdas each)
#
# Design notes (why, not what):
# - The CSVs hold the *numeric* design (factors already dummy-coded by model.matrix), so R and
#   glmkit fit the same matrix; every fit uses the data read back from the CSV.
# - glmnet's default convergence (thresh = 1e-7) leaves coefficient errors of ~1e-5; every fit
#   here uses thresh = 1e-16 and a large maxit, so what remains is glmnet's rounding, not its
#   stopping rule. The comparison in tests/reference/test_r_glmnet.py evaluates glmkit's
#   objective at glmkit's and at glmnet's coefficients.
# - The lambdas of a case are taken from glmnet's own default path on the same data (a few
#   indices spread from near lambda_max to the end), then refitted as an explicit decreasing
#   sequence, so they are "glmnet's lambdas" and not numbers we picked.
# - For the Gaussian family glmnet scales y by ys (weighted sd of y with divisor sum(w); the
#   root mean square without intercept), which divides the L2 part of its penalty by ys; ys is
#   recorded so the test can map (lambda, alpha) to glmkit's (alpha, l1_ratio), see
#   glmkit.penalties.glmnet_to_glmkit.
# - Numbers are written with the shortest of 15/16/17 significant digits that round-trips.

suppressPackageStartupMessages({
  library(MASS)
  library(glmnet)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))

if (!dir.exists("tests/reference")) {
  stop("run this script from the repository root: Rscript tests/reference/r/glmnet.R")
}
data_dir <- "tests/reference/data"
expected_dir <- "tests/reference/expected"

THRESH <- 1e-16
MAXIT <- 1e7

# ---------------------------------------------------------------------------------------
# Datasets (real data from MASS): numeric design columns + response (+ weights, offset)
# ---------------------------------------------------------------------------------------

datasets <- list()

bos <- Boston
datasets$boston <- data.frame(bos[, setdiff(names(bos), "medv")], medv = bos$medv,
                              w = rep(c(0.5, 1, 2, 4), length.out = nrow(bos)))

pima <- rbind(Pima.tr, Pima.te)
datasets$pima <- data.frame(pima[, setdiff(names(pima), "type")],
                            diabetic = as.numeric(pima$type == "Yes"))

qu <- quine
Xq <- model.matrix(~ Eth + Sex + Age + Lrn, data = qu)[, -1]
colnames(Xq) <- make.names(colnames(Xq))
datasets$quine <- data.frame(Xq, Days = qu$Days)

sh <- ships[ships$service > 0, ]
sh$type <- factor(sh$type)
sh$year <- factor(sh$year)
sh$period <- factor(sh$period)
Xs <- model.matrix(~ type + year + period, data = sh)[, -1]
colnames(Xs) <- make.names(colnames(Xs))
datasets$ships <- data.frame(Xs, incidents = sh$incidents, log_service = log(sh$service))

es <- esoph
for (nm in c("agegp", "alcgp", "tobgp")) es[[nm]] <- factor(as.character(es[[nm]]))  # unordered: dummies
Xe <- model.matrix(~ agegp + alcgp + tobgp, data = es)[, -1]
colnames(Xe) <- make.names(colnames(Xe))
datasets$esoph <- data.frame(Xe, ncases = es$ncases, ncontrols = es$ncontrols,
                             ntotal = es$ncases + es$ncontrols,
                             w = rep(c(1, 2, 0.5), length.out = nrow(es)))

sh$w <- rep(c(1, 3, 0.5, 2), length.out = nrow(sh))
datasets$ships$w <- sh$w

data_env <- list()
for (nm in names(datasets)) {
  path <- file.path(data_dir, paste0("glmnet_", nm, ".csv"))
  write.csv(datasets[[nm]], path, row.names = FALSE)
  data_env[[nm]] <- read.csv(path)
}

# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------

case <- function(id, dataset, family, y, x = NULL, alpha = 1, standardize = TRUE,
                 intercept = TRUE, weights = NULL, offset = NULL, penalty_factor = NULL,
                 lower = NULL, upper = NULL, path_index = c(3, 10, 25, 50), note = NULL,
                 failures = NULL) {
  list(id = id, dataset = dataset, family = family, y = y, x = x, alpha = alpha,
       standardize = standardize, intercept = intercept, weights = weights, offset = offset,
       penalty_factor = penalty_factor, lower = lower, upper = upper, path_index = path_index,
       note = note, failures = failures)
}

boston_x <- setdiff(names(datasets$boston), c("medv", "w"))
pima_x <- setdiff(names(datasets$pima), "diabetic")
esoph_x <- setdiff(names(datasets$esoph), c("ncases", "ncontrols", "ntotal", "w"))
ships_x <- setdiff(names(datasets$ships), c("incidents", "log_service", "w"))

cases <- list(
  case("gaussian_boston_lasso_std", "boston", "gaussian", "medv", alpha = 1),
  case("gaussian_boston_enet_std", "boston", "gaussian", "medv", alpha = 0.5),
  case("gaussian_boston_lasso_nostd", "boston", "gaussian", "medv", alpha = 1, standardize = FALSE),
  case("gaussian_boston_enet_nostd_weights", "boston", "gaussian", "medv", alpha = 0.5,
       standardize = FALSE, weights = "w"),
  case("gaussian_boston_ridge_std", "boston", "gaussian", "medv", alpha = 0),
  case("gaussian_boston_enet_pf_limits", "boston", "gaussian", "medv", alpha = 0.5,
       penalty_factor = c(0, rep(1, 5), 2, 0.5, rep(1, 5)),
       lower = c(rep(-Inf, 4), -5, rep(-Inf, 3), -0.2, rep(-Inf, 4)),
       upper = c(rep(Inf, 5), 3, rep(Inf, 4), 0, Inf, Inf),
       note = "penalty factors are rescaled by glmnet to sum to the number of columns"),
  case("gaussian_boston_enet_noint", "boston", "gaussian", "medv", alpha = 0.5, intercept = FALSE),
  case("binomial_pima_lasso_std", "pima", "binomial", "diabetic", alpha = 1),
  case("binomial_pima_enet_std", "pima", "binomial", "diabetic", alpha = 0.5),
  case("binomial_pima_enet_nostd", "pima", "binomial", "diabetic", alpha = 0.5, standardize = FALSE),
  case("binomial_pima_ridge_std", "pima", "binomial", "diabetic", alpha = 0),
  case("binomial_pima_lasso_noint", "pima", "binomial", "diabetic", alpha = 1, intercept = FALSE),
  case("poisson_quine_lasso_std", "quine", "poisson", "Days", alpha = 1),
  case("poisson_quine_enet_nostd", "quine", "poisson", "Days", alpha = 0.5, standardize = FALSE),
  case("poisson_ships_offset_enet_std", "ships", "poisson", "incidents", alpha = 0.5,
       offset = "log_service",
       x = ships_x),
  case("poisson_ships_offset_lasso_nostd", "ships", "poisson", "incidents", alpha = 1,
       standardize = FALSE, offset = "log_service", x = ships_x),
  case("gaussian_boston_enet_std_weights", "boston", "gaussian", "medv", alpha = 0.5, weights = "w"),
  case("binomial_esoph_counts_enet_std_weights", "esoph", "binomial", "ncases", x = esoph_x,
       alpha = 0.5, failures = "ncontrols", weights = "w",
       note = "y = cbind(ncontrols, ncases): successes and failures; glmnet weights x row totals"),
  case("binomial_esoph_counts_lasso_nostd", "esoph", "binomial", "ncases", x = esoph_x,
       alpha = 1, standardize = FALSE, failures = "ncontrols"),
  case("poisson_ships_offset_weights_lasso_std", "ships", "poisson", "incidents", alpha = 1,
       offset = "log_service", weights = "w", x = ships_x)
)

# ---------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------

fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v)) {
      out[i] <- "null"
    } else if (!is.finite(v)) {
      out[i] <- if (v > 0) "\"inf\"" else "\"-inf\""
    } else {
      for (d in 15:17) {
        s <- sprintf(paste0("%.", d, "g"), v)
        if (as.numeric(s) == v) break
      }
      out[i] <- s
    }
  }
  out
}
json_vec <- function(x) structure(paste0("[", paste(fmt_num(as.numeric(x)), collapse = ","), "]"),
                                  class = "json")
json_num <- function(x) {
  if (is.null(x) || length(x) == 0) return(NULL)
  structure(fmt_num(as.numeric(x)), class = "json")
}
json_mat <- function(m) {
  rows <- vapply(seq_len(nrow(m)), function(i) json_vec(m[i, ]), character(1))
  structure(paste0("[", paste(rows, collapse = ","), "]"), class = "json")
}

run_case <- function(cs) {
  df <- data_env[[cs$dataset]]
  xcols <- if (is.null(cs$x)) {
    if (cs$dataset == "boston") boston_x else if (cs$dataset == "pima") pima_x
    else setdiff(names(df), cs$y)
  } else cs$x
  X <- as.matrix(df[, xcols])
  y <- if (is.null(cs$failures)) df[[cs$y]] else cbind(df[[cs$failures]], df[[cs$y]])
  n <- nrow(X)
  w <- if (is.null(cs$weights)) rep(1, n) else df[[cs$weights]]
  off <- if (is.null(cs$offset)) NULL else df[[cs$offset]]
  p <- ncol(X)
  pf <- if (is.null(cs$penalty_factor)) rep(1, p) else cs$penalty_factor
  lo <- if (is.null(cs$lower)) rep(-Inf, p) else cs$lower
  hi <- if (is.null(cs$upper)) rep(Inf, p) else cs$upper
  args <- list(x = X, y = y, family = cs$family, alpha = cs$alpha, weights = w,
               standardize = cs$standardize, intercept = cs$intercept, penalty.factor = pf,
               lower.limits = lo, upper.limits = hi)
  if (!is.null(off)) args$offset <- off
  default_path <- do.call(glmnet, args)
  idx <- cs$path_index[cs$path_index <= length(default_path$lambda)]
  lambda <- default_path$lambda[idx]
  args$lambda <- lambda
  args$thresh <- THRESH
  args$maxit <- MAXIT
  fit <- do.call(glmnet, args)
  beta <- as.matrix(fit$beta)  # p x nlambda
  coef_mat <- t(rbind(fit$a0, beta))  # nlambda x (1 + p)
  wn <- w / sum(w)
  yv <- if (is.matrix(y)) y[, 2] / rowSums(y) else y
  ym <- if (cs$intercept) sum(wn * yv) else 0
  ys <- sqrt(sum(wn * (yv - ym)^2))
  list(
    id = unbox(cs$id),
    dataset = unbox(paste0("glmnet_", cs$dataset)),
    family = unbox(cs$family),
    y = unbox(cs$y),
    failures = if (is.null(cs$failures)) NULL else unbox(cs$failures),
    x = xcols,
    weights = if (is.null(cs$weights)) NULL else unbox(cs$weights),
    offset = if (is.null(cs$offset)) NULL else unbox(cs$offset),
    glmnet_alpha = json_num(cs$alpha),
    standardize = unbox(cs$standardize),
    intercept = unbox(cs$intercept),
    penalty_factor = json_vec(pf),
    lower = json_vec(lo),
    upper = json_vec(hi),
    thresh = json_num(THRESH),
    note = if (is.null(cs$note)) NULL else unbox(cs$note),
    r_call = unbox(paste0("glmnet(x, ", if (is.null(cs$failures)) "y" else "cbind(failures, y)",
                          ", family = '", cs$family, "', alpha = ", cs$alpha,
                          ", standardize = ", cs$standardize, ", intercept = ", cs$intercept,
                          ", lambda = lambda, thresh = ", THRESH, ", maxit = ", MAXIT,
                          if (!is.null(cs$weights)) ", weights = w" else "",
                          if (!is.null(cs$offset)) ", offset = off" else "",
                          if (!is.null(cs$penalty_factor)) ", penalty.factor = pf" else "",
                          if (!is.null(cs$lower)) ", lower.limits = lo, upper.limits = hi" else "",
                          ")")),
    lambda = json_vec(fit$lambda),
    y_scale = json_num(ys),
    coef = json_mat(coef_mat),
    dev_ratio = json_vec(fit$dev.ratio),
    null_deviance = json_num(fit$nulldev),
    df = json_vec(fit$df),
    npasses = json_num(fit$npasses)
  )
}

ids <- vapply(cases, function(cs) cs$id, character(1))
if (anyDuplicated(ids)) stop("duplicate case ids")

results <- lapply(cases, function(cs) {
  message("fitting ", cs$id)
  run_case(cs)
})

pkg_version <- function(p) unbox(as.character(packageVersion(p)))
out <- list(
  generator = unbox("tests/reference/r/glmnet.R"),
  r_version = unbox(R.version.string),
  packages = list(glmnet = pkg_version("glmnet"), MASS = pkg_version("MASS"),
                  jsonlite = pkg_version("jsonlite")),
  control = list(thresh = json_num(THRESH), maxit = json_num(MAXIT)),
  conventions = list(
    coef = unbox("coef[i] = c(a0, beta) at lambda[i]: intercept first (0 without intercept), original scale"),
    bounds = unbox("lower/upper as passed to glmnet's lower.limits/upper.limits; \"inf\"/\"-inf\" for none"),
    penalty_factor = unbox("as passed to glmnet, which rescales it to sum to ncol(x)")
  ),
  cases = results
)

path <- file.path(expected_dir, "glmnet.json")
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), path)
message("wrote ", path, " (", length(results), " cases)")
