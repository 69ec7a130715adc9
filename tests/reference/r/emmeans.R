# Reference values for glmkit.margins: R's emmeans, and marginaleffects-style averages by hand.
#
# Run from the repository root (after core_glm.R has written the CSVs it reads):
#
#     Rscript tests/reference/r/emmeans.R
#
# Writes tests/reference/expected/emmeans.json and the CSVs toothgrowth.csv, cabbages.csv.
#
# What is computed, per model case:
# - emmeans::emmeans (means on the link or response scale, at=, a sandwich vcov.) and
#   contrast() (pairwise, revpairwise, trt.vs.ctrl, consec; tukey, holm, bonferroni, sidak,
#   dunnettx, none; ratios and odds ratios on the response scale; regrid), with infer = TRUE.
# - emmeans::emtrends (slopes on the link scale at the reference grid).
# - Average predictions, slopes and comparisons as marginaleffects defines them (the
#   package is not installable here), computed by hand: predict on counterfactual copies of
#   the data, average, and the delta method with the Jacobian of the average in beta,
#   computed analytically (mu.eta(eta) * X) and checked against a numeric Jacobian.
#   Slopes are centred differences (f(x + h) - f(x - h)) / 2h, h = 1e-4 * range(x).
#
# Factor levels are sorted in the C locale, as formulaic does. Fits use epsilon = 1e-14.
# Numbers are written with the shortest of 15/16/17 digits that round-trips.

suppressPackageStartupMessages({
  library(MASS)
  library(emmeans)
  library(sandwich)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
if (!dir.exists("tests/reference")) stop("run from the repository root")
emm_options(msg.interaction = FALSE, msg.nesting = FALSE)

ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
data_dir <- "tests/reference/data"
rd <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = TRUE)

tg <- ToothGrowth
write.csv(data.frame(len = tg$len, supp = as.character(tg$supp), dose = tg$dose),
          file.path(data_dir, "toothgrowth.csv"), row.names = FALSE)
write.csv(data.frame(Cult = as.character(cabbages$Cult), Date = as.character(cabbages$Date),
                     HeadWt = cabbages$HeadWt, VitC = cabbages$VitC),
          file.path(data_dir, "cabbages.csv"), row.names = FALSE)
warpbreaks <- rd("warpbreaks"); birthwt <- rd("birthwt"); insurance <- rd("insurance")
anorexia <- rd("anorexia"); quine <- rd("quine"); toothgrowth <- rd("toothgrowth"); cabbages <- rd("cabbages")
birthwt$race <- factor(birthwt$race); insurance$District <- factor(insurance$District)
toothgrowth$dose <- factor(toothgrowth$dose)

fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v)) { out[i] <- "null"; next }
    if (!is.finite(v)) { out[i] <- if (v > 0) "\"Infinity\"" else "\"-Infinity\""; next }
    for (d in 15:17) { s <- sprintf(paste0("%.", d, "g"), v); if (as.numeric(s) == v) break }
    out[i] <- s
  }
  out
}
jv <- function(x) structure(paste0("[", paste(fmt_num(as.numeric(x)), collapse = ","), "]"), class = "json")

# -- emmeans ----------------------------------------------------------------------------
table_of <- function(s) {
  s <- as.data.frame(s)
  est <- attr(s, "estName"); cl <- attr(s, "clNames")
  stat <- intersect(names(s), c("t.ratio", "z.ratio"))
  out <- list(estimate = jv(s[[est]]), std_err = jv(s$SE), df = jv(s$df))
  if (length(cl) == 2) { out$lower <- jv(s[[cl[1]]]); out$upper <- jv(s[[cl[2]]]) }
  if (length(stat)) { out$statistic <- jv(s[[stat]]); out$p_value <- jv(s$p.value) }
  out
}

