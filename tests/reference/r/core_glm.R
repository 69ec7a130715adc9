# Reference values for glmkit's core GLM fits, computed with R's glm().
#
# Run from the repository root:
#
#     Rscript tests/reference/r/core_glm.R
#
# Writes
#     tests/reference/data/<dataset>.csv      the data every case is fitted on
#     tests/reference/expected/core_glm.json  one record per fitted model
#
# Design notes (why, not what):
# - Every model is fitted on the data *read back* from the CSV that Python reads, so R and
#   glmkit see bit-identical numbers (no hidden precision in R's in-memory copy).
# - Factor levels are the sorted distinct values in the C locale (codepoint order): that is
#   what formulaic's C() does with a string column, so R's baseline level and column order
#   are the ones glmkit gets. This changes the baseline of some classic datasets (e.g.
#   warpbreaks' tension baseline is "H", not "L"); one case sets levels explicitly.
# - Fits are converged far beyond R's default (epsilon = 1e-14) so that differences seen at
#   rtol 1e-6 are differences in the library, not in R's stopping point.
# - Numbers are written with the shortest of 15/16/17 significant digits that round-trips
#   exactly (jsonlite alone stops at 15).

suppressPackageStartupMessages({
  library(MASS)
  library(statmod)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))

if (!dir.exists("tests/reference")) {
  stop("run this script from the repository root: Rscript tests/reference/r/core_glm.R")
}
data_dir <- "tests/reference/data"
expected_dir <- "tests/reference/expected"
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(expected_dir, showWarnings = FALSE, recursive = TRUE)

ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
# glm.fit detects aliasing with QR tolerance min(1e-7, epsilon / 1000): at epsilon = 1e-14
# that is 1e-17, below rounding error, and an exactly collinear column is NOT dropped (R then
# returns coefficients of order 1e15). Cases that test aliasing therefore use epsilon = 1e-10
# (tolerance 1e-13), still converged far past rtol 1e-6.
ctrl_alias <- glm.control(epsilon = 1e-10, maxit = 200)

# R 4.2's binomial() has no "loglog"; this is the link glmkit calls "loglog":
# mu = exp(-exp(-eta)), the complement of cloglog applied to 1 - mu.
loglog_link <- structure(list(
  linkfun = function(mu) -log(-log(mu)),
  linkinv = function(eta) exp(-exp(-eta)),
  mu.eta = function(eta) exp(-exp(-eta) - eta),
  valideta = function(eta) TRUE,
  name = "loglog"
), class = "link-glm")

# The R code that every r_call below assumes (also written into the JSON).
r_setup <- paste(
  "library(MASS); library(statmod)",
  "Sys.setlocale('LC_COLLATE', 'C')",
  "<dataset> <- read.csv('tests/reference/data/<dataset>.csv', stringsAsFactors = TRUE)",
  "ctrl <- glm.control(epsilon = 1e-14, maxit = 200)",
  "ctrl_alias <- glm.control(epsilon = 1e-10, maxit = 200)",
  paste0("loglog_link <- structure(list(linkfun = function(mu) -log(-log(mu)), ",
         "linkinv = function(eta) exp(-exp(-eta)), ",
         "mu.eta = function(eta) exp(-exp(-eta) - eta), ",
         "valideta = function(eta) TRUE, name = 'loglog'), class = 'link-glm')"),
  sep = "\n"
)

# ---------------------------------------------------------------------------------------
# Datasets: build, write as CSV, read back. Factors become plain strings in the CSV.
# ---------------------------------------------------------------------------------------

unorder <- function(df) {
  for (nm in names(df)) {
    if (is.factor(df[[nm]])) df[[nm]] <- as.character(df[[nm]])
  }
  df
}

datasets <- list()

# Prior-weight columns used by several cases: w has non-integer values, w0 has zeros.
weights_cycle <- function(n) rep(c(0.5, 1, 2, 4), length.out = n)
weights_zero <- function(n) {
  w <- rep(c(1, 2, 3), length.out = n)
  w[c(2, 7, 11)] <- 0
  w
}

mt <- mtcars
datasets$mtcars <- data.frame(
  model = rownames(mt), mt, row.names = NULL,
  # hp + 10 * cyl is an exact linear combination of the intercept, hp and the cyl dummies
  hp_cyl = mt$hp + 10 * mt$cyl,
  w = weights_cycle(nrow(mt)),
  w0 = weights_zero(nrow(mt))
)

datasets$warpbreaks <- data.frame(unorder(warpbreaks), w0 = weights_zero(nrow(warpbreaks)))

datasets$insectsprays <- unorder(InsectSprays)

es <- unorder(esoph)
es$ntotal <- es$ncases + es$ncontrols
datasets$esoph <- es

