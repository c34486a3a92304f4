# Regenerate r_survey_frozen_values.csv (run from tests/survey/data: Rscript make_frozen_values.R).
# Frozen with R 4.2 and survey 4.1-1; the api data are R survey's own (see PROVENANCE.md), two_stage_sample.csv
# is a random two-stage sample written by tests/survey/test_r_conformance.py:random_sample (seed 201).
suppressMessages(library(survey))
source("estimates.R")
api <- function(file) {
  d <- read.csv(file, stringsAsFactors = TRUE)
  d$y <- d$api00; d$x <- d$api99; d$dom <- factor(ifelse(d$awards == "Yes", "d1", "d2"))
  d
}
strat <- api("apistrat.csv"); strat$cat <- strat$comp.imp
clus1 <- api("apiclus1.csv"); clus1$cat <- clus1$stype
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
two <- read.csv("two_stage_sample.csv", stringsAsFactors = TRUE)
dtwo <- svydesign(id = ~psu + ssu, strata = ~h, fpc = ~N1 + N2, nest = TRUE, data = two)
out <- rbind(
  est("apistrat", dstrat),
  est("apiclus1", dclus1),
  est("apiclus1_poststratify", postStratify(dclus1, ~stype, pop.types)),
  est("apiclus1_rake", rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))),
  est("apiclus1_calibrate", calibrate(dclus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018,
                                                                  api99 = 3914069), calfun = "linear")),
  est("two_stage", dtwo))
out$r_survey_version <- as.character(packageVersion("survey"))
write.csv(out, "r_survey_frozen_values.csv", row.names = FALSE)
