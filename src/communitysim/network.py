"""The audience's social graph, built from a seed straight into a sparse adjacency matrix.

The model works on a symmetric ``scipy.sparse.csr_array`` (one row per person, no self loops,
unweighted). ``watts_strogatz`` is built with numpy directly (a million people in seconds);
``barabasi_albert``, ``stochastic_block`` and files go through networkx. A ``complete`` audience
is never materialised: the growth mechanism handles it in closed form.
``Network.to_networkx()`` gives the networkx graph for notebooks and drawing.

Example:
    >>> import numpy as np
    >>> net = build_network(NetworkParams(kind="watts_strogatz", mean_degree=4), 100, np.random.default_rng(1))
    >>> int(net.degree.sum()) // 2 <= 200
    True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from communitysim.messages import t
from communitysim.params import Params, ScenarioError, param

__all__ = [
    "NetworkParams",
    "Network",
    "barabasi_albert_adjacency",
    "build_network",
    "stochastic_block_adjacency",
    "watts_strogatz_adjacency",
]


class NetworkParams(Params):
    """The audience's social graph."""

    kind: Literal["watts_strogatz", "barabasi_albert", "stochastic_block", "complete", "file"] = param(
        "watts_strogatz",
        "graph family: small world (watts_strogatz), scale-free (barabasi_albert), audience segments "
        "(stochastic_block), everyone knows everyone (complete, closed form), or a file",
        "name",
        "DOMAIN.md s.2 (network Bass)",
    )
    mean_degree: int = param(
        10, "mean number of contacts per person (watts_strogatz rounds down to even)", "people", ge=2, le=1000
    )
    rewiring: float = param(0.1, "watts_strogatz: share of lattice edges rewired at random", "share 0..1", ge=0, le=1)
    n_segments: int = param(3, "number of audience segments (the blocks of stochastic_block)", "count", ge=1, le=1000)
    share_within_segment: float = param(
        0.9, "stochastic_block: share of a person's contacts inside their own segment", "share 0..1", ge=0, le=1
    )
    path: str | None = param(
        None, "file: edge list (.csv, .txt, .edgelist: two node ids a line) or GraphML (.graphml)", "path"
    )


@dataclass
class Network:
    """An audience graph: the adjacency (None for complete), degrees and segments.

    Attributes:
        n: number of people.
        kind: the graph family.
        adjacency: symmetric CSR matrix of 0/1 (int8), or None for a complete graph.
        degree: number of contacts of each person.
        segment: audience segment of each person (0 .. n_segments-1).
    """

    n: int
    kind: str
    adjacency: sp.csr_array | None
    degree: np.ndarray
    segment: np.ndarray
    _graph: nx.Graph | None = field(default=None, repr=False)

    @property
    def is_complete(self) -> bool:
        """True when everyone knows everyone (handled in closed form)."""
        return self.adjacency is None

    def neighbours(self, person: int) -> np.ndarray:
        """Ids of a person's contacts."""
        if self.adjacency is None:
            return np.delete(np.arange(self.n), person)
        a = self.adjacency
        return a.indices[a.indptr[person] : a.indptr[person + 1]]

    def to_networkx(self) -> nx.Graph:
        """The audience as a networkx graph, with each node's ``segment`` attribute (built once)."""
        if self._graph is None:
            if self.adjacency is None:
                graph = nx.complete_graph(self.n)
            else:
                graph = nx.from_scipy_sparse_array(self.adjacency)
            nx.set_node_attributes(graph, dict(enumerate(self.segment.tolist())), "segment")
            self._graph = graph
        return self._graph


