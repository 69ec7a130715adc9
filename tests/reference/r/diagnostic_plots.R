# The smoothers R's plot.lm draws on the diagnostic panels of a glm (panel.smooth:
# lowess(x, y, f = 2/3, iter = 0) for a glm; R 4.2's plot.lm uses Pearson residuals for a
# glm: residuals(fit, "pearson") and rstandard(fit, type = "pearson")), and the points it
# labels, written to expected/diagnostic_plots.json;
# tests/unit/test_plots_diagnostics.py compares glmkit's lines with them.
# Run from the repository root: Rscript tests/reference/r/diagnostic_plots.R
library(jsonlite)
invisible(Sys.setlocale("LC_COLLATE", "C"))
d <- "tests/reference/data/"
ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
warpbreaks <- read.csv(paste0(d, "warpbreaks.csv"), stringsAsFactors = TRUE)
mtcars <- read.csv(paste0(d, "mtcars.csv"), stringsAsFactors = TRUE)
fits <- list(
  poisson_warpbreaks = glm(breaks ~ wool + tension, family = poisson, data = warpbreaks, control = ctrl),
  gamma_log_mtcars = glm(mpg ~ wt + hp, family = Gamma(link = "log"), data = mtcars, control = ctrl)
)
smooth <- function(x, y) { s <- lowess(x, y, f = 2/3, iter = 0); list(x = s$x, y = s$y) }
cases <- lapply(names(fits), function(id) {
  fit <- fits[[id]]
  r <- residuals(fit, type = "pearson")
  rs <- rstandard(fit, type = "pearson")
  list(id = id,
       residuals_vs_fitted = smooth(predict(fit), r),
       scale_location = smooth(predict(fit), sqrt(abs(rs))),
       residuals_vs_leverage = smooth(hatvalues(fit), rs),
       labelled = list(residuals = order(-abs(r))[1:3] - 1,
                       standardized = order(-abs(rs))[1:3] - 1,
                       cooks = order(-cooks.distance(fit))[1:3] - 1))
})
out <- list(generator = "tests/reference/r/diagnostic_plots.R", r_version = R.version.string,
            note = "lowess(x, y, f = 2/3, iter = 0) as plot.lm's panel.smooth for a glm; labelled: 0-based rows",
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/expected/diagnostic_plots.json")
