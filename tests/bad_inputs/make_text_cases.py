"""Write the text cases of the bad-input corpus (run once; the files are committed, read them as examples).

Each case is a small valid table with one thing wrong; cases.yaml lists file, schema and the first message.
Binary cases (GBK, Excel, Parquet) are built at test time by build_binary_cases() in test_bad_inputs.py.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

REGISTER_HEADER = (
    "application_number,patent_type,filing_date,priority_date,publication_date,grant_date,"
    "legal_status,lapse_date,ipc_main,ipc,locarno_class,applicant_name,applicant_type,province_code,"
    "title"
)
REGISTER_ROWS = [
    "CN202310123456.6,发明,2023-01-02,2023-01-02,2024-07-05,,审中,,H04L29/06,H04L29/06;G06F17/30,,某某大学,高校,44,一种方法",
    "CN202220000007.3,实用新型,2022-03-04,2022-03-04,2022-08-09,2022-08-09,有效,,B60L53/00,B60L53/00,,某某公司,企业,32,一种装置",
    "CN202130004567.7,外观设计,2021-06-01,2021-06-01,2021-09-10,2021-09-10,有效,,,,14,张三,个人,11,显示器",
]
POPULATION = [
    "province_code,year,population_10k,status",
    "11,2023,2185.8,official",
    "44,2023,12706,official",
    "44,2022,12657,official",
]
RULES = [
    "rule_id,category,ipc_patterns,ipc_exclusions,keywords,keyword_exclusions,coverage,weight,source_ref",
    "1.1#1,1.1,G06F11*;G06F21*;H04L1*,G06F11/14,计算机,,,1.0,p. 148",
    "1.2#1,1.2,H01L21/02*,,,,全部涉及,0.5,p. 150",
]
CATEGORIES = [
    "category,name_zh,name_en,parent,level",
    "1,新一代信息技术产业,New-generation IT,,1",
    "1.1,下一代信息网络产业,Next-generation networks,1,2",
    "1.2,电子核心产业,Core electronics,1,2",
]
LINKS = [
    "application_number,ipc,seq",
    "CN202310123456.6,H04L29/06,1",
    "CN202310123456.6,G06F17/30,2",
    "CN202220000007.3,B60L53/00,1",
]

# Schemas of other stages (products, patent-intensive industries, survey): a valid base and one change each.
PRODUCTS = [
    "product_id,product_name,enterprise_name,credit_code,province_code,industry_code,filing_year,"
    "recognition_year,status,output_value,sales_revenue,export_value",
    "PIP000001,智能控制器,杭州某某科技有限公司,91350100M000100Y43,33,3911,2023,2023,认定,20741.7,19649.7,0.0",
    "PIP000002,食用蛋白质加工装置,广州某某装备有限公司,91350100M000100Y43,44,C34,2023,,备案,6875.1,6331.0,12.5",
]
PRODUCT_LINKS = [
    "product_id,application_number,role",
    "PIP000001,CN202310123456.6,core",
    "PIP000001,CN202220000007.3,other",
    "PIP000002,CN202130004567.7,core",
]
LEGAL_EVENTS = [
    "event_id,application_number,filing_date,event_type,licence_type,event_date,from_name,from_type,"
    "from_origin,to_name,to_type,to_origin,pledgee_type,amount_10k_yuan,related_event_id",
    "T20230000001,CN202220000007.3,2022-03-04,转让,,2023-05-10,某某公司,企业,32,某某科技有限公司,企业,44,,,",
    "X20230000001,CN202220000007.3,2022-03-04,许可,普通,2023-06-01,某某科技有限公司,企业,44,某某制造有限公司,企业,44,,12.5,",
    "Y20230000001,CN202130004567.7,2021-06-01,质押,,2023-07-01,张三,个人,11,某某银行北京分行,企业,11,银行,500,",
    "YZ20240000001,CN202130004567.7,2021-06-01,质押解除,,2024-07-01,张三,个人,11,某某银行北京分行,企业,11,,,"
    "Y20230000001",
    "T20240000001,CN202310123456.6,2023-01-02,转让,,2024-01-05,某某大学,高校,44,某某公司,企业,32,,,",
]
EMPLOYMENT = [
    "industry_code,industry_name,year,employment,status",
    "26,计算机、电子和光学产品制造,2022,5475,official",
    "26,计算机、电子和光学产品制造,2023,5624,official",
    "21,基本医药产品制造,2023,1210,official",
]
GDP = ["year,gdp_100m_yuan,status,note", "2022,1204724,official,", "2023,1260582,official,初步核算"]
PII_MAPPING = [
    "industry_code,industry_name,category_code,category_name_zh,subcategory_code,weight",
    "3911,计算机整机制造,01,信息通信技术制造业,011,1",
    "2710,化学药品原料药制造,05,医药医疗产业,051,0.5",
]
PII_VALUE_ADDED = [
    "year,category_code,category_name_zh,value_added_100m_yuan,value_status,vintage,basis,growth_pct,"
    "growth_status,share_pct,share_of_gdp_pct,source",
    "2023,00,专利密集型产业(合计),163390,published,2023,第五次全国经济普查,,,100.0,13.04,公告",
    "2023,01,信息通信技术制造业,30000,derived,2023,第五次全国经济普查,,,18.4,,公告",
]
PII_VA_BY_INDUSTRY = [
    "year,industry_code,value_added_100m_yuan,vintage,basis",
    "2023,3911,1520.5,2023,第五次全国经济普查",
    "2023,2710,880,2023,第五次全国经济普查",
]
SURVEY = [
    "application_number,patent_type,patentee,applicant_type,province_code,region,stratum,patentees_in_stratum,"
    "patents_in_psu,base_weight,responded,enterprise_size,high_tech,implemented,industrialized,licensed,"
    "transferred,revenue_band",
    "CN202110389274.4,发明,谢娜,个人,21,东北,个人|东北|发明,6,1,2.0,False,,,,,,,",
    "CN202220000007.3,实用新型,某某公司,企业,32,东部,企业|东部|实用新型,120,3,40.0,True,小型,是,1,1,0,0,3",
]
SURVEY_TRUTH = [
    "table,level,indicator,truth,year,seed",
    "survey_by_patent_type,发明,implementation_rate,59.94,2023,2024",
    "survey_by_patent_type,外观设计,implementation_rate,70.87,2023,2024",
]

# A register as real extracts arrive (issue 16): Chinese headers, extra columns, every date form. Written as UTF-8
# here (extract/mixed_dates.csv); binary_cases.py makes the GBK and .xlsx copies with a title row.
EXTRACT_HEADER = (
    "申请号,专利类型,申请日,优先权日,公开（公告）日,授权公告日,法律状态,失效（终止）日,主分类号,分类号,洛迦诺分类,"
    "申请人,申请人类型,省份代码,发明名称,发明人,代理机构"
)
EXTRACT_ROWS = [
    "CN200410000012.0,发明,2004年1月2日,2004.01.02,2005.7.8,20070110,失效-期限届满,2024年1月2日,H04L29/06,"
    "H04L29/06;G06F17/30,,某某大学,高校,44,一种方法,李四,某某专利事务所",
    "CN200420000034.2,实用新型,2004.01.05,2004.1.5,20040707,2004/7/7,失效-未缴年费,2006-01-05,B60L53/00,B60L53/00,,"
    "某某公司,企业,32,一种装置,王五,",
    "CN200430000056.4,外观设计,20040110,20040110,2004年8月1日,2004年8月1日,失效-期限届满,2014.1.10,,,14,张三,个人,11,"
    "显示器,张三,",
]
#: The same three applications in the register's own form (what every form above must read as).
EXTRACT_CANONICAL = [
    "CN200410000012.0,发明,2004-01-02,2004-01-02,2005-07-08,2007-01-10,失效-期限届满,2024-01-02,H04L29/06,"
    "H04L29/06;G06F17/30,,某某大学,高校,44,一种方法",
    "CN200420000034.2,实用新型,2004-01-05,2004-01-05,2004-07-07,2004-07-07,失效-未缴年费,2006-01-05,B60L53/00,"
    "B60L53/00,,某某公司,企业,32,一种装置",
    "CN200430000056.4,外观设计,2004-01-10,2004-01-10,2004-08-01,2004-08-01,失效-期限届满,2014-01-10,,,14,张三,个人,11,"
    "显示器",
]


def extract(*rows: str) -> str:
    return "\n".join([EXTRACT_HEADER, *rows]) + "\n"


def register(*rows: str, header: str = REGISTER_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def swap(row: int, old: str, new: str, rows: list[str] = REGISTER_ROWS) -> list[str]:
    """The valid register rows (or other *rows*) with *old* replaced by *new* in row *row* (0-based)."""
    rows = list(rows)
    assert old in rows[row], (old, rows[row])
    rows[row] = rows[row].replace(old, new, 1)
    return rows


def lines(table: list[str], row: int, old: str, new: str) -> str:
    table = list(table)
    assert old in table[row], (old, table[row])
    table[row] = table[row].replace(old, new, 1)
    return "\n".join(table) + "\n"


CASES = {
    "register/valid.csv": register(*REGISTER_ROWS),
    "register/missing_column.csv": "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in [REGISTER_HEADER, *REGISTER_ROWS]
    )
    + "\n",
    "register/extra_column.csv": register(*(r + ",红色" for r in REGISTER_ROWS), header=REGISTER_HEADER + ",colour"),
    "register/empty.csv": "",
    "register/header_only.csv": register(),
    "register/duplicate_key.csv": register(*REGISTER_ROWS, REGISTER_ROWS[0].replace("一种方法", "另一种方法")),
    "register/unknown_province.csv": register(*swap(1, ",企业,32,", ",企业,99,")),
    "register/province_without_zero.csv": register(*swap(2, ",个人,11,", ",个人,1,")),
    "register/future_filing.csv": register(*swap(0, "2023-01-02,2023-01-02", "2099-01-02,2023-01-02")),
    "register/grant_before_filing.csv": register(*swap(1, "2022-08-09,2022-08-09", "2022-08-09,2021-12-31")),
    "register/priority_after_filing.csv": register(*swap(2, "2021-06-01,2021-06-01", "2021-06-01,2021-07-01")),
    "register/lapse_before_filing.csv": register(*swap(0, ",审中,,", ",驳回,2020-05-05,")),
    "register/valid_without_grant_date.csv": register(*swap(1, "2022-08-09,2022-08-09,有效", "2022-08-09,,有效")),
    "register/valid_with_lapse_date.csv": register(*swap(2, ",有效,,", ",有效,2024-06-01,")),
    "register/bad_ipc.csv": register(*swap(0, "H04L29/06;G06F17/30", "H04L29/06;G06F17/3O;Q99Z")),
    "register/bad_ipc_main.csv": register(*swap(1, "有效,,B60L53/00", "有效,,B60L-53")),
    "register/bad_application_number.csv": register(*swap(1, "CN202220000007.3", "CN202220000007.4")),
    "register/application_number_shape.csv": register(*swap(2, "CN202130004567.7", "2021300045677")),
    "register/patent_type_not_in_list.csv": register(*swap(0, ",发明,", ",发明创造,")),  # 发明专利 is read as 发明
    "register/legal_status_not_in_list.csv": register(*swap(1, ",有效,", ",授权,")),
    "register/applicant_type_not_in_list.csv": register(*swap(0, ",高校,", ",大学,")),
    "register/impossible_date.csv": register(*swap(0, "2023-01-02,2023-01-02", "2023-02-30,2023-01-02")),
    "register/chinese_dates.csv": register(
        *[
            r.replace("2023-01-02,2023-01-02", "2023/1/2,20230102").replace(
                "2022-03-04,2022-03-04", "2022年3月4日,2022-03-04"
            )
            for r in REGISTER_ROWS[:2]
        ],
        REGISTER_ROWS[2].replace("2021-06-01,2021-06-01", "6/1/2021,2021-06-01"),
    ),
    "register/empty_required.csv": register(*swap(1, ",某某公司,", ",,")),
    "register/locarno_one_digit.csv": register(*swap(2, ",14,", ",4,")),
    "register/ragged_row.csv": register(REGISTER_ROWS[0], REGISTER_ROWS[1].rsplit(",", 2)[0], REGISTER_ROWS[2]),
    "register/repeated_column.csv": register(
        *(r + ",44" for r in REGISTER_ROWS), header=REGISTER_HEADER + ",province_code"
    ),
    "register/not_a_table.xls": "this is not a workbook\n",
    "population/missing_column.csv": "\n".join(",".join(x.split(",")[:2] + x.split(",")[3:]) for x in POPULATION)
    + "\n",
    "population/negative_count.csv": lines(POPULATION, 2, "12706", "-12706"),
    "population/zero_population.csv": lines(POPULATION, 1, "2185.8", "0"),
    "population/unknown_province.csv": lines(POPULATION, 3, "44,2022", "71,2022"),
    "population/duplicate_key.csv": lines(POPULATION, 3, "44,2022", "44,2023"),
    "population/year_in_words.csv": lines(POPULATION, 1, "2023", "二〇二三"),
    "population/year_too_early.csv": lines(POPULATION, 3, "2022", "1900"),
    "population/number_with_unit.csv": lines(POPULATION, 2, "12706", "12706万"),
    "population/extra_column.csv": "\n".join(x + (",note" if i == 0 else ",") for i, x in enumerate(POPULATION)) + "\n",
    "population/header_only.csv": POPULATION[0] + "\n",
    "population/empty.csv": "\n\n",
    "concordance_rules/bad_pattern.csv": lines(RULES, 2, "H01L21/02*", "H01L21/02*;电子器件"),
    "concordance_rules/weight_above_one.csv": lines(RULES, 2, ",0.5,", ",1.5,"),
    "concordance_rules/weight_zero.csv": lines(RULES, 1, ",1.0,", ",0,"),
    "concordance_rules/coverage_not_in_list.csv": lines(RULES, 2, "全部涉及", "全部"),
    "concordance_rules/missing_category.csv": "\n".join(",".join(x.split(",")[:1] + x.split(",")[2:]) for x in RULES)
    + "\n",
    "concordance_rules/duplicate_rule_id.csv": lines(RULES, 2, "1.2#1", "1.1#1"),
    "concordance_rules/valid.csv": "\n".join(RULES) + "\n",
    "concordance_rules/category_not_in_system.csv": lines(RULES, 2, "1.2#1,1.2,", "1.3#1,1.3,"),
    "concordance_categories/valid.csv": "\n".join(CATEGORIES) + "\n",
    "population/valid.csv": "\n".join(POPULATION) + "\n",
    "patent_register_ipc/valid.csv": "\n".join(LINKS) + "\n",
    "products/valid.csv": "\n".join(PRODUCTS) + "\n",
    "products/bad_credit_code.csv": lines(PRODUCTS, 2, "91350100M000100Y43", "91350100I000100Y43"),
    "products/negative_output.csv": lines(PRODUCTS, 1, ",20741.7,", ",-20741.7,"),
    "products/status_not_in_list.csv": lines(PRODUCTS, 2, ",备案,", ",已备案,"),
    "products/duplicate_key.csv": lines(PRODUCTS, 2, "PIP000002", "PIP000001"),
    "products/year_in_words.csv": lines(PRODUCTS, 1, ",2023,2023,", ",2023年,2023,"),
    "product_patent_links/valid.csv": "\n".join(PRODUCT_LINKS) + "\n",
    "product_patent_links/role_not_in_list.csv": lines(PRODUCT_LINKS, 2, ",other", ",main"),
    "product_patent_links/product_not_filed.csv": lines(PRODUCT_LINKS, 3, "PIP000002", "PIP000009"),
    "product_patent_links/patent_not_in_register.csv": lines(PRODUCT_LINKS, 3, "CN202130004567.7", "CN202010000099.0"),
    "product_patent_links/duplicate_link.csv": lines(PRODUCT_LINKS, 2, "CN202220000007.3", "CN202310123456.6"),
    "patent_legal_events/valid.csv": "\n".join(LEGAL_EVENTS) + "\n",
    "patent_legal_events/before_filing.csv": lines(LEGAL_EVENTS, 1, ",2023-05-10,", ",2022-01-10,"),
    "patent_legal_events/not_in_register.csv": lines(
        LEGAL_EVENTS, 5, "CN202310123456.6,2023-01-02", "CN202010000099.0,2020-01-02"
    ),
    "patent_legal_events/licence_without_type.csv": lines(LEGAL_EVENTS, 2, ",许可,普通,", ",许可,,"),
    "patent_legal_events/release_without_pledge.csv": lines(LEGAL_EVENTS, 4, ",,,Y20230000001", ",,,Y20230000009"),
    "patent_legal_events/origin_not_a_code.csv": lines(LEGAL_EVENTS, 1, ",企业,44,,,", ",企业,广东,,,"),
    "employment_by_industry/valid.csv": "\n".join(EMPLOYMENT) + "\n",
    "employment_by_industry/negative_count.csv": lines(EMPLOYMENT, 3, ",1210,", ",-1210,"),
    "employment_by_industry/duplicate_key.csv": lines(EMPLOYMENT, 2, ",2023,5624", ",2022,5624"),
    "employment_by_industry/missing_year.csv": "\n".join(
        ",".join(x.split(",")[:2] + x.split(",")[3:]) for x in EMPLOYMENT
    )
    + "\n",
    "gdp/valid.csv": "\n".join(GDP) + "\n",
    "gdp/year_with_unit.csv": lines(GDP, 2, "2023,", "2023年,"),
    "gdp/negative_gdp.csv": lines(GDP, 1, ",1204724,", ",-1204724,"),
    "gdp/duplicate_year.csv": lines(GDP, 2, "2023,", "2022,"),
    "pii_industry_mapping/valid.csv": "\n".join(PII_MAPPING) + "\n",
    "pii_industry_mapping/three_digit_class.csv": lines(PII_MAPPING, 1, "3911,", "391,"),
    "pii_industry_mapping/category_ten.csv": lines(PII_MAPPING, 2, ",05,", ",10,"),
    # the identification's own inputs and the edition-drift table: a required column missing
    "applicant_industry/valid.csv": "applicant,industry_code,industry_name\n某某科技有限公司,3911,计算机整机制造\n",
    "ipc_industry_concordance/valid.csv": "industry_code,industry_name,ipc\n3911,计算机整机制造,G06F\n",
    "ipc_reclassification/valid.csv": "new_symbol,old_symbol,ipc_version\nG06V10/00,G06K9/00,2022.01\n",
    "applicant_industry/missing_column.csv": "applicant,industry_name\n某某科技有限公司,计算机制造\n",
    "ipc_industry_concordance/missing_column.csv": "industry_code,industry_name\n3911,计算机整机制造\n",
    "ipc_reclassification/missing_column.csv": "new_symbol,ipc_version\nG06V10/00,2022.01\n",
    "pii_industry_mapping/weight_above_one.csv": lines(PII_MAPPING, 2, ",0.5", ",1.5"),
    "pii_value_added/valid.csv": "\n".join(PII_VALUE_ADDED) + "\n",
    "pii_value_added/status_not_in_list.csv": lines(PII_VALUE_ADDED, 2, ",derived,", ",estimated,"),
    "pii_value_added/one_digit_category.csv": lines(PII_VALUE_ADDED, 2, "2023,01,", "2023,1,"),
    "pii_value_added/repeated_vintage.csv": lines(
        PII_VALUE_ADDED, 2, "2023,01,信息通信技术制造业", "2023,00,信息通信技术制造业"
    ),
    "pii_value_added_by_industry/valid.csv": "\n".join(PII_VA_BY_INDUSTRY) + "\n",
    "pii_value_added_by_industry/section_letter.csv": lines(PII_VA_BY_INDUSTRY, 2, ",2710,", ",C2710,"),
    "pii_value_added_by_industry/negative_value.csv": lines(PII_VA_BY_INDUSTRY, 1, ",1520.5,", ",-1520.5,"),
    "survey_sample/valid.csv": "\n".join(SURVEY) + "\n",
    "survey_sample/responded_in_words.csv": lines(SURVEY, 2, ",True,", ",是,"),
    "survey_sample/revenue_band_seven.csv": lines(SURVEY, 2, ",0,0,3", ",0,0,7"),
    "survey_sample/region_not_in_list.csv": lines(SURVEY, 2, ",东部,", ",华东,"),
    "survey_sample/weight_below_one.csv": lines(SURVEY, 1, ",2.0,", ",0.5,"),
    "survey_truth/valid.csv": "\n".join(SURVEY_TRUTH) + "\n",
    "survey_truth/indicator_not_in_list.csv": lines(SURVEY_TRUTH, 2, ",implementation_rate,", ",use_rate,"),
    "survey_truth/negative_rate.csv": lines(SURVEY_TRUTH, 1, ",59.94,", ",-59.94,"),
    "concordance_categories/unknown_parent.csv": lines(CATEGORIES, 3, ",1,2", ",9,2"),
    "concordance_categories/level_zero.csv": lines(CATEGORIES, 1, ",,1", ",,0"),
    "concordance_categories/level_not_whole.csv": lines(CATEGORIES, 2, ",1,2", ",1,2.5"),
    "concordance_categories/duplicate_category.csv": lines(CATEGORIES, 3, "1.2,电子", "1.1,电子"),
    "patent_register_ipc/seq_zero.csv": lines(LINKS, 3, ",1", ",0"),
    "patent_register_ipc/duplicate_symbol.csv": lines(LINKS, 2, "G06F17/30,2", "H04L29/06,2"),
    "patent_register_ipc/bad_symbol.csv": lines(LINKS, 3, "B60L53/00", "B6OL53/00"),
    "patent_register_ipc/not_in_register.csv": lines(LINKS, 3, "CN202220000007.3", "CN202010000099.0"),
    # real-extract shapes (issues 16 and 25): files that read cleanly (extract/*) and one thing wrong each
    "extract/valid.csv": extract(*EXTRACT_ROWS),  # mixed date forms, Chinese and extra headers
    "extract/canonical.csv": register(*EXTRACT_CANONICAL),
    "extract/fullwidth_codes.csv": extract(
        *EXTRACT_ROWS[:2],
        EXTRACT_ROWS[2]
        .replace("CN200430000056.4", "ＣＮ２００４３０００００５６．４")
        .replace(",14,张三,个人,11,", ",１４,张三,个人, 11 ,"),
    ),
    "extract/bad_date_form.csv": extract(*swap(1, "2004.1.5", "2004.13.5", rows=EXTRACT_ROWS)),
    "extract/fullwidth_bad_check.csv": extract(
        *swap(0, "CN200410000012.0", "CN２００４１０００００１２.1", rows=EXTRACT_ROWS)
    ),
    "extract/arabic_indic_digits.csv": extract(*swap(2, ",14,张三", ",١٤,张三", rows=EXTRACT_ROWS)),
    "extract/newline_in_key.csv": extract(
        *EXTRACT_ROWS, '"CN200410000012.0\n"' + EXTRACT_ROWS[0][16:].replace("一种方法", "一种方法（重复）")
    ),
    "extract/code_with_newline.csv": extract(*swap(1, ",企业,32,", ',企业,"3\n2",', rows=EXTRACT_ROWS)),
    "extract/control_character.csv": extract(*swap(0, "一种方法", "一种\x07方法", rows=EXTRACT_ROWS)),
    "extract/nul_in_extra_column.csv": extract(*swap(1, ",王五,", ",王\x00五,", rows=EXTRACT_ROWS)),
    "extract/lapse_in_2099.csv": extract(*swap(1, ",2006-01-05,", ",2099-01-05,", rows=EXTRACT_ROWS)),
    "extract/lapse_beyond_term.csv": extract(*swap(2, ",2014.1.10,", ",2014.1.11,", rows=EXTRACT_ROWS)),
    "extract/grant_beyond_term.csv": extract(
        *swap(
            1,
            "20040707,2004/7/7,失效-未缴年费,2006-01-05",
            "20040707,2014/7/7,失效-未缴年费,2014-12-05",
            rows=EXTRACT_ROWS,
        )
    ),
}

# inputs of 每万人口高价值发明专利拥有量 (issue 19): families, pledges, awards
FAMILIES = [
    "application_number,family_id,office,member_number,grant_date,lapse_date",
    "CN202310123456.6,F1,US,US11234567B2,2024-05-07,",
    "CN202310123456.6,F1,JP,JP7654321B2,2024-08-01,2025-01-02",
]
PLEDGES = [
    "application_number,date,amount_10k_yuan,pledgee_type",
    "CN202310123456.6,2024-06-01,1200,银行",
    "CN202310123456.6,2025-01-15,300.5,担保机构",
]
AWARDS = [
    "award,grade,year,application_number",
    "中国专利奖,金奖,2024,CN202310123456.6",
    "国家科学技术奖,国家技术发明奖二等奖,2024,CN202310123456.6",
]
CASES.update(
    {
        "patent_families/lapse_before_grant.csv": lines(FAMILIES, 2, "2025-01-02", "2024-07-01"),
        "patent_families/office_not_a_code.csv": lines(FAMILIES, 1, ",US,", ",美国,"),
        "patent_families/bad_check_character.csv": lines(FAMILIES, 1, "CN202310123456.6", "CN202310123456.1"),
        "patent_families/valid.csv": "\n".join(FAMILIES) + "\n",
        "patent_pledges/valid.csv": "\n".join(PLEDGES) + "\n",
        "patent_awards/valid.csv": "\n".join(AWARDS) + "\n",
        "patent_pledges/negative_amount.csv": lines(PLEDGES, 1, ",1200,", ",-1200,"),
        "patent_pledges/unknown_pledgee_type.csv": lines(PLEDGES, 2, ",担保机构", ",典当行"),
        "patent_awards/unknown_award.csv": lines(AWARDS, 1, "中国专利奖,", "省专利奖,"),
        "patent_awards/year_in_words.csv": lines(AWARDS, 2, ",2024,", ",二〇二四,"),
    }
)

if __name__ == "__main__":
    for name, text in CASES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(HERE))
