"""Built figures, kept per process: a page run asks for a figure by its builder and arguments, and
a figure built before from equal arguments comes back without building it again.

Why: building a figure through Plotly's validated API costs 20–60 ms (a Kaplan–Meier chart with
its bands, a histogram of two routes), every run, for every reader, although the result depends
only on the (cached) query result and the labels. A figure rebuilt from its stored dictionary
without validation costs ~1 ms. Measured on the resolution page at 10M complaints: three quarters
of a warm run's server time was building its figures.

Builders are decorated with :func:`memo` (ui/charts.py, ui/figures/*); :func:`build` keys a figure on the builder (module, name, code) and a digest of every argument:
DataFrames and arrays by their content, labels by value, functions (a label formatter passed by a
page) by their code, the values they close over and the values of the global names they use. The
reader's language is always part of the key. An argument this cannot digest (an open file, an
object without a stable value) means the figure is simply built, every time: nothing is ever
shared by mistake. Each call returns a new figure object, so a caller may change it freely.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import decimal
import hashlib
import threading
import types
from collections import OrderedDict

import numpy as np
import pandas as pd
import plotly.graph_objects as go

MAX_ITEMS = 256
_lock = threading.Lock()
_store: OrderedDict[str, dict] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "unkeyed": 0}


class Unkeyable(TypeError):
    """An argument without a stable digest: the figure is built, not memoised."""


def stats() -> dict:
    return dict(_stats)


def clear() -> None:
    with _lock:
        _store.clear()


def _feed(h, obj, depth: int = 0) -> None:
    """Feed a digest of ``obj``'s value (type included) into ``h``; :class:`Unkeyable` if it has none."""
    if depth > 12:
        raise Unkeyable("nested too deeply")
    up = lambda x: h.update(x if isinstance(x, bytes) else str(x).encode("utf-8", "surrogatepass"))  # noqa: E731
    up(type(obj).__qualname__ + "\0")
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes, decimal.Decimal,
                                       dt.date, dt.time, dt.timedelta, np.generic, pd.Timestamp,
                                       pd.Timedelta, pd.Period)) or obj is pd.NaT:
        up(repr(obj))
    elif isinstance(obj, pd.DataFrame):
        up(repr([(str(c), str(t)) for c, t in obj.dtypes.items()]))
        _feed_frame(h, obj)
    elif isinstance(obj, pd.Series):
        up(repr((str(obj.name), str(obj.dtype))))
        _feed_frame(h, obj.to_frame())
    elif isinstance(obj, pd.Index):
        up(str(obj.dtype))
        _feed_frame(h, obj.to_frame(index=False))
    elif isinstance(obj, np.ndarray):
        if obj.dtype == object:
            for x in obj.ravel():
                _feed(h, x, depth + 1)
        else:
            up(f"{obj.dtype}{obj.shape}")
            up(np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        up(f"{len(items)}[")
        for x in items:
            _feed(h, x, depth + 1)
        up("]")
    elif isinstance(obj, dict):
        up(f"{len(obj)}{{")
        for k, v in obj.items():
            _feed(h, k, depth + 1)
            _feed(h, v, depth + 1)
        up("}")
    elif isinstance(obj, (types.ModuleType, type, types.BuiltinFunctionType)):
        up(getattr(obj, "__module__", "") or "")
        up(getattr(obj, "__qualname__", getattr(obj, "__name__", "")))
    elif isinstance(obj, types.FunctionType):
        _feed_function(h, obj, depth)
    elif isinstance(obj, types.MethodType):
        _feed(h, obj.__func__, depth + 1)
        _feed(h, obj.__self__, depth + 1)
    elif hasattr(obj, "__dataclass_fields__") and getattr(obj, "__dataclass_params__").frozen:
        for name in obj.__dataclass_fields__:
            up(name)
            _feed(h, getattr(obj, name), depth + 1)
    else:
        raise Unkeyable(f"no stable value: {type(obj).__qualname__}")


def _feed_frame(h, df: pd.DataFrame) -> None:
    h.update(repr(list(map(str, df.columns))).encode("utf-8", "surrogatepass"))
    for dtype in [*df.dtypes, *([df.index.dtype] if not isinstance(df.index, pd.MultiIndex) else [])]:
        if isinstance(dtype, pd.CategoricalDtype):      # its categories' order orders a chart's axis
            h.update(repr((list(dtype.categories), dtype.ordered)).encode("utf-8", "surrogatepass"))
    h.update(repr(list(map(str, df.index.names))).encode("utf-8", "surrogatepass"))
    try:
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    except TypeError as exc:               # unhashable cells (lists): digest them one by one
        for row in df.itertuples(index=True, name=None):
            try:
                h.update(repr(row).encode("utf-8", "surrogatepass"))
            except Exception:  # noqa: BLE001
                raise Unkeyable("frame cells without a stable value") from exc


def _feed_function(h, fn: types.FunctionType, depth: int) -> None:
    """A function by what decides its result: its code, its defaults, the values it closes over and
    the values of the global names its code uses (a page's ``lang``, a helper function)."""
    code = fn.__code__
    h.update(f"{fn.__module__}.{fn.__qualname__}\0".encode())
    _feed_code(h, code, depth)
    _feed(h, fn.__defaults__, depth + 1)
    _feed(h, fn.__kwdefaults__, depth + 1)
    for cell in fn.__closure__ or ():
        try:
            _feed(h, cell.cell_contents, depth + 1)
        except ValueError:                 # an empty cell
            h.update(b"<empty>")
    g = fn.__globals__
    for name in sorted(_global_names(code)):
        if name in g:
            h.update(name.encode() + b"=")
            v = g[name]
            if isinstance(v, types.FunctionType):      # a helper: by name (its own globals would recurse)
                h.update(f"{v.__module__}.{v.__qualname__}".encode())
                _feed_code(h, v.__code__, depth)
            else:
                _feed(h, v, depth + 1)


def _feed_code(h, code: types.CodeType, depth: int) -> None:
    h.update(code.co_code)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _feed_code(h, c, depth + 1)
        else:
            _feed(h, c, depth + 1)
    h.update(repr(code.co_names).encode())


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def key_of(builder, args: tuple, kwargs: dict, lang: str | None) -> str:
    """The memo key of ``builder(*args, **kwargs)`` for a reader in ``lang``; :class:`Unkeyable`
    when an argument has no stable value."""
    h = hashlib.sha256()
    h.update(repr(lang).encode())
    _feed(h, builder)
    _feed(h, args)
    _feed(h, sorted(kwargs.items()))
    return h.hexdigest()


def build(builder, *args, **kwargs) -> go.Figure:
    """``builder(*args, **kwargs)``, a figure, from the memo when equal arguments built it before.
    Every figure returned (also the first) is a new object rebuilt from the stored dictionary, so
    that the first and later readers get byte-identical figures (and the same cached image)."""
    from .i18n import current_lang
    try:
        key = key_of(builder, args, kwargs, current_lang())
    except Unkeyable:
        _stats["unkeyed"] += 1
        return builder(*args, **kwargs)
    with _lock:
        spec = _store.get(key)
        if spec is not None:
            _store.move_to_end(key)
    if spec is None:
        _stats["misses"] += 1
        fig = builder(*args, **kwargs)
        if not isinstance(fig, go.Figure):
            return fig
        # its properties as set (numbers stay arrays: fig.to_dict() would encode them as base64 text,
        # and code reading a figure back, fig.data[0].y, would get that text)
        spec = copy.deepcopy({"data": fig._data, "layout": fig._layout})
        with _lock:
            _store[key] = spec
            while len(_store) > MAX_ITEMS:
                _store.popitem(last=False)
    else:
        _stats["hits"] += 1
    return go.Figure(copy.deepcopy(spec), _validate=False)


def memo(builder):
    """Decorator: calls of ``builder`` go through :func:`build`."""
    @functools.wraps(builder)
    def memoised(*args, **kwargs):
        return build(builder, *args, **kwargs)
    memoised.unmemoised = builder
    return memoised
