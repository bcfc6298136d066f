"""Column names shared by every lesson, so a typo is an import error, not a KeyError.

Online Retail columns keep the names of the source file (``InvoiceNo``,
``StockCode``...); the derived and recommender columns use short snake_case
names, in the style of the ``recommenders`` library. Introduced in lesson 01.
"""

# Online Retail, as loaded by pmkt_lessons.data.load_online_retail
INVOICE = "InvoiceNo"
STOCK_CODE = "StockCode"
DESCRIPTION = "Description"
QUANTITY = "Quantity"
INVOICE_DATE = "InvoiceDate"
UNIT_PRICE = "UnitPrice"
CUSTOMER_ID = "CustomerID"
COUNTRY = "Country"

ONLINE_RETAIL_COLUMNS = (
    INVOICE,
    STOCK_CODE,
    DESCRIPTION,
    QUANTITY,
    INVOICE_DATE,
    UNIT_PRICE,
    CUSTOMER_ID,
    COUNTRY,
)

# Derived by pmkt_lessons.cleaning
REVENUE = "Revenue"
REVENUE_TOTAL = "revenue"  # revenue summed over a group (behaviour tables)
REMOVAL_REASON = "reason"

# Interaction data (recommenders, lessons 06-10)
USER = "user_id"
ITEM = "item_id"
RATING = "rating"
TIMESTAMP = "timestamp"
PREDICTION = "prediction"
RANK = "rank"

# Shared by several topics: one definition each
HOUR = "hour"  # hour of day (behaviour, click log, ads)
CLICK = "click"  # 0/1 click (click log, bandit logs)
POSITION = "position"  # slot of an impression (Open Bandit)
SEGMENT = "segment"  # customer segment label (segments, simulated segments)