# Budworm data, Venables & Ripley (MASS, chapter 7): 20 moths per batch.
bw <- data.frame(
  ldose = rep(0:5, 2),
  sex = rep(c("M", "F"), each = 6),
  numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16)
)
bw$n <- 20
bw$numalive <- bw$n - bw$numdead
bw$prop <- bw$numdead / bw$n
datasets$budworm <- bw

datasets$insurance <- unorder(Insurance)

sh <- unorder(ships)
sh <- sh[sh$service > 0, ]
rownames(sh) <- NULL
sh$log_service <- log(sh$service)
datasets$ships <- sh

datasets$quine <- unorder(quine)
datasets$birthwt <- data.frame(birthwt, ftv_plus_1 = birthwt$ftv + 1)
datasets$anorexia <- unorder(anorexia)

# Blood clotting times (McCullagh & Nelder 1989, sec. 8.4.2; the example in ?glm).
datasets$clotting <- data.frame(
  u = rep(c(5, 10, 15, 20, 30, 40, 60, 80, 100), 2),
  lot = rep(c("lot1", "lot2"), each = 9),
  time = c(118, 58, 42, 35, 27, 25, 21, 19, 18, 69, 35, 26, 21, 18, 16, 13, 12, 12)
)

data_env <- new.env()
for (nm in names(datasets)) {
  path <- file.path(data_dir, paste0(nm, ".csv"))
  write.csv(datasets[[nm]], path, row.names = FALSE)
  assign(nm, read.csv(path, stringsAsFactors = TRUE), envir = data_env)
}
assign("ctrl", ctrl, envir = data_env)
assign("ctrl_alias", ctrl_alias, envir = data_env)
assign("loglog_link", loglog_link, envir = data_env)

# ---------------------------------------------------------------------------------------
# Cases. `call` is evaluated verbatim; `py` is the same model in glmkit's terms.
# ---------------------------------------------------------------------------------------

case <- function(id, description, dataset, call, formula, family, link,
                 family_args = NULL, weights = NULL, offset = NULL, trials = NULL,
                 dispersion = NULL, note = NULL, aliased = FALSE) {
  list(id = id, description = description, dataset = dataset, call = call,
       formula = formula, family = family, link = link, family_args = family_args,
       weights = weights, offset = offset, trials = trials,
       dispersion = dispersion, note = note, aliased = aliased)
}

