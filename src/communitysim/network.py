"""The audience's social graph, built from a seed straight into a sparse adjacency matrix.

The model works on a symmetric ``scipy.sparse.csr_array`` (one row per person, no self loops,
unweighted). ``watts_strogatz`` is built with numpy directly (a million people in seconds);
``barabasi_albert``, ``stochastic_block`` and files go through networkx. A ``complete`` audience
is never materialised: the growth mechanism handles it in closed form.
``Network.to_networkx()`` gives the networkx graph for notebooks and drawing.

Example:
    >>> import numpy as np
    >>> from communitysim.scenario import NetworkParams
    >>> net = build_network(NetworkParams(kind="watts_strogatz", mean_degree=4), 100, np.random.default_rng(1))
    >>> int(net.degree.sum()) // 2 <= 200
    True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from communitysim.messages import t
from communitysim.scenario import NetworkParams, ScenarioError

__all__ = [
    "Network",
    "barabasi_albert_adjacency",
    "build_network",
    "stochastic_block_adjacency",
    "watts_strogatz_adjacency",
]


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


def _count_in_file(file: Path, words: tuple[bytes, ...], block: int = 1 << 26) -> dict[bytes, int]:
    """How many times each word occurs in a file, read in blocks."""
    counts = dict.fromkeys(words, 0)
    overlap = max(len(w) for w in words) - 1
    tail = b""
    with file.open("rb") as handle:
        while chunk := handle.read(block):
            data = tail + chunk
            for word in words:  # occurrences inside the overlap were counted with the previous block
                counts[word] += data.count(word) - tail.count(word)
            tail = data[-overlap:] if overlap else b""
    return counts


def _graphml_ends(file: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Ties and declared people of a GraphML file written one element a line, streamed; None otherwise.

    The layout every common writer uses (networkx, igraph, Gephi): ``<node id="..."`` and
    ``<edge [id="..."] source="..." target="..."`` each on its own line. Anything else (several
    elements a line, hyperedges, nested graphs, ports, entities, comments, CDATA, no end tag)
    returns None and the file goes to networkx's full XML reader.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    unusual = (b"<hyperedge", b"<port", b"&", b"<!--", b"<![CDATA[")
    count = _count_in_file(file, (b"<node", b"<edge", b"<graph", b"<graphml", b"</graphml>", *unusual))
    if count[b"<graph"] - count[b"<graphml"] != 1 or not count[b"</graphml>"] or any(count[w] for w in unusual):
        return None
    reader = pcsv.open_csv(
        file,
        read_options=pcsv.ReadOptions(column_names=["line"], block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter="\x01", quote_char=False, newlines_in_values=False),
        convert_options=pcsv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False),
    )
    elements = (("<node", ("id=",), ("node",)), ("<edge", ("source=", "target="), ("source", "target")))
    found: dict[str, list[pa.Array]] = {"node": [], "source": [], "target": []}
    rows_found = dict.fromkeys((tag for tag, _, _ in elements), 0)
    for batch in reader:
        lines = batch.column(0)
        for tag, names, keys in elements:
            rows = pc.filter(lines, pc.greater_equal(pc.find_substring(lines, tag), 0))
            rows_found[tag] += len(rows)
            if not len(rows):
                continue
            parts = pc.split_pattern(rows, '"')
            starts = parts.offsets.to_numpy()[:-1]
            flat = parts.flatten()
            if pc.min(pc.list_value_length(parts)).as_py() < 2 * len(names) + 1:
                return None
            for first in (0, 2):  # attributes in the usual order, possibly after an id
                name_at = [pa.array(starts + first + 2 * k) for k in range(len(names))]
                if all(
                    pc.all(pc.ends_with(pc.take(flat, at), name)).as_py()
                    for at, name in zip(name_at, names, strict=True)
                ):
                    for at, key in zip(name_at, keys, strict=True):
                        found[key].append(pc.take(flat, pa.array(at.to_numpy() + 1)))
                    break
            else:
                return None
    if any(rows_found[tag] != count[tag.encode()] for tag in rows_found):
        return None  # some line holds several elements
    ends = [pa.chunked_array(found[key], type=pa.string()) for key in ("source", "target", "node")]
    try:
        return tuple(pc.cast(values, pa.int64()).to_numpy() for values in ends)
    except pa.ArrowInvalid:  # ids that are not all integers
        return tuple(values.to_numpy(zero_copy_only=False).astype(object) for values in ends)


def _integer_or_text(ids: np.ndarray) -> np.ndarray:
    """Ids as integers if they all are, else as text."""
    try:
        return ids.astype(np.int64)
    except (ValueError, TypeError, OverflowError):
        return ids.astype(str).astype(object)


def _number_people(sources: np.ndarray, targets: np.ndarray, nodes: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Person ids for file ids: integer ids in increasing order, text ids in alphabetical order."""
    ends = np.concatenate([sources, targets, nodes])
    if ends.dtype != object and ends.size and 0 <= ends.min() and ends.max() < 4 * ends.size + 1000:
        present = np.zeros(int(ends.max()) + 1, dtype=bool)  # small integer ids: count them, no sort
        present[ends] = True
        rank = np.cumsum(present) - 1
        ids, people = rank[ends], int(present.sum())
    else:
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
