"""Strings of the Monday briefing page (the briefing's own sentences are templates in briefing/text.py)."""
STRINGS = {
    "nav.briefing": ("每周简报", "Weekly briefing"),
    "bf.intro": ("上周情况的书面简报，由与各页面相同的分析函数生成，可直接下载 Word、PDF 或网页版转发。"
                 "句子按规则由数字生成；差异在随机波动范围内时写作“基本持平”。",
                 "A written briefing of a week, generated from the same analytics as the pages, ready to download "
                 "as Word, PDF or web page and forward. Sentences are generated from the numbers by rules; a "
                 "difference within chance is written “about the same”."),
    "bf.week": ("周次", "Week"),
    "bf.week.help": ("只列出数据完整覆盖的 ISO 周。", "Only ISO weeks the data cover whole are listed."),
    "bf.none": ("数据中没有完整的 ISO 周，无法生成简报。", "The data cover no whole ISO week: no briefing."),
    "bf.invalid": ("无法生成 {week} 的简报：{reason}。已显示最近一个完整周。",
                   "No briefing for {week}: {reason}. Showing the latest whole week."),
    "bf.reason.bad_week": ("不是有效的 ISO 周（格式 2024-W10）", "not a valid ISO week (format 2024-W10)"),
    "bf.reason.partial": ("该周尚未结束（数据截至 {as_of}）", "the week is not complete (data end on {as_of})"),
    "bf.reason.future": ("该周在数据之后（数据截至 {as_of}）", "the week is after the data (data end on {as_of})"),
    "bf.reason.no_data": ("该周没有数据", "there are no data for that week"),
    "bf.reason.database": ("数据库无法读取", "the database cannot be read"),
    "bf.download.docx": ("下载 Word", "Download Word"),
    "bf.download.pdf": ("下载 PDF", "Download PDF"),
    "bf.download.html": ("下载网页版", "Download HTML"),
    "bf.method": ("方法说明", "Method"),
    "bf.link": ("看板中的本周数据", "This week on the dashboard"),
    "bf.schedule": ("同样的简报可以每周一自动生成并存档（设置方法见 README）。",
                    "The same briefing can be written and filed automatically every Monday (see the README)."),
    "bf.charts": ("图表：类别与超期未办结", "Charts: categories and overdue complaints"),
}