cases <- list(
  # ---- gaussian -------------------------------------------------------------------
  case("gaussian_identity_mtcars",
       "gaussian, identity link, numeric and factor terms",
       "mtcars",
       "glm(mpg ~ wt + hp + factor(cyl), family = gaussian(link = 'identity'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp + C(cyl)", "gaussian", "identity"),
  case("gaussian_identity_weights_mtcars",
       "gaussian, identity link, non-integer prior weights",
       "mtcars",
       "glm(mpg ~ wt + hp, family = gaussian(link = 'identity'), data = mtcars, weights = w, control = ctrl)",
       "mpg ~ wt + hp", "gaussian", "identity", weights = "w"),
  case("gaussian_identity_zero_weights_mtcars",
       "gaussian, identity link, prior weights with three zeros",
       "mtcars",
       "glm(mpg ~ wt + am, family = gaussian(link = 'identity'), data = mtcars, weights = w0, control = ctrl)",
       "mpg ~ wt + am", "gaussian", "identity", weights = "w0",
       note = paste("R's gaussian AIC adds -sum(log(w)), which is -Inf with a zero weight, so R",
                    "reports AIC = Inf, logLik = -Inf, BIC = Inf; those are null here (r_quirks)",
                    "and r_quirks_alternative gives R's values without the zero-weight rows.",
                    "Zero-weight rows are left out of df and dispersion.")),
  case("gaussian_log_mtcars",
       "gaussian, log link",
       "mtcars",
       "glm(mpg ~ wt + hp, family = gaussian(link = 'log'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp", "gaussian", "log"),
  case("gaussian_inverse_mtcars",
       "gaussian, inverse link",
       "mtcars",
       "glm(mpg ~ wt + qsec, family = gaussian(link = 'inverse'), data = mtcars, control = ctrl)",
       "mpg ~ wt + qsec", "gaussian", "inverse"),
  case("gaussian_identity_noint_mtcars",
       "gaussian, identity link, no intercept (null deviance at eta = 0)",
       "mtcars",
       "glm(mpg ~ wt + hp - 1, family = gaussian(link = 'identity'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp - 1", "gaussian", "identity"),
  case("gaussian_identity_aliased_mtcars",
       "gaussian, identity link, hp_cyl = hp + 10*cyl is aliased (NA coefficient)",
       "mtcars",
       "glm(mpg ~ wt + hp + factor(cyl) + hp_cyl, family = gaussian(link = 'identity'), data = mtcars, control = ctrl_alias)",
       "mpg ~ wt + hp + C(cyl) + hp_cyl", "gaussian", "identity", aliased = TRUE,
       note = "control = ctrl_alias (epsilon 1e-10): at epsilon 1e-14 glm.fit's QR tolerance is too small to see the alias"),
  case("gaussian_identity_poly_interaction_mtcars",
       "gaussian, identity link, I(wt^2) and a numeric-by-factor interaction",
       "mtcars",
       "glm(mpg ~ wt + I(wt^2) + wt * factor(am), family = gaussian(link = 'identity'), data = mtcars, control = ctrl)",
       "mpg ~ wt + I(wt**2) + wt * C(am)", "gaussian", "identity"),
  case("gaussian_identity_offset_formula_anorexia",
       "gaussian, identity link, offset(Prewt) in the formula (MASS ch. 6)",
       "anorexia",
       "glm(Postwt ~ Prewt + Treat + offset(Prewt), family = gaussian(link = 'identity'), data = anorexia, control = ctrl)",
       "Postwt ~ Prewt + C(Treat) + offset(Prewt)", "gaussian", "identity"),

  # ---- binomial -------------------------------------------------------------------
  case("binomial_logit_binary_birthwt",
       "binomial 0/1 response, logit link",
       "birthwt",
       "glm(low ~ age + lwt + factor(race) + smoke + ptl + ht + ui, family = binomial(link = 'logit'), data = birthwt, control = ctrl)",
       "low ~ age + lwt + C(race) + smoke + ptl + ht + ui", "binomial", "logit"),
  case("binomial_probit_binary_birthwt",
       "binomial 0/1 response, probit link",
       "birthwt",
       "glm(low ~ age + lwt + smoke + ht + ui, family = binomial(link = 'probit'), data = birthwt, control = ctrl)",
       "low ~ age + lwt + smoke + ht + ui", "binomial", "probit"),
  case("binomial_cloglog_binary_weights_birthwt",
       "binomial 0/1 response, cloglog link, non-integer prior weights",
       "birthwt",
       "glm(low ~ lwt + smoke + ht, family = binomial(link = 'cloglog'), data = birthwt, weights = ftv_plus_1, control = ctrl)",
       "low ~ lwt + smoke + ht", "binomial", "cloglog", weights = "ftv_plus_1",
       note = "weights: ftv_plus_1 = ftv + 1"),
  case("binomial_logit_counts_esoph",
       "binomial cbind(successes, failures), logit link, three factors",
       "esoph",
       "glm(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, family = binomial(link = 'logit'), data = esoph, control = ctrl)",
       "ncases ~ C(agegp) + C(alcgp) + C(tobgp)", "binomial", "logit", trials = "ntotal"),
  case("binomial_logit_counts_interaction_budworm",
       "binomial cbind(successes, failures), logit link, factor-by-numeric interaction",
       "budworm",
       "glm(cbind(numdead, numalive) ~ sex * ldose, family = binomial(link = 'logit'), data = budworm, control = ctrl)",
       "numdead ~ C(sex) * ldose", "binomial", "logit", trials = "n"),
  case("binomial_probit_proportion_budworm",
       "binomial proportion response with weights = trials, probit link",
       "budworm",
       "glm(prop ~ sex + ldose, family = binomial(link = 'probit'), data = budworm, weights = n, control = ctrl)",
       "prop ~ C(sex) + ldose", "binomial", "probit", weights = "n"),
  case("binomial_cloglog_counts_budworm",
       "binomial cbind(successes, failures), cloglog link",
       "budworm",
       "glm(cbind(numdead, numalive) ~ sex + ldose, family = binomial(link = 'cloglog'), data = budworm, control = ctrl)",
       "numdead ~ C(sex) + ldose", "binomial", "cloglog", trials = "n"),
  case("binomial_loglog_counts_budworm",
       "binomial cbind(successes, failures), loglog link (custom link-glm object in R 4.2)",
       "budworm",
       "glm(cbind(numdead, numalive) ~ sex + ldose, family = binomial(link = loglog_link), data = budworm, control = ctrl)",
       "numdead ~ C(sex) + ldose", "binomial", "loglog", trials = "n"),
  case("binomial_cauchit_proportion_budworm",
       "binomial proportion response with weights = trials, cauchit link",
       "budworm",
       "glm(prop ~ sex + ldose, family = binomial(link = 'cauchit'), data = budworm, weights = n, control = ctrl)",
       "prop ~ C(sex) + ldose", "binomial", "cauchit", weights = "n"),
  case("binomial_logit_counts_noint_budworm",
       "binomial cbind(successes, failures), logit link, no intercept (one dummy per sex)",
       "budworm",
       "glm(cbind(numdead, numalive) ~ sex + ldose - 1, family = binomial(link = 'logit'), data = budworm, control = ctrl)",
       "numdead ~ C(sex) + ldose - 1", "binomial", "logit", trials = "n"),

  # ---- poisson --------------------------------------------------------------------
  case("poisson_log_interaction_warpbreaks",
       "poisson, log link, factor-by-factor interaction",
       "warpbreaks",
       "glm(breaks ~ wool * tension, family = poisson(link = 'log'), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) * C(tension)", "poisson", "log"),
  case("poisson_log_levels_warpbreaks",
       "poisson, log link, factor levels given explicitly (baseline tension L, as in R's own warpbreaks)",
       "warpbreaks",
       "glm(breaks ~ wool + factor(tension, levels = c('L', 'M', 'H')), family = poisson(link = 'log'), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) + C(tension, levels=['L', 'M', 'H'])", "poisson", "log"),
  case("poisson_log_zero_weights_warpbreaks",
       "poisson, log link, prior weights with three zeros",
       "warpbreaks",
       "glm(breaks ~ wool + tension, family = poisson(link = 'log'), data = warpbreaks, weights = w0, control = ctrl)",
       "breaks ~ C(wool) + C(tension)", "poisson", "log", weights = "w0"),
  case("poisson_log_insectsprays",
       "poisson, log link, one factor",
       "insectsprays",
       "glm(count ~ spray, family = poisson(link = 'log'), data = insectsprays, control = ctrl)",
       "count ~ C(spray)", "poisson", "log"),
  case("poisson_log_aliased_mtcars",
       "poisson, log link, hp_cyl = hp + 10*cyl is aliased (NA coefficient)",
       "mtcars",
       "glm(carb ~ wt + hp + factor(cyl) + hp_cyl, family = poisson(link = 'log'), data = mtcars, control = ctrl_alias)",
       "carb ~ wt + hp + C(cyl) + hp_cyl", "poisson", "log", aliased = TRUE,
       note = "control = ctrl_alias (epsilon 1e-10): at epsilon 1e-14 glm.fit's QR tolerance is too small to see the alias"),
  case("poisson_sqrt_insectsprays",
       "poisson, sqrt link",
       "insectsprays",
       "glm(count ~ spray, family = poisson(link = 'sqrt'), data = insectsprays, control = ctrl)",
       "count ~ C(spray)", "poisson", "sqrt"),
  case("poisson_identity_insectsprays",
       "poisson, identity link",
       "insectsprays",
       "glm(count ~ spray, family = poisson(link = 'identity'), data = insectsprays, control = ctrl)",
       "count ~ C(spray)", "poisson", "identity"),
  case("poisson_power_third_warpbreaks",
       "poisson, power(1/3) link",
       "warpbreaks",
       "glm(breaks ~ wool + tension, family = poisson(link = power(1/3)), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) + C(tension)", "poisson", list(power = 1 / 3)),
  case("poisson_log_offset_formula_insurance",
       "poisson, log link, offset(log(Holders)) in the formula",
       "insurance",
       "glm(Claims ~ factor(District) + Group + Age + offset(log(Holders)), family = poisson(link = 'log'), data = insurance, control = ctrl)",
       "Claims ~ C(District) + C(Group) + C(Age) + offset(np.log(Holders))", "poisson", "log"),
  case("poisson_log_offset_argument_ships",
       "poisson, log link, offset passed as the offset= argument (log_service = log(service))",
       "ships",
       "glm(incidents ~ type + factor(year) + factor(period), family = poisson(link = 'log'), data = ships, offset = log_service, control = ctrl)",
       "incidents ~ C(type) + C(year) + C(period)", "poisson", "log", offset = "log_service"),
  case("poisson_log_offset_noint_ships",
       "poisson, log link, formula offset and no intercept (null deviance at eta = offset)",
       "ships",
       "glm(incidents ~ type + offset(log(service)) - 1, family = poisson(link = 'log'), data = ships, control = ctrl)",
       "incidents ~ C(type) + offset(np.log(service)) - 1", "poisson", "log"),

  # ---- quasipoisson / quasibinomial ---------------------------------------------------
  case("quasipoisson_log_offset_argument_ships",
       "quasipoisson, log link, offset= argument",
       "ships",
       "glm(incidents ~ type + factor(year) + factor(period), family = quasipoisson(link = 'log'), data = ships, offset = log_service, control = ctrl)",
       "incidents ~ C(type) + C(year) + C(period)", "quasipoisson", "log", offset = "log_service"),
  case("quasipoisson_log_warpbreaks",
       "quasipoisson, log link",
       "warpbreaks",
       "glm(breaks ~ wool + tension, family = quasipoisson(link = 'log'), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) + C(tension)", "quasipoisson", "log"),
  case("quasibinomial_logit_counts_esoph",
       "quasibinomial cbind(successes, failures), logit link",
       "esoph",
       "glm(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, family = quasibinomial(link = 'logit'), data = esoph, control = ctrl)",
       "ncases ~ C(agegp) + C(alcgp) + C(tobgp)", "quasibinomial", "logit", trials = "ntotal"),
  case("quasibinomial_probit_proportion_budworm",
       "quasibinomial proportion response with weights = trials, probit link",
       "budworm",
       "glm(prop ~ sex * ldose, family = quasibinomial(link = 'probit'), data = budworm, weights = n, control = ctrl)",
       "prop ~ C(sex) * ldose", "quasibinomial", "probit", weights = "n"),

  # ---- Gamma ---------------------------------------------------------------------
  case("gamma_inverse_clotting",
       "Gamma, inverse link (canonical), the ?glm clotting example",
       "clotting",
       "glm(time ~ log(u) * lot, family = Gamma(link = 'inverse'), data = clotting, control = ctrl)",
       "time ~ np.log(u) * C(lot)", "gamma", "inverse"),
  case("gamma_log_mtcars",
       "Gamma, log link",
       "mtcars",
       "glm(mpg ~ wt + hp, family = Gamma(link = 'log'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp", "gamma", "log"),
  case("gamma_identity_clotting",
       "Gamma, identity link",
       "clotting",
       "glm(time ~ log(u) + lot, family = Gamma(link = 'identity'), data = clotting, control = ctrl)",
       "time ~ np.log(u) + C(lot)", "gamma", "identity"),
  case("gamma_log_weights_mtcars",
       "Gamma, log link, non-integer prior weights",
       "mtcars",
       "glm(mpg ~ wt + factor(am), family = Gamma(link = 'log'), data = mtcars, weights = w, control = ctrl)",
       "mpg ~ wt + C(am)", "gamma", "log", weights = "w"),

  # ---- inverse gaussian -----------------------------------------------------------
  case("inverse_gaussian_inverse_squared_clotting",
       "inverse gaussian, 1/mu^2 link (canonical)",
       "clotting",
       "glm(time ~ log(u) + lot, family = inverse.gaussian(link = '1/mu^2'), data = clotting, control = ctrl)",
       "time ~ np.log(u) + C(lot)", "inverse_gaussian", "inverse_squared"),
  case("inverse_gaussian_log_mtcars",
       "inverse gaussian, log link",
       "mtcars",
       "glm(mpg ~ wt + hp, family = inverse.gaussian(link = 'log'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp", "inverse_gaussian", "log"),
  case("inverse_gaussian_inverse_weights_mtcars",
       "inverse gaussian, inverse link, non-integer prior weights",
       "mtcars",
       "glm(mpg ~ wt + qsec, family = inverse.gaussian(link = 'inverse'), data = mtcars, weights = w, control = ctrl)",
       "mpg ~ wt + qsec", "inverse_gaussian", "inverse", weights = "w"),

  # ---- negative binomial (fixed theta) ---------------------------------------------
  case("negative_binomial_log_quine",
       "negative binomial, theta fixed at 1.2, log link",
       "quine",
       "glm(Days ~ Eth + Sex + Age + Lrn, family = negative.binomial(theta = 1.2, link = 'log'), data = quine, control = ctrl)",
       "Days ~ C(Eth) + C(Sex) + C(Age) + C(Lrn)", "negative_binomial", "log",
       family_args = list(theta = 1.2), dispersion = 1,
       note = paste("Dispersion fixed at 1 (summary(fit, dispersion = 1)), as MASS's summary.negbin",
                    "does; summary.glm on this fit would estimate it by Pearson's statistic",
                    "(kept in dispersion_pearson).")),
  case("negative_binomial_sqrt_warpbreaks",
       "negative binomial, theta fixed at 8, sqrt link, interaction",
       "warpbreaks",
       "glm(breaks ~ wool * tension, family = negative.binomial(theta = 8, link = 'sqrt'), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) * C(tension)", "negative_binomial", "sqrt",
       family_args = list(theta = 8), dispersion = 1,
       note = "Dispersion fixed at 1 (summary(fit, dispersion = 1)), as MASS's summary.negbin does."),
  case("negative_binomial_log_offset_insurance",
       "negative binomial, theta fixed at 50, log link, formula offset",
       "insurance",
       "glm(Claims ~ Group + Age + offset(log(Holders)), family = negative.binomial(theta = 50, link = 'log'), data = insurance, control = ctrl)",
       "Claims ~ C(Group) + C(Age) + offset(np.log(Holders))", "negative_binomial", "log",
       family_args = list(theta = 50), dispersion = 1,
       note = "Dispersion fixed at 1 (summary(fit, dispersion = 1)), as MASS's summary.negbin does."),

  # ---- Tweedie (statmod) ------------------------------------------------------------
  case("tweedie_p1.5_log_quine",
       "Tweedie var.power 1.5, log link (link.power 0), response with zeros",
       "quine",
       "glm(Days ~ Eth + Sex + Age + Lrn, family = tweedie(var.power = 1.5, link.power = 0), data = quine, control = ctrl)",
       "Days ~ C(Eth) + C(Sex) + C(Age) + C(Lrn)", "tweedie", "log",
       family_args = list(power = 1.5),
       note = "statmod's tweedie family has no AIC (NA), so loglik/aic/bic are null and not compared."),
  case("tweedie_p1.5_log_offset_insurance",
       "Tweedie var.power 1.5, log link, formula offset",
       "insurance",
       "glm(Claims ~ Group + Age + offset(log(Holders)), family = tweedie(var.power = 1.5, link.power = 0), data = insurance, control = ctrl)",
       "Claims ~ C(Group) + C(Age) + offset(np.log(Holders))", "tweedie", "log",
       family_args = list(power = 1.5),
       note = "statmod's tweedie family has no AIC (NA), so loglik/aic/bic are null and not compared."),
  case("tweedie_p1_log_warpbreaks",
       "Tweedie var.power 1 (Poisson variance, estimated dispersion), log link",
       "warpbreaks",
       "glm(breaks ~ wool + tension, family = tweedie(var.power = 1, link.power = 0), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) + C(tension)", "tweedie", "log",
       family_args = list(power = 1),
       note = paste("Family name is 'Tweedie', so summary.glm estimates the dispersion (Pearson)",
                    "and uses t statistics even though var.power = 1. No AIC in statmod.")),
  case("tweedie_p2_log_mtcars",
       "Tweedie var.power 2 (Gamma variance), log link",
       "mtcars",
       "glm(mpg ~ wt + hp, family = tweedie(var.power = 2, link.power = 0), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp", "tweedie", "log",
       family_args = list(power = 2),
       note = "Same fit as gamma_log_mtcars; no AIC in statmod."),
  case("tweedie_p1.5_identity_clotting",
       "Tweedie var.power 1.5, identity link (link.power 1)",
       "clotting",
       "glm(time ~ log(u) + lot, family = tweedie(var.power = 1.5, link.power = 1), data = clotting, control = ctrl)",
       "time ~ np.log(u) + C(lot)", "tweedie", "identity",
       family_args = list(power = 1.5),
       note = "statmod's tweedie family has no AIC (NA), so loglik/aic/bic are null and not compared."),

  # ---- general quasi --------------------------------------------------------------
  case("quasi_log_mu2_mtcars",
       "quasi, log link, variance mu^2",
       "mtcars",
       "glm(mpg ~ wt + hp, family = quasi(link = 'log', variance = 'mu^2'), data = mtcars, control = ctrl)",
       "mpg ~ wt + hp", "quasi", "log", family_args = list(variance = "mu^2")),
  case("quasi_log_mu_warpbreaks",
       "quasi, log link, variance mu (quasipoisson under another name)",
       "warpbreaks",
       "glm(breaks ~ wool * tension, family = quasi(link = 'log', variance = 'mu'), data = warpbreaks, control = ctrl)",
       "breaks ~ C(wool) * C(tension)", "quasi", "log", family_args = list(variance = "mu")),
  case("quasi_logit_mu1mu_budworm",
       "quasi, logit link, variance mu(1-mu), proportion response with weights = trials",
       "budworm",
       "glm(prop ~ sex + ldose, family = quasi(link = 'logit', variance = 'mu(1-mu)'), data = budworm, weights = n, control = ctrl)",
       "prop ~ C(sex) + ldose", "quasi", "logit", family_args = list(variance = "mu(1-mu)"),
       weights = "n"),
  case("quasi_inverse_squared_mu3_clotting",
       "quasi, 1/mu^2 link, variance mu^3 (inverse gaussian variance)",
       "clotting",
       "glm(time ~ log(u) + lot, family = quasi(link = '1/mu^2', variance = 'mu^3'), data = clotting, control = ctrl)",
       "time ~ np.log(u) + C(lot)", "quasi", "inverse_squared", family_args = list(variance = "mu^3")),
  case("quasi_identity_constant_anorexia",
       "quasi, identity link, constant variance (gaussian under another name)",
       "anorexia",
       "glm(Postwt ~ Prewt + Treat, family = quasi(link = 'identity', variance = 'constant'), data = anorexia, control = ctrl)",
       "Postwt ~ Prewt + C(Treat)", "quasi", "identity", family_args = list(variance = "constant"))
)

