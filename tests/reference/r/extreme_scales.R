# Columns of extreme scale (a column x 1e-300 or x 1e300), issue 15: R's QR works on the
# columns themselves and gives the exactly rescaled coefficient; its vcov gives Inf (or 0)
# for that coefficient's own variance and the ordinary values for the others.
#
# Run from the repository root:
#
#     Rscript tests/reference/r/extreme_scales.R
#
# Writes tests/reference/data/extreme_scales.csv and
# tests/reference/expected/extreme_scales.json. Numbers with the shortest of 15/16/17
# digits that round-trips; Inf written as "Inf".

suppressPackageStartupMessages(library(jsonlite))
if (!dir.exists("tests/reference")) stop("run from the repository root")
set.seed(15)
n <- 40
a <- rnorm(n); b <- rnorm(n)
d <- data.frame(a = a, b = b,
                count = rpois(n, exp(0.4 + 0.3 * a - 0.2 * b)),
                value = 1 + 0.5 * a - 0.25 * b + rnorm(n, sd = 0.3))
write.csv(d, "tests/reference/data/extreme_scales.csv", row.names = FALSE)
d <- read.csv("tests/reference/data/extreme_scales.csv")
ctrl <- glm.control(epsilon = 1e-14, maxit = 200)

fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v)) { out[i] <- "null"; next }
    if (!is.finite(v)) { out[i] <- if (v > 0) "\"Inf\"" else "\"-Inf\""; next }
    for (dg in 15:17) { s <- sprintf(paste0("%.", dg, "g"), v); if (as.numeric(s) == v) break }
    out[i] <- s
  }
  out
}
jv <- function(x) structure(paste0("[", paste(fmt_num(as.numeric(x)), collapse = ","), "]"), class = "json")

cases <- list()
for (fam in c("poisson", "gaussian")) {
  response <- if (fam == "poisson") "count" else "value"
  for (s in c(1e-300, 1e-150, 1e150, 1e300)) {
    dd <- d; dd$a <- dd$a * s
    fit <- glm(as.formula(paste(response, "~ a + b")), family = fam, data = dd, control = ctrl)
    if (!fit$converged || any(is.na(coef(fit)))) stop("R did not fit ", fam, " at scale ", s)
    cases[[length(cases) + 1]] <- list(
      id = unbox(sprintf("%s_a_times_%g", fam, s)), family = unbox(fam), response = unbox(response),
      scale = structure(fmt_num(s), class = "json"),
      coef = jv(coef(fit)), std_err = jv(sqrt(diag(vcov(fit))))
    )
  }
}
out <- list(
  generator = unbox("tests/reference/r/extreme_scales.R"),
  r_version = unbox(R.version.string),
  conventions = unbox("column a of data/extreme_scales.csv multiplied by `scale`; model response ~ a + b"),
  cases = cases
)
writeLines(toJSON(out, pretty = TRUE, auto_unbox = FALSE, null = "null", na = "null",
                  json_verbatim = TRUE, digits = NA), "tests/reference/expected/extreme_scales.json")
