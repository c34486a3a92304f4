# Regenerate r_ciprop_frozen_values.csv (run from tests/survey/data: Rscript make_ciprop_values.R).
# svyciprop(method = "beta") and (method = "logit") with their degf, on the designs of make_frozen_values.R:
# 0/1 variables sw (sch.wide), ci (comp.imp), yr (yr.rnd) of the api data, `a` (cat == "a") of the two-stage
# sample (yr.rnd missing counts as 0); domains `dom`: awards for apistrat, stype for apiclus1 and its
# calibrations, dom for the two-stage sample.
suppressMessages(library(survey))
source("ciprop.R")
api <- function(file, dom) {
  d <- read.csv(file, stringsAsFactors = TRUE)
  d$sw <- as.integer(d$sch.wide == "Yes"); d$ci <- as.integer(d$comp.imp == "Yes")
  d$yr <- as.integer(!is.na(d$yr.rnd) & d$yr.rnd == "Yes"); d$dom <- d[[dom]]
  d
}
vars <- c("sw", "ci", "yr")
strat <- api("apistrat.csv", "awards")
clus1 <- api("apiclus1.csv", "stype")
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
dsrs <- svydesign(id = ~1, fpc = ~fpc, data = api("apisrs.csv", "stype"))
two <- read.csv("two_stage_sample.csv", stringsAsFactors = TRUE)
two$a <- as.integer(two$cat == "a")
dtwo <- svydesign(id = ~psu + ssu, strata = ~h, fpc = ~N1 + N2, nest = TRUE, data = two)
out <- rbind(
  ciprops("apistrat", dstrat, vars),
  ciprops("apiclus1", dclus1, vars),
  ciprops("apisrs", dsrs, vars),
  ciprops("apiclus1_poststratify", postStratify(dclus1, ~stype, pop.types), vars),
  ciprops("apiclus1_rake", rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)), vars),
  ciprops("apiclus1_calibrate", calibrate(dclus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755,
                                                                     stypeM = 1018, api99 = 3914069),
                                          calfun = "linear"), vars),
  ciprops("two_stage", dtwo, "a"))
out$r_survey_version <- as.character(packageVersion("survey"))
write.csv(out, "r_ciprop_frozen_values.csv", row.names = FALSE)
