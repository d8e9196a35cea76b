-- 消费维权数据看板 — DuckDB schema.
-- No personal data of consumers is stored anywhere: no complainant name, phone, ID number
-- or address column exists, and the importer drops such columns on reading.
-- Every column is described (English name, Chinese label, type, meaning) in
-- analytics/dictionary.py, which the app shows on its methodology page.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE TABLE IF NOT EXISTS districts (
    code        VARCHAR PRIMARY KEY,   -- administrative division code, e.g. 620702
    name        VARCHAR NOT NULL,      -- 甘州区
    short_name  VARCHAR NOT NULL,      -- 甘州
    name_en     VARCHAR NOT NULL,      -- Ganzhou
    population  INTEGER NOT NULL,      -- 2020 census
    pop_note    VARCHAR                -- how the population figure was obtained
);

CREATE TABLE IF NOT EXISTS townships (
    name          VARCHAR NOT NULL,
    district_code VARCHAR NOT NULL,
    PRIMARY KEY (district_code, name)
);

-- Official calendar: one row per date. wd_idx = number of working days on or before d, so
-- "working days in (a, b]" = wd_idx(b) - wd_idx(a) and "N working days after a" is the working
-- day whose wd_idx equals wd_idx(a) + N.
CREATE TABLE IF NOT EXISTS calendar (
    d          DATE PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    wd_idx     INTEGER NOT NULL,
    known      BOOLEAN NOT NULL,       -- false: outside the official calendar, weekdays assumed
    holiday    VARCHAR                 -- holiday name where known
);

CREATE TABLE IF NOT EXISTS merchants (
    merchant_id           VARCHAR PRIMARY KEY,
    name                  VARCHAR NOT NULL,
    credit_code           VARCHAR,           -- 统一社会信用代码 (of a business, not a person)
    district_code         VARCHAR,
    township              VARCHAR,
    industry              VARCHAR,           -- category the merchant mostly sells (domain.md §5)
    is_chain              BOOLEAN DEFAULT FALSE,
    odr_enrolled_date     DATE,              -- ODR 入驻时间
    odr_withdrawn_date    DATE,              -- ODR 退出时间
    return_commit_date    DATE,              -- 七日无理由退货 承诺时间
    return_withdrawn_date DATE,
    return_commit_days    INTEGER            -- 承诺天数 (7 or more)
);

CREATE TABLE IF NOT EXISTS complaints (
    reg_no          VARCHAR PRIMARY KEY,     -- 登记编号
    appeal_type     VARCHAR NOT NULL,        -- 投诉 / 举报 / 咨询
    received_at     TIMESTAMP NOT NULL,      -- 登记时间
    received_date   DATE NOT NULL,
    accepted_date   DATE,                    -- 受理时间
    acceptance      VARCHAR,                 -- 受理 / 不予受理 / NULL (unknown)
    closed_at       TIMESTAMP,               -- 办结时间 (NULL = open)
    closed_date     DATE,
    channel         VARCHAR,                 -- 来源渠道
    is_odr          BOOLEAN NOT NULL,        -- 是否ODR
    object_class    VARCHAR,                 -- 商品 / 服务
    category        VARCHAR,                 -- 客体类别
    subcategory     VARCHAR,                 -- 客体细类
    problem         VARCHAR,                 -- 投诉问题
    outcome         VARCHAR,                 -- canonical outcome (see analytics/metrics.py)
    outcome_raw     VARCHAR,                 -- 处理结果 as exported
    district_code   VARCHAR,
    township        VARCHAR,
    merchant_id     VARCHAR,
    merchant_name   VARCHAR,                 -- 被投诉人名称 (a business)
    credit_code     VARCHAR,
    disputed_yuan   DECIMAL(14, 2),          -- 争议金额
    recovered_yuan  DECIMAL(14, 2),          -- 挽回经济损失
    -- derived from the above and the calendar (analytics/derive.py)
    resolution_days  INTEGER,                -- closed_date - received_date
    resolution_wdays INTEGER,                -- working days in (received_date, closed_date]
    deadline_date    DATE,                   -- see METRICS.md "Deadline"
    accept_deadline  DATE,                   -- 7 working days after received_date
    source          VARCHAR                  -- 'sample' or the imported file name
);

CREATE TABLE IF NOT EXISTS returns (
    return_id      VARCHAR PRIMARY KEY,
    merchant_id    VARCHAR,
    store_name     VARCHAR NOT NULL,
    credit_code    VARCHAR,
    district_code  VARCHAR,
    purchase_date  DATE,
    return_date    DATE NOT NULL,
    goods_category VARCHAR,
    amount_yuan    DECIMAL(12, 2) NOT NULL,
    result         VARCHAR,                  -- 办理结果 as exported
    completed      BOOLEAN NOT NULL,         -- handling finished (已办结/已退货/已换货/已退款…)
    source         VARCHAR
);

CREATE TABLE IF NOT EXISTS demo_units (
    unit_id        VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    unit_type      VARCHAR NOT NULL,         -- street / chain_store / operator
    type_label     VARCHAR,                  -- 类型 as exported
    district_code  VARCHAR,
    merchant_id    VARCHAR,                  -- the merchant, for stores and operators
    named_date     DATE NOT NULL,            -- 命名时间
    withdrawn_date DATE,
    source         VARCHAR
);

CREATE TABLE IF NOT EXISTS import_log (
    import_id     INTEGER PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    rows_read     INTEGER,
    rows_imported INTEGER,
    rows_updated  INTEGER,
    rows_rejected INTEGER,
    rejects_file  VARCHAR
);