# ---------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------

# Shortest of 15, 16 or 17 significant digits that reads back as the same double.
fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v)) {
      out[i] <- "null"
    } else if (!is.finite(v)) {
      stop("non-finite value reached the JSON writer; record it as an r_quirk instead")
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

glmkit_link <- function(fam) {
  name <- fam$link
  if (fam$family == "Tweedie") {
    lp <- environment(fam$linkfun)$link.power
    if (is.null(lp)) stop("cannot read link.power from the tweedie family")
    return(switch(as.character(lp), "0" = "log", "1" = "identity", list(power = lp)))
  }
  switch(name, "1/mu^2" = "inverse_squared", name)
}

newdata_rows_for <- function(n) unique(round(seq(1, n, length.out = 5)))

run_case <- function(cs) {
  warnings_seen <- character(0)
  fit <- withCallingHandlers(
    eval(parse(text = cs$call), envir = data_env),
    warning = function(w) {
      warnings_seen <<- c(warnings_seen, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  if (!fit$converged) stop(cs$id, ": glm did not converge")
  if (cs$aliased != (fit$rank < length(coef(fit)))) {
    stop(cs$id, ": expected aliased = ", cs$aliased, ", R's rank is ", fit$rank)
  }
  df <- get(cs$dataset, envir = data_env)

  # The link recorded for glmkit must be the link R actually used.
  r_link <- glmkit_link(fit$family)
  if (!identical(r_link, cs$link) &&
      !(is.list(cs$link) && is.list(r_link) && abs(r_link$power - cs$link$power) < 1e-15) &&
      !(is.list(cs$link) && grepl("^mu\\^", fit$family$link))) {
    stop(cs$id, ": link mismatch, R used ", fit$family$link)
  }

  sm <- suppressWarnings(summary(fit, dispersion = cs$dispersion))
  cf <- coef(fit)
  coef_names <- names(cf)
  p <- length(cf)
  table_full <- matrix(NA_real_, p, 4, dimnames = list(coef_names, NULL))
  table_full[rownames(sm$coefficients), ] <- sm$coefficients
  statistic_kind <- if (grepl("^t", colnames(sm$coefficients)[3])) "t" else "z"

  covmat <- suppressWarnings(vcov(fit, dispersion = cs$dispersion, complete = TRUE))
  se <- table_full[, 2]
  z <- qnorm(0.975)
  ci <- cbind(cf - z * se, cf + z * se)
  if (is.null(cs$dispersion)) {
    # confint.default is exactly this Wald interval with normal quantiles; check it.
    ci_r <- suppressWarnings(confint.default(fit))
    stopifnot(isTRUE(all.equal(unname(ci), unname(ci_r), tolerance = 1e-14)))
  }

  ll <- suppressWarnings(logLik(fit))
  loglik <- as.numeric(ll)
  aic <- suppressWarnings(AIC(fit))
  bic <- suppressWarnings(BIC(fit))
  quirks <- list()
  quirks_alternative <- NULL
  if (!is.finite(aic) && !is.na(aic)) {
    quirks$loglik <- sprintf("R gives %s", format(loglik))
    quirks$aic <- sprintf("R gives %s", format(aic))
    quirks$bic <- sprintf("R gives %s", format(bic))
    loglik <- NA; aic <- NA; bic <- NA
    if (any(weights(fit, "prior") == 0)) {
      # What R gives once the zero-weight rows are dropped, with BIC's n counted as R
      # counts it for every other family (all rows, attr(logLik, "nobs")).
      keep <- weights(fit, "prior") > 0
      alt <- suppressWarnings(update(fit, data = df[keep, , drop = FALSE]))
      alt_ll <- logLik(alt)
      quirks_alternative <- list(
        description = unbox(paste(
          "the same call on the rows with non-zero prior weight (loglik, aic);",
          "bic = -2 * loglik + log(n_obs) * loglik_df, n_obs counting every row as",
          "BIC(glm) does elsewhere")),
        loglik = json_num(as.numeric(alt_ll)),
        aic = json_num(AIC(alt)),
        bic = json_num(-2 * as.numeric(alt_ll) + log(nrow(df)) * attr(alt_ll, "df"))
      )
    }
  } else if (is.na(aic) && !(fit$family$family %in% c("quasi", "quasipoisson", "quasibinomial"))) {
    why <- sprintf("R's %s family defines no AIC", fit$family$family)
    quirks$loglik <- why; quirks$aic <- why; quirks$bic <- why
  }

  rows <- newdata_rows_for(nrow(df))
  nd <- df[rows, , drop = FALSE]
  pl <- suppressWarnings(predict(fit, newdata = nd, type = "link", se.fit = TRUE,
                                 dispersion = cs$dispersion))
  pr <- suppressWarnings(predict(fit, newdata = nd, type = "response", se.fit = TRUE,
                                 dispersion = cs$dispersion))
  # predict() on the training rows must reproduce the fitted values (offsets re-applied).
  stopifnot(isTRUE(all.equal(unname(pl$fit), unname(fit$linear.predictors[rows]),
                             tolerance = 1e-10)))

  X <- model.matrix(fit)
  dispersion_pearson <- if (fit$df.residual > 0) {
    sum((fit$weights * fit$residuals^2)[fit$weights > 0]) / fit$df.residual
  } else NA

  list(
    id = unbox(cs$id),
    description = unbox(cs$description),
    dataset = unbox(cs$dataset),
    formula = unbox(cs$formula),
    family = unbox(cs$family),
    family_args = if (is.null(cs$family_args)) NULL else lapply(cs$family_args, unbox),
    link = if (is.list(cs$link)) lapply(cs$link, json_num) else unbox(cs$link),
    weights = if (is.null(cs$weights)) NULL else unbox(cs$weights),
    offset = if (is.null(cs$offset)) NULL else unbox(cs$offset),
    trials = if (is.null(cs$trials)) NULL else unbox(cs$trials),
    r_call = unbox(cs$call),
    r_family = unbox(fit$family$family),
    r_link = unbox(fit$family$link),
    note = if (is.null(cs$note)) NULL else unbox(cs$note),
    r_quirks = if (length(quirks)) lapply(quirks, unbox) else NULL,
    r_quirks_alternative = quirks_alternative,
    r_warnings = unique(warnings_seen),
    n_obs = unbox(nrow(df)),
    nobs = unbox(nobs(fit)),
    converged = unbox(fit$converged),
    iter = unbox(fit$iter),
    coef_names = coef_names,
    coef = json_vec(cf),
    std_err = json_vec(table_full[, 2]),
    statistic = json_vec(table_full[, 3]),
    statistic_kind = unbox(statistic_kind),
    p_values = json_vec(table_full[, 4]),
    cov = json_mat(covmat),
    conf_int = json_mat(ci),
    conf_level = json_num(0.95),
    deviance = json_num(deviance(fit)),
    null_deviance = json_num(fit$null.deviance),
    df_resid = unbox(fit$df.residual),
    df_null = unbox(fit$df.null),
    dispersion = json_num(sm$dispersion),
    dispersion_fixed = unbox(!is.null(cs$dispersion) ||
                             fit$family$family %in% c("poisson", "binomial")),
    dispersion_pearson = json_num(dispersion_pearson),
    loglik = json_num(loglik),
    loglik_df = unbox(attr(ll, "df")),
    loglik_nobs = unbox(attr(ll, "nobs")),
    aic = json_num(aic),
    bic = json_num(bic),
    rank = unbox(fit$rank),
    fitted = json_vec(fitted(fit)),
    linear_predictor = json_vec(fit$linear.predictors),
    prior_weights = json_vec(weights(fit, "prior")),
    residuals = list(
      deviance = json_vec(residuals(fit, "deviance")),
      pearson = json_vec(residuals(fit, "pearson")),
      response = json_vec(residuals(fit, "response")),
      working = json_vec(residuals(fit, "working"))
    ),
    newdata_rows = rows - 1L,
    predict_link = json_vec(pl$fit),
    predict_link_se = json_vec(pl$se.fit),
    predict_response = json_vec(pr$fit),
    predict_response_se = json_vec(pr$se.fit),
    design_colnames = colnames(X),
    design_colsums = json_vec(colSums(X)),
    design_rowindex_colsums = json_vec(colSums(X * seq_len(nrow(X))))
  )
}

ids <- vapply(cases, function(cs) cs$id, character(1))
if (anyDuplicated(ids)) stop("duplicate case ids: ", paste(ids[duplicated(ids)], collapse = ", "))

results <- lapply(cases, function(cs) {
  message("fitting ", cs$id)
  run_case(cs)
})

pkg_version <- function(p) unbox(as.character(packageVersion(p)))
out <- list(
  generator = unbox("tests/reference/r/core_glm.R"),
  r_version = unbox(R.version.string),
  packages = list(stats = pkg_version("stats"), MASS = pkg_version("MASS"),
                  statmod = pkg_version("statmod"), jsonlite = pkg_version("jsonlite")),
  control = list(epsilon = unbox(ctrl$epsilon), maxit = unbox(ctrl$maxit)),
  r_setup = unbox(r_setup),
  conventions = list(
    indexing = unbox("newdata_rows are 0-based row indices into the dataset CSV"),
    missing = unbox("null marks an aliased coefficient (R's NA) or a quantity R does not define"),
    conf_int = unbox("Wald interval coef -/+ qnorm(0.975) * std_err, as confint.default (normal quantiles even when t statistics are reported)"),
    arrays = unbox("per-observation arrays are in CSV row order; matrices are row-major")
  ),
  cases = results
)

path <- file.path(expected_dir, "core_glm.json")
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), path)
message("wrote ", path, " (", length(results), " cases)")