emm_record <- function(fit, specs, by = NULL, type = "link", at = NULL, vcov = NULL, contrasts = list(),
                       weights = "equal") {
  args <- list(fit, specs = specs, by = by, type = type, weights = weights)
  if (!is.null(at)) args$at <- at
  if (!is.null(vcov)) args$vcov. <- sandwich::vcovHC(fit, type = vcov)
  e <- do.call(emmeans, args)
  s <- summary(e)
  means <- table_of(s)
  means$labels <- lapply(c(specs, by), function(v) as.character(s[[v]]))
  recs <- lapply(contrasts, function(k) {
    obj <- if (isTRUE(k$regrid)) regrid(e) else e
    cargs <- list(obj, method = if (is.list(k$method)) lapply(k$method, as.numeric) else k$method, adjust = k$adjust)
    if (!is.null(k$ref)) cargs$ref <- k$ref + 1
    ct <- do.call(contrast, cargs)
    cs <- summary(ct, infer = c(TRUE, TRUE), type = k$type)
    rec <- table_of(cs)
    rec$labels <- as.character(cs$contrast)
    c(list(method = k$method, adjust = k$adjust, type = k$type, regrid = isTRUE(k$regrid),
           ref = if (is.null(k$ref)) 0L else k$ref), rec)
  })
  list(specs = specs, by = if (is.null(by)) character(0) else by, type = type, at = at, cov = vcov,
       weights = weights, means = means, contrasts = recs)
}
K <- function(method, adjust, type = "link", regrid = FALSE, ref = NULL)
  list(method = method, adjust = adjust, type = type, regrid = regrid, ref = ref)

trend_record <- function(fit, specs, var) {
  s <- summary(emtrends(fit, specs = specs, var = var), infer = c(TRUE, TRUE))
  est <- s[[paste0(var, ".trend")]]
  list(specs = specs, var = var, estimate = jv(est), std_err = jv(s$SE), labels = as.character(s[[specs]]))
}

# -- marginaleffects by hand ------------------------------------------------------------
design_at <- function(fit, nd) {
  tt <- delete.response(terms(fit))
  mf <- model.frame(tt, nd, xlev = fit$xlevels)
  off <- model.offset(mf); if (is.null(off)) off <- rep(0, nrow(nd))
  list(X = model.matrix(tt, mf, contrasts.arg = fit$contrasts), offset = off)
}
pred_parts <- function(fit, nd, type, beta = coef(fit)) {
  d <- design_at(fit, nd)
  eta <- drop(d$X %*% beta) + d$offset
  if (type == "link") return(list(value = eta, jac = d$X))
  fam <- family(fit)
  list(value = fam$linkinv(eta), jac = fam$mu.eta(eta) * d$X)
}
set_var <- function(nd, var, value) { nd[[var]] <- if (is.factor(nd[[var]])) factor(value, levels = levels(nd[[var]])) else value; nd }
groups_of <- function(nd, by) if (is.null(by)) list(all = seq_len(nrow(nd))) else split(seq_len(nrow(nd)), nd[[by]], drop = TRUE)

finish <- function(fit, est, J, vcov, fun) {
  V <- if (is.null(vcov)) vcov(fit) else sandwich::vcovHC(fit, type = vcov)
  Jn <- sapply(seq_along(coef(fit)), function(j) {
    b <- coef(fit); d <- 1e-6 * max(1, abs(b[j])); bp <- b; bm <- b; bp[j] <- b[j] + d; bm[j] <- b[j] - d
    (fun(bp) - fun(bm)) / (2 * d)
  })
  if (!is.matrix(Jn)) Jn <- matrix(Jn, nrow = 1)
  if (max(abs(Jn - J)) > 1e-5 * max(1, abs(J))) stop("analytic and numeric Jacobians disagree")
  se <- sqrt(rowSums((J %*% V) * J))
  list(estimate = jv(est), std_err = jv(se), lower = jv(est - qnorm(0.975) * se), upper = jv(est + qnorm(0.975) * se))
}

