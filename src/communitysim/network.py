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

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from communitysim.scenario import NetworkParams, ScenarioError
from communitysim.ui.messages import t

__all__ = ["Network", "build_network", "watts_strogatz_adjacency"]


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
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
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


def _read_file(path: str, n: int) -> sp.csr_array:
    file = Path(path)
    where = f"{path}: audience.network.path"
    if not file.is_file():
        raise ScenarioError(f"{where}: no such file")
    try:
        if file.suffix.lower() == ".graphml":
            graph = nx.read_graphml(file)
        else:
            delimiter = "," if file.suffix.lower() == ".csv" else None
            graph = nx.read_edgelist(file, delimiter=delimiter, data=False, comments="#")
    except Exception as exc:  # networkx raises many kinds for a malformed file
        raise ScenarioError(f"{where}: cannot read the graph ({type(exc).__name__}: {exc})") from None
    graph = nx.Graph(graph)
    if file.suffix.lower() == ".graphml" and _edge_without_end(file):  # networkx would make a person "None"
        raise ScenarioError(f"{where}: {t('scenario.error.edge_end')}")
    if graph.number_of_nodes() != n:
        raise ScenarioError(
            f"{where}: the file has {graph.number_of_nodes()} people but audience.size is {n}; "
            "set audience.size to match"
        )
    graph = nx.convert_node_labels_to_integers(graph, ordering="sorted")
    return _from_networkx(graph, n)


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
        graph = nx.barabasi_albert_graph(n, max(1, params.mean_degree // 2), seed=seed)
        adj = _from_networkx(graph, n)
    elif params.kind == "stochastic_block":
        k = params.n_segments
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        block = n / k  # mean block size: one within and one between probability keep the matrix symmetric
        p_within = min(1.0, params.share_within_segment * params.mean_degree / max(1.0, block - 1))
        p_between = min(1.0, (1 - params.share_within_segment) * params.mean_degree / max(1.0, n - block))
        probs = [[p_within if i == j else p_between for j in range(k)] for i in range(k)]
        graph = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
        adj = _from_networkx(graph, n)
        segment = np.repeat(np.arange(k, dtype=np.int16), sizes)
    elif params.kind == "file":
        adj = _read_file(str(params.path), n)
    else:  # pragma: no cover - the schema forbids it
        raise ScenarioError(f"audience.network.kind: unknown kind {params.kind!r}")
    degree = np.diff(adj.indptr).astype(np.int64)
    return Network(n, params.kind, adj, degree, segment)