def _symmetric_csr(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_array:
    """Undirected 0/1 adjacency from an edge list, without self loops or duplicates."""
    keep = src != dst
    src, dst = src[keep], dst[keep]
    index = np.int32 if n < 2**31 else np.int64  # scipy's own choice, made before the copies (half the memory)
    rows = np.concatenate([src, dst]).astype(index)
    cols = np.concatenate([dst, src]).astype(index)
    data = np.ones(rows.size, dtype=np.int8)
    adj = sp.coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
    adj.sum_duplicates()
    adj.data[:] = 1
    adj.sort_indices()
    return adj


def watts_strogatz_adjacency(n: int, mean_degree: int, rewiring: float, rng: np.random.Generator) -> sp.csr_array:
    """Small-world graph (Watts and Strogatz 1998) built with numpy.

    A ring where each person knows the ``mean_degree // 2`` next people on each side; each edge's
    far end is rewired to a uniformly random person with probability ``rewiring``. Self loops
    and duplicate edges produced by rewiring are redrawn (then dropped after a few tries).

    Args:
        n: number of people.
        mean_degree: contacts per person (rounded down to even).
        rewiring: share of edges rewired, 0..1.
        rng: the generator to draw from.
    """
    half = max(1, mean_degree // 2)
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    rewire = np.flatnonzero(rng.random(src.size) < rewiring)
    dst[rewire] = rng.integers(0, n, rewire.size)
    for _ in range(10):
        bad = rewire[dst[rewire] == src[rewire]]
        if bad.size == 0:
            break
        dst[bad] = rng.integers(0, n, bad.size)
    return _symmetric_csr(n, src, dst)


def _python_uniforms(seed: int) -> np.random.RandomState:
    """The stream of ``random.Random(seed).random()`` (networkx's generator), drawn in numpy blocks.

    Python's ``random`` and numpy's legacy ``RandomState`` are the same Mersenne Twister: seeded
    with the one-word key ``[seed]`` they give the same 53-bit doubles in the same order.
    """
    return np.random.RandomState([seed])


class _Draws:
    """Read ahead in a stream of uniforms, consuming only what is used."""

    def __init__(self, state: np.random.RandomState):
        self._state = state
        self._ahead = np.empty(0)

    def peek(self, count: int) -> np.ndarray:
        if self._ahead.size < count:
            self._ahead = np.concatenate([self._ahead, self._state.random_sample(count - self._ahead.size)])
        return self._ahead[:count]

    def consume(self, count: int) -> None:
        self._ahead = self._ahead[count:]


def _geometric_positions(draws: _Draws, total: int, p: float) -> np.ndarray:
    """Positions kept among ``total`` candidate pairs, each with probability p (geometric skips).

    The skipping scheme of networkx's sparse generators (Batagelj and Brandes 2005): from the last
    kept position, skip ``floor(log(r) / log(1 - p))`` candidates and keep the next one, until past
    the end; one draw per kept pair and one for the overshoot.
    """
    log_q = math.log(1 - p)
    found, last = [], -1.0
    while True:
        need = int((total - 1 - last) * p * 1.05) + 64
        skips = np.floor(np.log(draws.peek(need)) / log_q)
        positions = last + np.cumsum(skips + 1)
        over = int(np.searchsorted(positions, total))
        if over < need:
            found.append(positions[:over])
            draws.consume(over + 1)
            return np.concatenate(found).astype(np.int64)
        found.append(positions)
        draws.consume(need)
        last = float(positions[-1])


def _pairs_within(order: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs at ``index`` in ``itertools.combinations(order, 2)``."""
    m = order.size
    starts = np.concatenate([[0], np.cumsum(np.arange(m - 1, 0, -1, dtype=np.int64))])
    x = np.searchsorted(starts, index, side="right") - 1
    y = index - starts[x] + x + 1
    return order[x], order[y]


def stochastic_block_adjacency(sizes: list[int], probs: list[list[float]], seed: int) -> sp.csr_array:
    """Stochastic block model, the very graph of ``networkx.stochastic_block_model(..., sparse=True)``.

    The same seed gives the same edges as networkx, in time linear in the number of edges (networkx
    walks every pair of people, which is quadratic): each pair of blocks keeps its candidate pairs
    at geometric skips, and a kept position is turned into its pair by arithmetic. The blocks'
    people are taken in the order networkx iterates them (Python sets of consecutive ids).

    Args:
        sizes: people in each block.
        probs: probability of a tie between blocks i and j (symmetric).
        seed: the seed networkx would be given.
    """
    n = int(sum(sizes))
    bounds = np.cumsum([0, *sizes])
    parts = [np.fromiter(set(range(bounds[i], bounds[i + 1])), np.int64, sizes[i]) for i in range(len(sizes))]
    draws = _Draws(_python_uniforms(seed))
    src, dst = [], []
    for i, j in itertools.combinations_with_replacement(range(len(sizes)), 2):
        p = probs[i][j]
        total = sizes[i] * (sizes[i] - 1) // 2 if i == j else sizes[i] * sizes[j]
        if p <= 0 or total == 0:
            continue
        index = np.arange(total, dtype=np.int64) if p >= 1 else _geometric_positions(draws, total, p)
        if i == j:
            u, v = _pairs_within(parts[i], index)
        else:
            u, v = parts[i][index // sizes[j]], parts[j][index % sizes[j]]
        src.append(u)
        dst.append(v)
    empty = np.zeros(0, dtype=np.int64)
    return _symmetric_csr(n, np.concatenate([empty, *src]), np.concatenate([empty, *dst]))


def barabasi_albert_adjacency(n: int, m: int, rng: np.random.Generator) -> sp.csr_array:
    """Scale-free graph by preferential attachment (Barabasi and Albert 1999), built with numpy.

    As networkx's ``barabasi_albert_graph``: a star of ``m + 1`` people, then each newcomer ties
    to ``m`` distinct earlier people, each drawn with probability proportional to their degree.
    Drawing in proportion to degree is drawing a uniform end among the earlier ties (the list of
    "repeated nodes"): a newcomer's draw either lands on a newcomer end (a known person) or copies
    an earlier draw, so all the draws are made at once and resolved by following the copies (half
    of them end at each hop). Newcomers who drew someone twice draw those ties again, on the ties as
    they then are (the later draws that had copied the doubled tie keep it: a few ties in a million);
    any tie still doubled after 20 rounds is dropped. Time and memory linear in the number of ties.

    Args:
        n: number of people.
        m: ties of each newcomer (mean degree about 2m).
        rng: the generator to draw from.
    """
    m = max(1, min(m, n - 1))
    head = 2 * m  # ends of the star's ties: the centre m times, then 1..m
    newcomers = n - m - 1
    # the j-th tie of newcomer t (person m + 1 + t): its drawn end is end number head + 2mt + j,
    # its own end is number head + 2mt + m + j
    index = np.int32 if 2 * m * n < 2**31 else np.int64  # half the memory traffic when it fits
    base = head + 2 * m * np.repeat(np.arange(newcomers, dtype=index), m)
    draw = np.floor(rng.random(base.size) * base).astype(index)
    link = np.empty_like(draw)  # the earlier draw a draw copies (-1: it landed on a known person)
    known = np.empty_like(draw)  # the person it landed on, when it did

    def land(at: np.ndarray) -> None:
        rel = draw[at] - head
        slot = rel % (2 * m)
        copies = (rel >= 0) & (slot < m)
        link[at] = np.where(copies, rel // (2 * m) * m + slot, -1)
        known[at] = np.where(rel < 0, np.maximum(draw[at] - m + 1, 0), m + 1 + rel // (2 * m))

    land(np.arange(draw.size))
    # who each draw ends on, following the copies (each hop halves the draws still copying)
    end = np.arange(draw.size, dtype=index)
    pending = np.flatnonzero(link >= 0)
    while pending.size:
        end[pending] = link[end[pending]]
        pending = pending[link[end[pending]] >= 0]
    targets = known[end]
    del end, pending
    rows = np.arange(newcomers)  # the newcomers whose ties may hold a person twice
    for _ in range(20):
        ties = targets.reshape(newcomers, m)[rows]
        order = np.argsort(ties, axis=1, kind="stable")
        ranked = np.take_along_axis(ties, order, axis=1)
        twice = np.zeros_like(ties, dtype=bool)
        np.put_along_axis(twice, order[:, 1:], ranked[:, 1:] == ranked[:, :-1], axis=1)
        row, col = np.nonzero(twice)
        if row.size == 0:
            break
        again = rows[row] * m + col  # drawn again, on the ties as they are now
        draw[again] = np.floor(rng.random(again.size) * base[again])
        land(again)
        targets[again] = np.where(link[again] >= 0, targets[np.maximum(link[again], 0)], known[again])
        rows = np.unique(rows[row])
    star = np.arange(1, m + 1, dtype=np.int64)
    sources = np.repeat(np.arange(m + 1, n, dtype=np.int64), m)
    return _symmetric_csr(n, np.concatenate([np.zeros(m, dtype=np.int64), sources]), np.concatenate([star, targets]))


def _from_networkx(graph: nx.Graph, n: int) -> sp.csr_array:
    adj = nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.int8, format="csr")
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.data[:] = 1
    return sp.csr_array(adj)


def _edge_without_end(file: Path) -> bool:
    """Whether a GraphML file (already read by networkx, so well formed) has an edge missing an end."""
    from xml.etree.ElementTree import iterparse

    for _, element in iterparse(file):
        if element.tag.rpartition("}")[2] == "edge" and (
            element.get("source") is None or element.get("target") is None
        ):
            return True
        element.clear()
    return False


def _edge_list_ends(file: Path, delimiter: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Both ends of every line of an edge list (integer ids if they all are, else text), streamed.

    As networkx's ``read_edgelist``: ``#`` starts a comment, a line with fewer than two fields is
    skipped, fields after the second are ignored.
    """
    for dtype in (np.int64, "Int64", str):  # integers; integers and short lines; text
        empty = np.zeros(0, dtype=object if dtype is str else np.int64)
        sources, targets = [empty], [empty]
        try:
            chunks = pd.read_csv(
                file,
                sep=delimiter or r"\s+",
                header=None,
                names=["u", "v"],
                usecols=[0, 1],
                comment="#",
                dtype=dtype,
                chunksize=1 << 21,
            )
            for chunk in chunks:
                if dtype is not np.int64:
                    chunk = chunk.dropna()
                sources.append(chunk["u"].to_numpy(empty.dtype))
                targets.append(chunk["v"].to_numpy(empty.dtype))
        except pd.errors.EmptyDataError:
            break
        except (ValueError, TypeError, OverflowError):  # a short line or ids that are not integers
            if dtype is str:
                raise
            continue
        return np.concatenate(sources), np.concatenate(targets)
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 13, 32]] = True  # XML whitespace
_NAME_END = _SPACE.copy()
_NAME_END[[47, 62]] = True  # "/" and ">" end a tag name too
_GRAPHML_IDS = ("source", "target", "node")
_WINDOW = 24  # bytes looked at after a "<" or at an id: tag names, attribute names, integer ids


class _TextIds(Exception):
    """A GraphML file whose ids are not all unsigned integers."""


def _columns(data: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes of ``data`` from each position ``at``: row k holds the bytes at ``at + k``."""
    return np.stack([data[at + k] for k in range(width)]) if width else np.zeros((0, at.size), np.uint8)


def _starts_with(columns: np.ndarray, word: bytes) -> np.ndarray:
    """Which of the byte sequences (:func:`_columns`) start with ``word``."""
    hit = columns[0] == word[0]
    for k in range(1, len(word)):
        hit &= columns[k] == word[k]
    return hit


def _tag_is(after: np.ndarray, name: bytes) -> np.ndarray:
    """Which tags, given by the bytes after each ``<`` (:func:`_columns`), are named ``name``."""
    return _starts_with(after, name) & _NAME_END[after[len(name)]]


def _attribute_spans(quotes: np.ndarray, data: np.ndarray, starts: np.ndarray, ends: np.ndarray, names):
    """Where the values of attributes ``names`` lie in the elements ``[starts, ends)`` of ``data``.

    ``quotes``: where ``data`` holds a ``"``. The attributes must be the element's first ones, in
    that order, possibly after one other (an edge's ``id``), each written `` name="value"``. A list
    of (first byte, end) arrays, one per name, or None if any element is written otherwise.
    """
    first = np.searchsorted(quotes, starts)
    for skip in (0, 1):  # the names first, or after one other attribute
        spans = []
        for k, name in enumerate(names):
            pair = first + 2 * (skip + k)
            if pair.size and pair.max() + 1 >= quotes.size:
                break
            opening, closing = quotes[pair], quotes[pair + 1]
            before = _columns(data, np.maximum(opening - len(name) - 2, 0), len(name) + 2)
            ok = (closing < ends) & _SPACE[before[0]] & _starts_with(before[1:], name + b"=")
            if not ok.all():  # (no "<" stands in a value: a value ends inside its element)
                break
            spans.append((opening + 1, closing))
        else:
            return spans
    return None


def _digits(data: np.ndarray, first: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The unsigned integers written in bytes ``[first, end)`` of ``data``; else :class:`_TextIds`."""
    width = end - first
    if not width.size:
        return np.zeros(0, dtype=np.int64)
    if width.min() < 1 or width.max() > 18:
        raise _TextIds
    value = np.zeros(first.size, dtype=np.int64)
    for k, byte in enumerate(_columns(data, first, int(width.max()))):
        inside = k < width
        digit = byte - np.uint8(48)  # a digit: 0-9; anything else wraps above 9
        if np.any(inside & (digit > 9)):
            raise _TextIds
        value = np.where(inside, value * 10 + digit, value)
    return value.astype(np.int32) if value.max() < 2**31 else value  # half the memory when they fit


def _texts(data: np.ndarray, first: np.ndarray, end: np.ndarray):
    """The values in bytes ``[first, end)`` of ``data`` as a pyarrow text array (gathered with numpy).

    None if a value holds a tab or a line break, which an XML reader would turn into a space.
    """
    import pyarrow as pa

    width = end - first
    offsets = np.zeros(first.size + 1, dtype=np.int64)
    np.cumsum(width, out=offsets[1:])
    text = data[np.repeat(first - offsets[:-1], width) + np.arange(offsets[-1])]
    if np.any((text == 9) | (text == 10) | (text == 13)):
        return None
    values = pa.LargeStringArray.from_buffers(first.size, pa.py_buffer(offsets), pa.py_buffer(text))
    values.validate(full=True)  # UTF-8, else one line from the caller
    return values


def _graphml_scan(data: np.ndarray, as_text: bool, block: int = 1 << 22) -> dict[str, list] | None:
    """The ids of :func:`_graphml_ends` by kind, as integer or pyarrow text arrays, block by block."""
    ids: dict[str, list] = {key: [] for key in _GRAPHML_IDS}
    elements = ((b"edge", (b"source", b"target"), ("source", "target")), (b"node", (b"id",), ("node",)))
    graphs = closing = lo = 0
    while lo < data.size:
        hi = min(lo + block, data.size)
        opens = np.flatnonzero(data[lo:hi] == 60)
        if hi < data.size and opens.size > 1:  # cut before the block's last "<": every element stays whole
            hi, opens = lo + int(opens[-1]), opens[:-1]
        part = data[lo : hi + _WINDOW]  # with room for the windows at the end
        if part.size < hi - lo + _WINDOW:
            part = np.concatenate([part, np.zeros(hi - lo + _WINDOW - part.size, np.uint8)])
        padded, part = part, part[: hi - lo]
        ends = np.append(opens[1:], part.size)
        after = _columns(padded, opens + 1, 11)  # enough for every tag name asked below
        if np.any(part == 38) or np.any((after[0] == 33) & ~_tag_is(after, b"!DOCTYPE")):
            return None  # "&" (entities) or "<!" other than a doctype (comments, CDATA)
        if _tag_is(after, b"hyperedge").any() or _tag_is(after, b"port").any():
            return None
        graphs += int(_tag_is(after, b"graph").sum())
        closing += int(_tag_is(after, b"/graphml").sum())
        quotes = np.flatnonzero(part == 34)
        for tag, names, keys in elements:
            which = _tag_is(after, tag)
            spans = _attribute_spans(quotes, padded, opens[which], ends[which], names)
            if spans is None:
                return None
            for key, (first, end) in zip(keys, spans, strict=True):
                ids[key].append(_texts(part, first, end) if as_text else _digits(padded, first, end))
                if ids[key][-1] is None:
                    return None
        lo = hi
    return ids if graphs == 1 and closing else None


def _graphml_ends(file: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Ties and declared people of a GraphML file, read from its bytes; None for an unusual file.

    Every ``<edge`` whose first attributes (possibly after an ``id``) are ``source="..."`` and
    ``target="..."``, and every ``<node`` whose first attribute is ``id="..."``, wherever they stand
    on the lines (as every common writer puts them: networkx, igraph, Gephi). Anything else
    (hyperedges, nested graphs, ports, entities, comments, CDATA, other quoting or spacing, no end
    tag) returns None and the file goes to networkx's full XML reader, which gives the same graph
    or the error. Integer ids come back as integers; text ids as their ranks in text order (the
    order :func:`_number_people` gives text), computed with pyarrow.
    """
    if file.stat().st_size == 0:
        return None
    data = np.memmap(file, dtype=np.uint8, mode="r")
    try:
        ids = _graphml_scan(data, as_text=False)
        return None if ids is None else tuple(np.concatenate([np.zeros(0, np.int32), *ids[k]]) for k in _GRAPHML_IDS)
    except _TextIds:
        ids = _graphml_scan(data, as_text=True)
    if ids is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.chunked_array([piece for key in _GRAPHML_IDS for piece in ids[key]], pa.large_string())
    try:  # ids that all read as integers (with a sign, say): as numbers
        numbers = pc.cast(texts, pa.int64()).to_numpy()
    except pa.ArrowInvalid:  # text ids: numbered here in text order (as Python sorts text), no Python strings
        encoded = pc.dictionary_encode(texts.combine_chunks())
        rank = np.empty(len(encoded.dictionary), dtype=np.int64)
        rank[pc.array_sort_indices(encoded.dictionary).to_numpy()] = np.arange(rank.size)
        numbers = rank[encoded.indices.to_numpy()]
    cuts = np.cumsum([sum(len(piece) for piece in ids[key]) for key in _GRAPHML_IDS])[:-1]
    return tuple(np.split(numbers, cuts))


def _integer_or_text(ids: np.ndarray) -> np.ndarray:
    """Ids as integers if they all are, else as text."""
    try:
        return ids.astype(np.int64)
    except (ValueError, TypeError, OverflowError):
        return ids.astype(str).astype(object)


def _number_people(sources: np.ndarray, targets: np.ndarray, nodes: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Person ids for file ids: integer ids in increasing order, text ids in alphabetical order."""
    parts = [a for a in (sources, targets, nodes) if a.size]
    size = sum(a.size for a in parts)
    if parts and all(a.dtype != object for a in parts):  # small integer ids: count them, no sort
        low, high = min(int(a.min()) for a in parts), max(int(a.max()) for a in parts)
        if 0 <= low and high < 4 * size + 1000:
            present = np.zeros(high + 1, dtype=bool)
            for a in parts:
                present[a] = True
            people = int(np.count_nonzero(present))
            if people == high + 1:  # ids 0 to n - 1, every one used: the ids are the people
                return people, sources, targets
            rank = np.cumsum(present) - 1
            return people, rank[sources], rank[targets]
    ends = np.concatenate([sources, targets, nodes])
    codes, uniques = pd.factorize(ends)
    rank = np.empty(uniques.size, dtype=np.int64)
    rank[np.argsort(uniques, kind="stable")] = np.arange(uniques.size)
    ids, people = rank[codes], uniques.size
    return people, ids[: sources.size], ids[sources.size : sources.size + targets.size]


class _EdgeWithoutEnd(Exception):
    """A GraphML edge without a source or a target."""


def _read_file(path: str, n: int) -> sp.csr_array:
    file = Path(path)
    where = f"{path}: audience.network.path"
    if not file.is_file():
        raise ScenarioError(f"{where}: no such file")
    try:
        if file.suffix.lower() == ".graphml":
            ends = _graphml_ends(file)
            if ends is None:  # an unusual layout: the full XML reader
                graph = nx.read_graphml(file)
                if _edge_without_end(file):  # networkx would make a person "None"
                    raise _EdgeWithoutEnd
                edges = np.array(list(graph.edges), dtype=object).reshape(-1, 2)
                ends = tuple(
                    _integer_or_text(a) for a in (edges[:, 0], edges[:, 1], np.array(list(graph), dtype=object))
                )
        else:
            ends = (*_edge_list_ends(file, "," if file.suffix.lower() == ".csv" else None), np.zeros(0, np.int64))
    except _EdgeWithoutEnd:
        raise ScenarioError(f"{where}: {t('scenario.error.edge_end')}") from None
    except Exception as exc:  # the readers raise many kinds for a malformed file
        raise ScenarioError(f"{where}: cannot read the graph ({type(exc).__name__}: {exc})") from None
    people, sources, targets = _number_people(*ends)
    if people != n:
        raise ScenarioError(
            f"{where}: the file has {people} people but audience.size is {n}; set audience.size to match"
        )
    return _symmetric_csr(n, sources, targets)


def build_network(params: NetworkParams, n: int, rng: np.random.Generator) -> Network:
    """Build the audience graph of ``n`` people from ``params``, drawing only from ``rng``.

    Args:
        params: the scenario's ``audience.network``.
        n: the audience size.
        rng: the network's own random stream.

    Example:
        >>> net = build_network(NetworkParams(kind="complete"), 10, np.random.default_rng(0))
        >>> net.is_complete, int(net.degree[0])
        (True, 9)
    """
    seed = int(rng.integers(2**31 - 1))  # for networkx generators, drawn from our stream
    segment = rng.integers(0, params.n_segments, n).astype(np.int16)
    if params.kind == "complete":
        return Network(n, "complete", None, np.full(n, n - 1, dtype=np.int64), segment)
    if params.kind == "watts_strogatz":
        adj = watts_strogatz_adjacency(n, params.mean_degree, params.rewiring, rng)
    elif params.kind == "barabasi_albert":
        adj = barabasi_albert_adjacency(n, max(1, params.mean_degree // 2), rng)
    elif params.kind == "stochastic_block":
        k = params.n_segments
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        block = n / k  # mean block size: one within and one between probability keep the matrix symmetric
        p_within = min(1.0, params.share_within_segment * params.mean_degree / max(1.0, block - 1))
        p_between = min(1.0, (1 - params.share_within_segment) * params.mean_degree / max(1.0, n - block))
        probs = [[p_within if i == j else p_between for j in range(k)] for i in range(k)]
        adj = stochastic_block_adjacency(sizes, probs, seed)
        segment = np.repeat(np.arange(k, dtype=np.int16), sizes)
    elif params.kind == "file":
        adj = _read_file(str(params.path), n)
    else:  # pragma: no cover - the schema forbids it
        raise ScenarioError(f"audience.network.kind: unknown kind {params.kind!r}")
    degree = np.diff(adj.indptr).astype(np.int64)
    return Network(n, params.kind, adj, degree, segment)
