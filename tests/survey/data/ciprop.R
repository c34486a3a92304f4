# svyciprop(method = "beta") and (method = "logit") of 0/1 variables, overall and in the domains of `dom`
# (subset() of the design, as svyby does), with degf and nrow of each (sub)design.
# Used by the live test tests/survey/test_quality.py and by make_ciprop_values.R (frozen values).
ciprops <- function(case, des, vars) {
  out <- list()
  doms <- c("all", sort(unique(as.character(des$variables$dom[weights(des, "sampling") != 0]))))
  for (v in vars) {
    for (dm in doms) {
      sub <- if (dm == "all") des else subset(des, dom == dm)
      for (m in c("beta", "logit")) {
        ci <- suppressWarnings(svyciprop(as.formula(paste0("~I(", v, " == 1)")), sub, method = m))
        out[[length(out) + 1]] <- data.frame(case = case, var = v, domain = dm, method = m,
                                             estimate = as.numeric(ci), low = attr(ci, "ci")[1],
                                             high = attr(ci, "ci")[2], df = degf(sub), nrow = nrow(sub),
                                             se = sqrt(as.numeric(attr(ci, "var"))))
      }
    }
  }
  do.call(rbind, out)
}
