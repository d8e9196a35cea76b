"""Figure builders per page (ui/figures/<page>.py): functions that take DataFrames and labels
and return Plotly figures using ui.charts.TEMPLATE. They never query data."""
