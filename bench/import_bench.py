"""Benchmark: import a 1,000,000-row GB18030 complaints CSV (issue 7: under 30 seconds).

    python bench/import_bench.py [--rows N] [--dir /tmp/import-bench] [--keep]

Writes a messy export the way 12315 produces it for Excel on Chinese Windows (GB18030, CRLF,
a title row, masked personal columns, dates in several forms, amounts with 元/￥/thousands
separators, district name variants, a 合计 row), builds an empty database beside it, then
times ``python -m analytics import`` on it in a separate process (what an official runs) and
prints the figures. Not a test: nothing is asserted, the numbers are for reading.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import build  # noqa: E402

DISTRICTS = ["甘州区", "甘州", "张掖市甘州区", "临泽县", "临泽", "高台县", "山丹县", "民乐", "肃南县", "肃南裕固族自治县"]
CHANNELS = ["12315热线", "12315平台", "APP", "微信小程序", "12345转办", "ODR"]
CATS = ["食品", "服装鞋帽", "家用电器", "餐饮和住宿服务", "旅游服务", "通讯产品"]
PROBLEMS = ["质量", "售后服务", "合同", "价格", "虚假宣传"]
OUTCOMES = ["调解成功", "达成调解协议", "调解不成功", "终止调解", "撤回", "已和解(ODR)", "协商不成转办", ""]


def write_csv(path: Path, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-01T08:00:00")
    recv = start + rng.integers(0, 420 * 86400, n).astype("timedelta64[s]")
    close = recv + rng.integers(3600, 20 * 86400, n).astype("timedelta64[s]")
    recv_s = pd.Series(recv).dt.strftime("%Y/%-m/%-d %-H:%M")
    # every tenth received time written as 2024年3月15日, closed dates as Excel serials for a few
    cn = pd.Series(recv).dt.strftime("%Y年%-m月%-d日")
    recv_s = recv_s.where(np.arange(n) % 10 != 3, cn)
    close_s = pd.Series(close).dt.strftime("%Y-%m-%d %H:%M:%S")
    serial = ((close - np.datetime64("1899-12-30T00:00:00")).astype("int64") / 86400).round(4).astype(str)
    close_s = close_s.where(np.arange(n) % 17 != 5, pd.Series(serial))
    open_ = rng.random(n) < 0.03
    close_s = close_s.where(~open_, "")
    odr = rng.random(n) < 0.15
    amount = np.round(np.exp(rng.normal(np.log(400), 1.5, n)), 2)
    amt_s = pd.Series(amount).map("{:,.2f}元".format)
    amt_s = amt_s.where(np.arange(n) % 7 != 2, "￥" + pd.Series(amount).astype(str))
    df = pd.DataFrame({
        "投诉举报编号": "ZY" + pd.Series(np.arange(n)).astype(str).str.zfill(10),
        "投诉人": "张**",
        "联系电话": "138****" + pd.Series(rng.integers(1000, 9999, n)).astype(str),
        "诉求类型": np.where(rng.random(n) < 0.04, "举报", "投诉"),
        "投诉时间": recv_s,
        "受理情况": np.where(rng.random(n) < 0.2, "不予受理", "受理"),
        "办结日期": close_s,
        "来源渠道": np.where(odr, "ODR", np.array(CHANNELS[:5], dtype=object)[rng.integers(0, 5, n)]),
        "是否ODR": np.where(odr, "是", "否"),
        "客体类别": np.array(CATS, dtype=object)[rng.integers(0, len(CATS), n)],
        "投诉问题": np.array(PROBLEMS, dtype=object)[rng.integers(0, len(PROBLEMS), n)],
        "调解结果": np.where(open_, "", np.array(OUTCOMES, dtype=object)[rng.integers(0, len(OUTCOMES), n)]),
        "区县": np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), n)],
        "被投诉人": "虚构商户" + pd.Series(rng.integers(0, 20000, n)).astype(str),
        "争议金额": amt_s,
        "挽回经济损失(元)": np.where(rng.random(n) < 0.5, "-", (amount * 0.3).round(2).astype(str)),
    })
    with open(path, "w", encoding="gb18030", newline="") as f:
        f.write("张掖市12315投诉举报数据导出" + "," * (df.shape[1] - 1) + "\r\n")
        df.to_csv(f, index=False, lineterminator="\r\n")
        f.write("合计," + "," * (df.shape[1] - 2) + "\r\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/import-bench")
    ap.add_argument("--keep", action="store_true", help="keep the files afterwards")
    ap.add_argument("--reuse", action="store_true", help="reuse a CSV kept by an earlier --keep run")
    a = ap.parse_args()
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    csv_path = d / f"complaints-{a.rows}.csv"
    dbp = d / "bench.duckdb"
    t0 = time.perf_counter()
    if not (a.reuse and csv_path.exists()):
        write_csv(csv_path, a.rows)
    print(f"wrote {csv_path} ({csv_path.stat().st_size / 1e6:.1f} MB, GB18030) in {time.perf_counter() - t0:.1f} s")
    for p in (dbp, Path(str(dbp) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(d / "rejects", ignore_errors=True)
    build.init_empty(dbp)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    c0 = os.times()
    r = subprocess.run([sys.executable, "-m", "analytics", "import", str(csv_path), "--db", str(dbp)],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    print(r.stdout.rstrip())
    if r.returncode:
        print(r.stderr.rstrip(), file=sys.stderr)
        return r.returncode
    print(f"import of {a.rows:,} rows: {took:.1f} s wall clock ({a.rows / took:,.0f} rows/s), "
          f"target < 30 s: {'met' if took < 30 else 'NOT met'}")
    print(f"CPU time of the import process (all threads): {cpu:.1f} s; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine stretches wall time)")
    t0 = time.perf_counter()
    r2 = subprocess.run([sys.executable, "-m", "analytics", "import", str(csv_path), "--db", str(dbp)],
                        cwd=ROOT, env=env, capture_output=True, text=True)
    print(f"re-import of the same file (skipped by content hash): {time.perf_counter() - t0:.1f} s")
    if not a.keep:
        csv_path.unlink(missing_ok=True)
        for p in (dbp, Path(str(dbp) + ".wal")):
            p.unlink(missing_ok=True)
        shutil.rmtree(d / "rejects", ignore_errors=True)
    return r2.returncode


if __name__ == "__main__":
    raise SystemExit(main())
