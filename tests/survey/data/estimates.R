# The estimates compared with ipstats.survey: mean, total, ratio and proportions, overall and in two domains
# (subset() of the design, as svyby does), each with its standard error and design effect.
# Columns: y (outcome), x (ratio denominator), cat (categorical), dom (domain: d1/d2).
est <- function(case, des) {
  out <- list()
  add <- function(stat, domain, level, e, s, d) {
    out[[length(out) + 1]] <<- data.frame(case = case, stat = stat, domain = domain, level = level,
                                          estimate = as.numeric(e), se = as.numeric(s), deff = as.numeric(d))
  }
  for (dm in c("all", "d1", "d2")) {
    sub <- if (dm == "all") des else subset(des, dom == dm)
    m <- svymean(~y, sub, deff = TRUE); add("mean", dm, "", coef(m), SE(m), deff(m))
    t <- svytotal(~y, sub, deff = TRUE); add("total", dm, "", coef(t), SE(t), deff(t))
    r <- svyratio(~y, ~x, sub, deff = TRUE); add("ratio", dm, "", coef(r), SE(r), attr(r, "deff"))
    p <- svymean(~cat, sub, deff = TRUE)
    add(rep("proportion", length(coef(p))), dm, sub("^cat", "", names(coef(p))), coef(p), SE(p), deff(p))
  }
  do.call(rbind, out)
}
