# Reference values for glmkit's update() and step(), computed with R.
#
# Run from the repository root (after core_glm.R has written the CSVs it reads):
#
#     Rscript tests/reference/r/step.R
#
# Writes tests/reference/data/bwt.csv (MASS's birthwt as its ?birthwt example codes it) and
# tests/reference/expected/step.json:
#   update_formula: stats::update.formula(old, new) for a set of formulas: the response,
#     the term labels in R's order, the intercept and the offsets of the result;
#   step: stats::step() on R's and MASS's data sets: the path table (`$anova`: Step, Df,
#     Deviance, Resid. Df, Resid. Dev, AIC), the final model's terms, deviance, extractAIC,
#     and drop1(fit, k = k) of the starting model (its AIC column is shifted to extractAIC).
#
# Design notes:
# - Data are read from the CSVs core_glm.R wrote, as Python reads them (same bits).
# - Factor levels are sorted in the C locale, as formulaic does.
# - Fits use epsilon = 1e-14 (the control travels with the call into step's refits), except
#   the aliasing case (1e-10, ctrl_alias).
# - The right-hand sides are written term by term (no data `.`); a `.` appears only in
#   scopes, where it means the model's formula (update.formula's meaning).
# - Numbers are written with the shortest of 15/16/17 digits that round-trips.