avg_slopes <- function(fit, data, vars, by = NULL, type = "response", vcov = NULL) {
  pieces <- lapply(vars, function(v) {
    h <- 1e-4 * diff(range(data[[v]]))
    f <- function(beta) {
      up <- pred_parts(fit, set_var(data, v, data[[v]] + h), type, beta)
      dn <- pred_parts(fit, set_var(data, v, data[[v]] - h), type, beta)
      list(value = (up$value - dn$value) / (2 * h), jac = (up$jac - dn$jac) / (2 * h))
    }
    s <- f(coef(fit)); g <- groups_of(data, by)
    list(est = sapply(g, function(r) mean(s$value[r])),
         J = do.call(rbind, lapply(g, function(r) colMeans(s$jac[r, , drop = FALSE]))),
         fun = function(beta) { s <- f(beta); sapply(g, function(r) mean(s$value[r])) })
  })
  est <- unlist(lapply(pieces, `[[`, "est")); J <- do.call(rbind, lapply(pieces, `[[`, "J"))
  finish(fit, est, J, vcov, function(beta) unlist(lapply(pieces, function(p) p$fun(beta))))
}

avg_predictions <- function(fit, data, at_var = NULL, at_values = NULL, by = NULL, type = "response", vcov = NULL) {
  frames <- if (is.null(at_var)) list(data) else lapply(at_values, function(a) set_var(data, at_var, a))
  f <- function(beta) lapply(frames, function(nd) {
    p <- pred_parts(fit, nd, type, beta); g <- groups_of(nd, by)
    list(value = sapply(g, function(r) mean(p$value[r])),
         J = do.call(rbind, lapply(g, function(r) colMeans(p$jac[r, , drop = FALSE]))))
  })
  parts <- f(coef(fit))
  finish(fit, unlist(lapply(parts, `[[`, "value")), do.call(rbind, lapply(parts, `[[`, "J")), vcov,
         function(beta) unlist(lapply(f(beta), `[[`, "value")))
}

avg_comparisons <- function(fit, data, var, pairs, comparison = "difference", by = NULL, type = "response", vcov = NULL) {
  f <- function(beta) lapply(pairs, function(pr) {
    lo <- pred_parts(fit, set_var(data, var, pr[[1]]), type, beta)
    hi <- pred_parts(fit, set_var(data, var, pr[[2]]), type, beta)
    g <- groups_of(data, by)
    if (comparison == "ratioavg") {
      return(list(value = sapply(g, function(r) mean(hi$value[r]) / mean(lo$value[r])),
                  J = do.call(rbind, lapply(g, function(r) {
                    ml <- mean(lo$value[r]); mh <- mean(hi$value[r])
                    (colMeans(hi$jac[r, , drop = FALSE]) * ml - mh * colMeans(lo$jac[r, , drop = FALSE])) / ml^2 }))))
    }
    if (comparison == "difference") { v <- hi$value - lo$value; jac <- hi$jac - lo$jac }
    else { v <- hi$value / lo$value; jac <- (hi$jac - v * lo$jac) / lo$value }
    list(value = sapply(g, function(r) mean(v[r])), J = do.call(rbind, lapply(g, function(r) colMeans(jac[r, , drop = FALSE]))))
  })
  parts <- f(coef(fit))
  finish(fit, unlist(lapply(parts, `[[`, "value")), do.call(rbind, lapply(parts, `[[`, "J")), vcov,
         function(beta) unlist(lapply(f(beta), `[[`, "value")))
}
EFF <- function(kind, args, values) c(list(kind = kind, args = args), values)

# -- the cases --------------------------------------------------------------------------
cases <- list()
add <- function(id, dataset, formula, r_fit, family, link, emm = list(), trends = list(), effects = list())
  cases[[length(cases) + 1]] <<- list(id = id, dataset = dataset, formula = formula,
    r_call = paste(deparse(r_fit$call), collapse = " "), family = family, link = link,
    emmeans = emm, emtrends = trends, effects = effects)

