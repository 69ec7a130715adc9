# R's format(x, digits = d) and format.pval(p, digits = d) on vectors that exercise the
# rules glmkit._rformat reproduces (common decimals, fixed vs scientific, NA, negative
# numbers, rounding up to a new power of ten, p-values below eps), written to
# expected/rformat.json. Run from the repository root: Rscript tests/reference/r/rformat.R
library(jsonlite)
vectors <- list(
  c(297.37, 210.392, 1.5), c(3.1e-05, 0.5), c(0.0165544, 0.0008655, -0.0073541), c(1126.05, 160.78),
  c(-3.18140, 35.846, 0.01195), c(1e-10, 2.5), c(123456789, 1.5), c(99999.7, 1), c(9.99999, 0.1),
  c(NA, 16.039, 70.942), c(0, 1, -1), c(1e15, 2), c(-0.00012345, 5e-08), c(7.708667, 0.029401),
  c(6.206e-05, 3.938e-16), c(0.000625, 0.0727), c(1e-300, 1), c(2.220446e-16)
)
digits <- c(3, 4, 5, 7)
fmt <- list()
for (v in vectors) for (d in digits) {
  fmt[[length(fmt) + 1]] <- list(x = v, digits = d, out = format(v, digits = d))
}
pvals <- list(c(6.206e-05, 3.9e-17), c(0.0039, 1e-20), c(0.000625, 0.0727, 2.16e-10), c(1e-20, 1e-30),
              c(0.5, NA, 1e-5), c(0.0001442, 0.0636127, 0.073645), c(3.42e-11, 2.059e-08, 1e-17))
pv <- list()
for (p in pvals) for (d in c(3, 4)) pv[[length(pv) + 1]] <- list(p = p, digits = d, out = format.pval(p, digits = d))
writeLines(toJSON(list(generator = "tests/reference/r/rformat.R", r_version = R.version.string,
                       format = fmt, format_pval = pv), auto_unbox = FALSE, digits = NA, na = "null", pretty = TRUE),
           "tests/reference/expected/rformat.json")
