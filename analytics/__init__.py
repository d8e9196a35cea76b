"""Analytics layer of 消费维权数据看板: schema, sample data, import and one function per
question. Knows SQL; never imports streamlit."""
from .filters import Filters  # noqa: F401
