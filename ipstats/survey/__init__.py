"""The national patent survey (全国专利调查): design-based estimation, weighting and published indicators.

* :mod:`ipstats.survey.design` — :class:`Design` and its estimators (Taylor linearisation equal to R ``survey``);
* :mod:`ipstats.survey.weighting` — frame, sample design, nonresponse adjustment, calibration to the register;
* :mod:`ipstats.survey.quality` — Korn–Graubard and logit intervals, NCHS 2017 quality rules (:class:`QualityRules`);
* :mod:`ipstats.survey.indicators` — published indicators, quality flags, disclosure control, Chinese summary;
* :mod:`ipstats.survey.report` — what notebooks/40_patent_survey.ipynb shows;
* :mod:`ipstats.survey.demo` — the synthetic demo survey (``write_demo``, ``demo_if_missing``).
"""

from ipstats.survey.design import Design
from ipstats.survey.indicators import quality_flag, report_tables
from ipstats.survey.quality import QualityRules
from ipstats.survey.weighting import SurveyDesign, adjust_nonresponse, register_totals, survey_frame, weight_survey

__all__ = [
    "Design",
    "QualityRules",
    "SurveyDesign",
    "adjust_nonresponse",
    "quality_flag",
    "register_totals",
    "report_tables",
    "survey_frame",
    "weight_survey",
]