suppressPackageStartupMessages({
  library(MASS)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
if (!dir.exists("tests/reference")) stop("run from the repository root")

ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
# glm.fit's aliasing tolerance is min(1e-7, epsilon / 1000): at 1e-14 an exactly collinear
# column is kept (see tests/reference/README.md), so the aliasing case uses 1e-10.
ctrl_alias <- glm.control(epsilon = 1e-10, maxit = 200)
data_dir <- "tests/reference/data"
rd <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = TRUE)

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

# ---- MASS's birthwt, coded as in its ?birthwt example (written for Python too) ----------------
bw <- with(MASS::birthwt, data.frame(
  low = low, age = age, lwt = lwt,
  race = as.character(factor(race, labels = c("white", "black", "other"))),
  smoke = as.integer(smoke > 0), ptd = as.integer(ptl > 0), ht = as.integer(ht > 0),
  ui = as.integer(ui > 0), ftv = ifelse(ftv >= 2, "2+", as.character(ftv)),
  # MASS's scope terms I(scale(age)^2) and I(scale(lwt)^2), as columns
  age_s2 = as.numeric(scale(age))^2, lwt_s2 = as.numeric(scale(lwt))^2
))
con <- file(file.path(data_dir, "bwt.csv"), "w")
writeLines(paste(sprintf('"%s"', names(bw)), collapse = ","), con)
for (i in seq_len(nrow(bw))) {
  row <- vapply(names(bw), function(nm) {
    v <- bw[[nm]][i]
    if (is.character(v)) sprintf('"%s"', v) else fmt_num(v)
  }, character(1))
  writeLines(paste(row, collapse = ","), con)
}
close(con)

quine <- rd("quine"); budworm <- rd("budworm"); esoph <- rd("esoph"); mtcars <- rd("mtcars")
bwt <- rd("bwt")

# ---- update.formula --------------------------------------------------------------------------
update_cases <- list(
  c("y ~ x - 1", "~ . + z"), c("y ~ x - 1", "~ . + 1"), c("y ~ x", "~ . - 1"), c("y ~ x", "~ 0 + ."),
  c("y ~ x - 1", "~ 1 + ."), c("y ~ a * b", ". ~ . - a"), c("y ~ a * b", "log(.) ~ ."),
  c("cbind(s, f) ~ a", ". ~ . + b"), c("y ~ a + offset(log(t))", "~ . + b"),
  c("y ~ a + offset(log(t))", "~ . - offset(log(t))"), c("y ~ a + b", "~ (.)^2"),
  c("y ~ a + b", "~ .^2 + I(a^2)"), c("y ~ a", "z ~ b"), c("y ~ a + b", "~ . - a + a:b"),
  c("y ~ a + b", "~ 1"), c("y ~ a + b", "~ . - 1 + 1"), c("y ~ a + b", "~ .:c"),
  c("y ~ a", "sqrt(.) ~ . + b"), c("y ~ a + b + c", ". ~ . - b"), c("y ~ a*b*c", "~ . - a:b:c"),
  c("y ~ a + b", "~ . + offset(w)"), c("y ~ a + b + a:b", "~ a + b"), c("y ~ b + a", "~ . + c + a:c"),
  c("y ~ a*b", "~ . - a:b + b:c"), c("y ~ a", "~ . + a/b"), c("y ~ x + z", "~ . - x - z")
)
update_results <- lapply(update_cases, function(uc) {
  res <- update.formula(as.formula(uc[1]), as.formula(uc[2]))
  tt <- terms(res)
  vars <- vapply(as.list(attr(tt, "variables"))[-1], function(v) paste(deparse(v), collapse = ""), "")
  offs <- if (is.null(attr(tt, "offset"))) character() else vars[attr(tt, "offset")]
  offs <- sub("^offset\\((.*)\\)$", "\\1", offs)
  list(old = unbox(uc[1]), new = unbox(uc[2]), result = unbox(paste(deparse(res), collapse = " ")),
       response = unbox(paste(deparse(res[[2]]), collapse = "")), terms = attr(tt, "term.labels"),
       intercept = unbox(attr(tt, "intercept") == 1), offsets = offs)
})

# ---- step --------------------------------------------------------------------------------------
# `rename`: R's variable names where glmkit's formula spells them differently.
case <- function(id, description, dataset, r_fit, r_step, formula, fitter, family, scope, direction, k,
                 link = NULL, rename = NULL) {
  list(id = id, description = description, dataset = dataset, r_fit = r_fit, r_step = r_step,
       formula = formula, fitter = fitter, family = family, link = link, scope = scope,
       direction = direction, k = k, rename = rename)
}
steps <- list(
  case("quine_poisson_both_4way", "Poisson, main effects up to all interactions (scope ~ .^4)", "quine",
       "glm(Days ~ Eth + Sex + Age + Lrn, family = poisson, data = quine, control = ctrl)",
       "step(fit, scope = ~ .^4, trace = 0)",
       "Days ~ Eth + Sex + Age + Lrn", "glm", "poisson", "~ .^4", "both", 2),
  case("quine_negbin_backward", "MASS book: glm.nb(Days ~ .^4) stepped backward (theta re-estimated)", "quine",
       "glm.nb(Days ~ Eth * Sex * Age * Lrn, data = quine, control = ctrl)",
       "step(fit, trace = 0)",
       "Days ~ Eth * Sex * Age * Lrn", "glm_nb", "negative_binomial", NULL, "backward", 2),
  case("budworm_forward", "budworm (MASS ch. 7), forward from the null model", "budworm",
       "glm(cbind(numdead, numalive) ~ 1, family = binomial, data = budworm, control = ctrl)",
       "step(fit, scope = ~ sex * ldose, direction = 'forward', trace = 0)",
       "cbind(numdead, numalive) ~ 1", "glm", "binomial", "~ sex * ldose", "forward", 2),
  case("esoph_both_lower_upper", "esoph, both directions with lower and upper scopes", "esoph",
       "glm(cbind(ncases, ncontrols) ~ agegp, family = binomial, data = esoph, control = ctrl)",
       "step(fit, scope = list(lower = ~ agegp, upper = ~ agegp + tobgp * alcgp), trace = 0)",
       "cbind(ncases, ncontrols) ~ agegp", "glm", "binomial",
       list(lower = "~ agegp", upper = "~ agegp + tobgp * alcgp"), "both", 2),
  case("birthwt_both_mass_example", "MASS ?birthwt: stepAIC(birthwt.glm, ~ .^2 + I(scale(age)^2) + I(scale(lwt)^2))",
       "bwt",
       "glm(low ~ age + lwt + race + smoke + ptd + ht + ui + ftv, family = binomial, data = bwt, control = ctrl)",
       "step(fit, scope = ~ .^2 + age_s2 + lwt_s2, trace = 0)",
       "low ~ age + lwt + race + smoke + ptd + ht + ui + ftv", "glm", "binomial",
       "~ .^2 + age_s2 + lwt_s2", "both", 2),
  case("mtcars_gaussian_bic", "Gaussian backward with k = log(n) (BIC)", "mtcars",
       "glm(mpg ~ cyl + disp + hp + drat + wt + qsec, family = gaussian, data = mtcars, control = ctrl)",
       "step(fit, k = log(nrow(mtcars)), trace = 0)",
       "mpg ~ cyl + disp + hp + drat + wt + qsec", "glm", "gaussian", NULL, "backward", log(nrow(mtcars))),
  case("mtcars_gamma_backward", "Gamma(log) backward: drop1 ranks by deviance/dispersion, the path reports AIC",
       "mtcars",
       "glm(mpg ~ disp + hp + drat + wt + qsec + am, family = Gamma(link = 'log'), data = mtcars, control = ctrl)",
       "step(fit, trace = 0)",
       "mpg ~ disp + hp + drat + wt + qsec + am", "glm", "gamma", NULL, "backward", 2, link = "log"),
  case("mtcars_zero_df_first", "an aliased term (hp_cyl = hp + 10 cyl): zero-df terms are dropped first",
       "mtcars",
       "glm(mpg ~ factor(cyl) + hp + wt + hp_cyl, family = gaussian, data = mtcars, control = ctrl_alias)",
       "step(fit, trace = 0)",
       "mpg ~ C(cyl) + hp + wt + hp_cyl", "glm", "gaussian", NULL, "backward", 2,
       rename = list("factor(cyl)" = "C(cyl)"))
)

step_results <- lapply(steps, function(cs) {
  r_warnings <- character()
  run <- function(expr) withCallingHandlers(eval(parse(text = expr)), warning = function(w) {
    r_warnings <<- c(r_warnings, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  fit <- run(cs$r_fit)
  s <- run(cs$r_step)
  a <- s$anova
  out <- cs
  out$id <- unbox(cs$id); out$description <- unbox(cs$description); out$dataset <- unbox(cs$dataset)
  out$r_fit <- unbox(cs$r_fit); out$r_step <- unbox(cs$r_step); out$formula <- unbox(cs$formula)
  out$fitter <- unbox(cs$fitter); out$family <- unbox(cs$family); out$direction <- unbox(cs$direction)
  out$k <- jn(cs$k)
  if (!is.null(cs$link)) out$link <- unbox(cs$link)
  if (is.list(cs$scope)) out$scope <- lapply(cs$scope, unbox)
  else if (!is.null(cs$scope)) out$scope <- unbox(cs$scope)
  if (!is.null(cs$rename)) out$rename <- lapply(cs$rename, unbox)
  out$path <- list(step = trimws(as.character(a$Step)), df = jv(a$Df), deviance = jv(a$Deviance),
                   resid_df = jv(a[["Resid. Df"]]), resid_dev = jv(a[["Resid. Dev"]]), aic = jv(a$AIC))
  d1 <- drop1(fit, k = cs$k)
  out$drop1 <- list(rows = trimws(rownames(d1)), df = jv(d1$Df), deviance = jv(d1$Deviance), aic = jv(d1$AIC))
  out$initial_extract_aic <- jn(extractAIC(fit, k = cs$k)[2])
  out$initial_terms <- attr(terms(fit), "term.labels")
  out$final_terms <- attr(terms(s), "term.labels")
  out$final_formula <- unbox(paste(deparse(formula(s)), collapse = " "))
  out$final_deviance <- jn(deviance(s))
  out$final_extract_aic <- jn(extractAIC(s, k = cs$k)[2])
  out$final_coef <- jv(coef(s))
  out$final_coef_names <- names(coef(s))
  out$r_warnings <- unique(r_warnings)
  out
})

pkg <- function(p) unbox(as.character(packageVersion(p)))
out <- list(
  generator = unbox("tests/reference/r/step.R"),
  r_version = unbox(R.version.string),
  packages = list(stats = pkg("stats"), MASS = pkg("MASS"), jsonlite = pkg("jsonlite")),
  control = list(epsilon = jn(ctrl$epsilon), maxit = unbox(ctrl$maxit)),
  conventions = unbox(paste(
    "path rows are R's step()$anova rows: Step ('' for the start, '- term' / '+ term'),",
    "Df = diff(Resid. Df) (NA first), Deviance = |diff(Resid. Dev)|, AIC = extractAIC(fit, k = k).",
    "Term labels are R's; `rename` maps R variable names to glmkit's where they differ.")),
  update_formula = update_results,
  cases = step_results
)
dir.create("tests/reference/expected", showWarnings = FALSE)
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), "tests/reference/expected/step.json")
message("wrote tests/reference/expected/step.json")
