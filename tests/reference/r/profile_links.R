# Profile-likelihood intervals on non-canonical links whose refits leave the mean's domain
# from a naive start (issue 15), computed with R.
#
# Run from the repository root:
#
#     Rscript tests/reference/r/profile_links.R
#
# Writes tests/reference/data/beetle.csv (Bliss 1935, the beetle mortality data) and
# tests/reference/expected/profile_links.json. Reads tests/reference/data/insectsprays.csv.
#
# Cases: binomial-cloglog on the beetle data (cbind(killed, alive) ~ dose) and
# Poisson-identity on InsectSprays (count ~ spray). For each: the coefficients, their
# standard errors, MASS::confint.glm (spline-interpolated profile) and the exact roots of the
# signed-root statistic sign(b - bhat) * sqrt((D(b) - D)/phi) = qnorm((1 -/+ level)/2),
# found with uniroot at tolerance 1e-13, where the refits start from the fit's linear
# predictor (as MASS's profile.glm does: etastart = fit$linear.predictors).
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

beetle <- data.frame(
  dose = c(1.6907, 1.7242, 1.7552, 1.7842, 1.8113, 1.8369, 1.8610, 1.8839),
  number = c(59, 60, 62, 56, 63, 59, 62, 60),
  killed = c(6, 13, 18, 28, 52, 53, 61, 60)
)
beetle$alive <- beetle$number - beetle$killed
write.csv(beetle, file.path(data_dir, "beetle.csv"), row.names = FALSE)
beetle <- read.csv(file.path(data_dir, "beetle.csv"))
insectsprays <- read.csv(file.path(data_dir, "insectsprays.csv"), stringsAsFactors = TRUE)

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
jm <- function(m) {
  m <- as.matrix(m)
  rows <- vapply(seq_len(nrow(m)), function(i) jv(m[i, ]), character(1))
  structure(paste0("[", paste(rows, collapse = ","), "]"), class = "json")
}

profile_exact <- function(fit, level = 0.95, disp = summary(fit)$dispersion) {
  X <- model.matrix(fit); y <- fit$y; w <- fit$prior.weights
  off <- if (is.null(fit$offset)) rep(0, nrow(X)) else fit$offset
  dev0 <- deviance(fit); b0 <- coef(fit); se <- sqrt(diag(vcov(fit)))
  tight <- glm.control(epsilon = 1e-14, maxit = 500)
  dev_at <- function(j, b) {
    fm <- glm.fit(X[, -j, drop = FALSE], y, weights = w, offset = off + X[, j] * b,
                  family = fit$family, control = tight, etastart = fit$linear.predictors)
    if (!fm$converged) stop("a profile refit did not converge")
    fm$deviance
  }
  z_at <- function(j, b) sign(b - b0[j]) * sqrt(max(dev_at(j, b) - dev0, 0) / disp)
  q <- qnorm(c((1 - level) / 2, (1 + level) / 2))
  out <- matrix(NA_real_, length(b0), 2)
  for (j in seq_along(b0)) {
    for (k in 1:2) {
      sgn <- if (k == 1) -1 else 1
      step <- se[j]
      hi <- b0[j] + sgn * step
      while (sgn * (z_at(j, hi) - q[k]) < 0) { step <- 2 * step; hi <- b0[j] + sgn * step }
      rng <- sort(c(b0[j], hi))
      out[j, k] <- uniroot(function(b) z_at(j, b) - q[k], rng, tol = 1e-13 * max(1, abs(b0[j])),
                           maxiter = 500)$root
    }
  }
  out
}

cases <- list(
  list(id = "binomial_cloglog_beetle", dataset = "beetle",
       r_call = "glm(cbind(killed, alive) ~ dose, family = binomial(link = 'cloglog'), data = beetle, control = ctrl)",
       formula = "killed ~ dose", family = "binomial", link = "cloglog", trials = "number"),
  list(id = "poisson_identity_insectsprays", dataset = "insectsprays",
       r_call = "glm(count ~ spray, family = poisson(link = 'identity'), data = insectsprays, control = ctrl)",
       formula = "count ~ C(spray)", family = "poisson", link = "identity", trials = NULL)
)

records <- lapply(cases, function(cs) {
  fit <- eval(parse(text = cs$r_call))
  if (!fit$converged) stop(cs$id, ": R's fit did not converge")
  list(
    id = unbox(cs$id), dataset = unbox(cs$dataset), r_call = unbox(cs$r_call),
    formula = unbox(cs$formula), family = unbox(cs$family), link = unbox(cs$link),
    trials = if (is.null(cs$trials)) NULL else unbox(cs$trials),
    coef_names = names(coef(fit)), coef = jv(coef(fit)),
    std_err = jv(sqrt(diag(vcov(fit)))), deviance = structure(fmt_num(deviance(fit)), class = "json"),
    conf_level = unbox(0.95),
    profile_mass = jm(suppressMessages(confint(fit))),
    profile_exact = jm(profile_exact(fit))
  )
})

out <- list(
  generator = unbox("tests/reference/r/profile_links.R"),
  r_version = unbox(R.version.string),
  packages = list(stats = unbox(as.character(packageVersion("stats"))),
                  MASS = unbox(as.character(packageVersion("MASS"))),
                  jsonlite = unbox(as.character(packageVersion("jsonlite")))),
  conventions = unbox(paste(
    "profile_mass: MASS::confint.glm (lower, upper) per coefficient;",
    "profile_exact: uniroot roots (tol 1e-13) of MASS's signed-root statistic with refits",
    "started at the fit's linear predictor; coefficients compared by position.")),
  cases = records
)
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), "tests/reference/expected/profile_links.json")
