"""English names of data values (the data itself is in Chinese)."""
_V = {
    "cat": {
        "食品": "Food", "服装鞋帽": "Clothing & shoes", "家居用品": "Household goods", "交通工具": "Vehicles",
        "通讯产品": "Communication devices", "家用电器": "Home appliances", "烟酒饮料": "Tobacco, alcohol & drinks",
        "首饰": "Jewellery", "化妆品": "Cosmetics", "药品": "Medicines", "医疗器械": "Medical devices",
        "装修建材": "Building materials", "其他商品": "Other goods", "餐饮和住宿服务": "Catering & lodging",
        "美容美发洗浴服务": "Beauty, hair & bath", "教育培训服务": "Education & training", "销售服务": "Sales services",
        "文化娱乐体育服务": "Culture, entertainment & sport", "停车服务": "Parking", "制作保养和修理服务": "Repair & maintenance",
        "电信服务": "Telecom services", "旅游服务": "Tourism", "金融服务": "Financial services", "其他服务": "Other services",
        "其他": "Other",
    },
    "class": {"商品": "Goods", "服务": "Services"},
    "problem": {
        "质量": "Quality", "安全": "Safety", "计量": "Measurement", "价格": "Price", "广告": "Advertising",
        "假冒": "Counterfeit", "合同": "Contract", "售后服务": "After-sales", "人格尊严": "Dignity",
        "虚假宣传": "False claims", "商标": "Trademark", "食品安全": "Food safety", "不正当竞争": "Unfair competition",
        "个人信息": "Personal data", "其他": "Other",
    },
    "channel": {
        "12315热线": "12315 hotline", "12315平台": "12315 web", "APP": "App", "微信小程序": "WeChat mini-program",
        "支付宝小程序": "Alipay mini-program", "来信来访": "Letters & visits", "12345转办": "12345 transfer",
        "市长信箱": "Mayor's mailbox", "ODR": "ODR",
    },
    "outcome": {
        "调解成功": "Mediated", "调解不成功": "Mediation failed", "终止调解": "Mediation ended", "撤回": "Withdrawn",
        "自行和解": "Settled by parties", "不予受理": "Not accepted", "和解": "Settled (ODR)",
        "协商不成转办": "ODR failed, transferred",
    },
    "acceptance": {"受理": "Accepted", "不予受理": "Not accepted"},
}
STRINGS = {f"{g}.{k}": (k, v) for g, d in _V.items() for k, v in d.items()}