warpbreaks$tension <- factor(warpbreaks$tension, levels = c("L", "M", "H"))
fit <- glm(breaks ~ wool * tension, poisson, warpbreaks, control = ctrl)
add("poisson_log_warpbreaks", "warpbreaks", "breaks ~ wool * C(tension, levels=['L', 'M', 'H'])", fit, "poisson", "log",
  emm = list(
    emm_record(fit, "tension", by = "wool", type = "response",
               contrasts = list(K("pairwise", "tukey", "response"), K("revpairwise", "bonferroni", "link"),
                                K("trt.vs.ctrl", "dunnettx", "response"), K("consec", "sidak", "response", regrid = TRUE),
                                K(list(L_vs_MH = c(1, -0.5, -0.5), M_vs_H = c(0, 1, -1)), "bonferroni", "response"))),
    emm_record(fit, "wool", contrasts = list(K("pairwise", "none", "link"))),
    emm_record(fit, c("wool", "tension"), contrasts = list(K("pairwise", "holm", "link")))),
  effects = list(
    EFF("predictions", list(by = "wool"), avg_predictions(fit, warpbreaks, by = "wool")),
    EFF("comparisons", list(variables = "tension", comparison = "ratioavg", by = "wool"),
        avg_comparisons(fit, warpbreaks, "tension", list(c("L", "M"), c("L", "H")), "ratioavg", by = "wool")),
    EFF("comparisons", list(variables = "wool", comparison = "difference", cov = "HC1"),
        avg_comparisons(fit, warpbreaks, "wool", list(c("A", "B")), "difference", vcov = "HC1"))))

fit <- glm(low ~ age + lwt + race + smoke, binomial, birthwt, control = ctrl)
add("binomial_logit_birthwt", "birthwt", "low ~ age + lwt + C(race) + smoke", fit, "binomial", "logit",
  emm = list(
    emm_record(fit, "race", type = "response",
               contrasts = list(K("pairwise", "holm", "response"), K("trt.vs.ctrl", "none", "link", ref = 1L),
                                K("pairwise", "tukey", "response", regrid = TRUE))),
    emm_record(fit, "smoke", type = "response", contrasts = list(K("pairwise", "none", "response"))),
    emm_record(fit, "race", type = "response", weights = "proportional", contrasts = list(K("pairwise", "tukey", "response"))),
    emm_record(fit, "race", type = "response", weights = "cells", contrasts = list()),
    emm_record(fit, "race", type = "link", at = list(lwt = 150), vcov = "HC1",
               contrasts = list(K("pairwise", "sidak", "link")))),
  effects = list(
    EFF("slopes", list(variables = c("age", "lwt")), avg_slopes(fit, birthwt, c("age", "lwt"))),
    EFF("slopes", list(variables = "lwt", by = "race", cov = "HC1"), avg_slopes(fit, birthwt, "lwt", by = "race", vcov = "HC1")),
    EFF("predictions", list(at = list(smoke = c(0, 1))), avg_predictions(fit, birthwt, "smoke", c(0, 1))),
    EFF("comparisons", list(variables = "race", comparison = "difference"),
        avg_comparisons(fit, birthwt, "race", list(c("1", "2"), c("1", "3")), "difference")),
    EFF("comparisons", list(variables = "race", comparison = "ratio", type = "link"),
        avg_comparisons(fit, birthwt, "race", list(c("1", "2"), c("1", "3")), "ratio", type = "link")),
    EFF("comparisons", list(variables = list(lwt = 10), comparison = "difference"),
        avg_comparisons(fit, birthwt, "lwt", list(list(birthwt$lwt, birthwt$lwt + 10)), "difference"))))

fit <- glm(low ~ age + lwt * race + smoke, binomial, birthwt, control = ctrl)
add("binomial_logit_interaction_birthwt", "birthwt", "low ~ age + lwt * C(race) + smoke", fit, "binomial", "logit",
  trends = list(trend_record(fit, "race", "lwt")),
  effects = list(EFF("slopes", list(variables = "lwt", by = "race", type = "link"),
                     avg_slopes(fit, birthwt, "lwt", by = "race", type = "link"))))

