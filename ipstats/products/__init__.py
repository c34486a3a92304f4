"""Patent-intensive products (专利密集型产品): records, validation, indicators and demo data.

* :mod:`ipstats.products.io` — read and validate the product table and the product–patent links;
* :mod:`ipstats.products.indicators` — recognised products by round, industry and province, output,
  sales and exports with growth (all products and a same-product panel), patents per product, validity,
  technology categories of the linked patents, enterprise concentration, export intensity;
* :mod:`ipstats.products.report` — every table of one round, with disclosure control and the Chinese summary;
* :mod:`ipstats.products.figures` — the notebook's charts;
* :mod:`ipstats.products.demo` — synthetic tables linked to the demo register.
"""

from ipstats.products.io import ProductDataError, read_links, read_products
from ipstats.products.report import ProductsReport, compute_products

__all__ = ["ProductDataError", "ProductsReport", "compute_products", "read_links", "read_products"]
