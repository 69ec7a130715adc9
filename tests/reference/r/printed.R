# R's printed output of summary.glm, anova.glm, drop1 and add1 on a few models, written
# to tests/reference/printed/<case>.txt (test_r_printed.py compares glmkit's printing).
# Run from the repository root: Rscript tests/reference/r/printed.R
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(width = 80, useFancyQuotes = FALSE)
d <- "tests/reference/data/"
out <- "tests/reference/printed/"
warpbreaks <- read.csv(paste0(d, "warpbreaks.csv"), stringsAsFactors = TRUE)
esoph <- read.csv(paste0(d, "esoph.csv"), stringsAsFactors = TRUE)
clotting <- read.csv(paste0(d, "clotting.csv"), stringsAsFactors = TRUE)
mtcars <- read.csv(paste0(d, "mtcars.csv"), stringsAsFactors = TRUE)
# tight convergence, as the other references, so that glmkit's numbers agree to every printed
# digit (the iteration counts are then not R's usual ones, and are not compared)
ctrl <- glm.control(epsilon = 1e-14, maxit = 200)
save <- function(name, expr) {
  text <- capture.output(expr)
  writeLines(c(paste0("# ", R.version.string), text), paste0(out, name, ".txt"))
}
w <- glm(breaks ~ wool + tension, family = poisson(link = "log"), data = warpbreaks, control = ctrl)
save("poisson_warpbreaks_summary", print(summary(w)))
save("poisson_warpbreaks_anova", print(anova(w, test = "Chisq")))
save("poisson_warpbreaks_drop1", print(drop1(w, test = "Chisq")))
w1 <- glm(breaks ~ wool, family = poisson(link = "log"), data = warpbreaks, control = ctrl)
save("poisson_warpbreaks_add1", print(add1(w1, ~ . + tension, test = "Chisq")))
save("poisson_warpbreaks_anova_models", print(anova(w1, w, test = "Chisq")))
e <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, family = binomial(link = "logit"), data = esoph, control = ctrl)
save("binomial_esoph_summary", print(summary(e)))
save("binomial_esoph_anova", print(anova(e, test = "Chisq")))
save("binomial_esoph_drop1", print(drop1(e, test = "Rao")))
g <- glm(time ~ log(u) * lot, family = Gamma(link = "inverse"), data = clotting, control = ctrl)
save("gamma_clotting_summary", print(summary(g)))
save("gamma_clotting_anova", print(anova(g, test = "F")))
m <- glm(mpg ~ wt + hp + factor(cyl), family = gaussian(link = "identity"), data = mtcars, control = ctrl)
save("gaussian_mtcars_summary", print(summary(m)))
save("gaussian_mtcars_drop1", print(drop1(m, test = "F")))