fit <- glm(len ~ supp * dose, Gamma(link = "log"), toothgrowth, control = ctrl)
add("gamma_log_toothgrowth", "toothgrowth", "len ~ supp * C(dose)", fit, "gamma", "log",
  emm = list(emm_record(fit, "dose", by = "supp", type = "response",
                        contrasts = list(K("pairwise", "sidak", "response"), K("consec", "none", "link"))),
             emm_record(fit, "supp", type = "response", contrasts = list(K("pairwise", "tukey", "response")))),
  effects = list(EFF("comparisons", list(variables = "supp", comparison = "ratioavg", by = "dose"),
                     avg_comparisons(fit, toothgrowth, "supp", list(c("OJ", "VC")), "ratioavg", by = "dose"))))

fit <- glm(VitC ~ Cult + Date + HeadWt, Gamma, cabbages, control = ctrl)
add("gamma_inverse_cabbages", "cabbages", "VitC ~ Cult + Date + HeadWt", fit, "gamma", "inverse",
  emm = list(emm_record(fit, "Date", type = "response",
                        contrasts = list(K("pairwise", "tukey", "response"), K("pairwise", "tukey", "response", regrid = TRUE))),
             emm_record(fit, "Cult", type = "response", at = list(HeadWt = c(2, 3)), contrasts = list())),
  trends = list(trend_record(fit, "Cult", "HeadWt")),
  effects = list(EFF("slopes", list(variables = "HeadWt"), avg_slopes(fit, cabbages, "HeadWt")),
                 EFF("predictions", list(at = list(Date = c("d16", "d20", "d21")), by = "Cult"),
                     avg_predictions(fit, cabbages, "Date", c("d16", "d20", "d21"), by = "Cult"))))

fit <- glm(Postwt ~ Prewt * Treat, gaussian, anorexia, control = ctrl)
add("gaussian_identity_anorexia", "anorexia", "Postwt ~ Prewt * Treat", fit, "gaussian", "identity",
  emm = list(emm_record(fit, "Treat", contrasts = list(K("trt.vs.ctrl", "dunnettx", "link", ref = 1L),
                                                      K("pairwise", "tukey", "link"))),
             emm_record(fit, "Treat", at = list(Prewt = 80), contrasts = list(K("pairwise", "bonferroni", "link")))),
  trends = list(trend_record(fit, "Treat", "Prewt")),
  effects = list(EFF("slopes", list(variables = "Prewt", by = "Treat"), avg_slopes(fit, anorexia, "Prewt", by = "Treat"))))

fit <- glm(Claims ~ District + Group + Age + offset(log(Holders)), poisson, insurance, control = ctrl)
add("poisson_log_offset_insurance", "insurance", "Claims ~ C(District) + Group + Age + offset(np.log(Holders))", fit,
  "poisson", "log",
  emm = list(emm_record(fit, "Age", type = "response", contrasts = list(K("revpairwise", "tukey", "response"))),
             emm_record(fit, "Group", type = "link", contrasts = list(K("consec", "holm", "link")))))

fit <- glm(Days ~ Eth + Sex + Age + Lrn, poisson, quine, control = ctrl)
add("poisson_log_unbalanced_quine", "quine", "Days ~ Eth + Sex + Age + Lrn", fit, "poisson", "log",
  emm = list(emm_record(fit, "Age", type = "response", weights = "proportional",
                        contrasts = list(K("trt.vs.ctrl", "dunnettx", "response"))),
             emm_record(fit, "Age", type = "response", weights = "outer", contrasts = list()),
             emm_record(fit, "Age", by = "Sex", type = "response", weights = "cells",
                        contrasts = list(K("pairwise", "holm", "response"))),
             emm_record(fit, "Age", type = "link", weights = "flat", contrasts = list(K("consec", "bonferroni", "link")))))

pk <- c("emmeans", "MASS", "sandwich", "jsonlite")
out <- list(generator = "tests/reference/r/emmeans.R", r_version = R.version.string,
            packages = setNames(lapply(pk, function(p) as.character(packageVersion(p))), pk),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, null = "null", digits = NA, json_verbatim = TRUE),
           "tests/reference/expected/emmeans.json")
cat("wrote", length(cases), "cases\n")
