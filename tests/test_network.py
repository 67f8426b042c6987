import re
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from communitysim.network import build_network
from communitysim.scenario import NetworkParams, ScenarioError


def build(n=2000, seed=1, **params):
    return build_network(NetworkParams(**params), n, np.random.default_rng(seed))


def check_simple_undirected(net):
    a = net.adjacency
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert set(np.unique(a.data)) <= {1}
    assert np.array_equal(net.degree, np.diff(a.indptr))


def test_ring_lattice_without_rewiring_has_exact_degree():
    net = build(kind="watts_strogatz", mean_degree=6, rewiring=0.0)
    check_simple_undirected(net)
    assert (net.degree == 6).all()
    assert set(net.neighbours(0).tolist()) == {1, 2, 3, 1997, 1998, 1999}


def test_small_world_mean_degree_and_short_paths():
    net = build(kind="watts_strogatz", mean_degree=10, rewiring=0.1)
    check_simple_undirected(net)
    assert net.degree.mean() == pytest.approx(10, abs=0.1)
    graph = net.to_networkx()
    lattice = build(kind="watts_strogatz", mean_degree=10, rewiring=0.0).to_networkx()
    assert nx.average_clustering(graph) > 0.3
    hops = nx.single_source_shortest_path_length(graph, 0)
    hops_lattice = nx.single_source_shortest_path_length(lattice, 0)
    assert np.mean(list(hops.values())) < 0.2 * np.mean(list(hops_lattice.values()))


def test_scale_free_has_hubs():
    net = build(kind="barabasi_albert", mean_degree=10)
    check_simple_undirected(net)
    assert net.degree.mean() == pytest.approx(10, rel=0.05)
    assert net.degree.max() > 8 * net.degree.mean()


def test_stochastic_block_keeps_contacts_within_segments():
    net = build(kind="stochastic_block", mean_degree=10, n_segments=4, share_within_segment=0.9)
    check_simple_undirected(net)
    a = net.adjacency.tocoo()
    within = np.mean(net.segment[a.row] == net.segment[a.col])
    assert within == pytest.approx(0.9, abs=0.03)
    assert net.degree.mean() == pytest.approx(10, rel=0.1)
    assert np.bincount(net.segment).tolist() == [500] * 4


def test_complete_graph_is_not_materialised():
    net = build(n=10**6, kind="complete")
    assert net.is_complete and net.adjacency is None
    assert net.degree[0] == 10**6 - 1


def test_same_seed_same_graph_other_seed_other_graph():
    a, b, c = (
        build(seed=3, kind="watts_strogatz"),
        build(seed=3, kind="watts_strogatz"),
        build(seed=4, kind="watts_strogatz"),
    )
    assert (a.adjacency != b.adjacency).nnz == 0
    assert (a.adjacency != c.adjacency).nnz > 0


def test_edge_list_and_graphml_files(tmp_path: Path):
    graph = nx.karate_club_graph()
    edgelist = tmp_path / "club.csv"
    edgelist.write_text("".join(f"{u},{v}\n" for u, v in graph.edges()))
    graphml = tmp_path / "club.graphml"
    nx.write_graphml(graph, graphml)
    for path in (edgelist, graphml):
        net = build(n=34, kind="file", path=str(path))
        check_simple_undirected(net)
        assert net.adjacency.nnz == 2 * graph.number_of_edges()


def test_file_errors_name_the_file(tmp_path: Path):
    with pytest.raises(ScenarioError, match=re.escape("missing.csv: audience.network.path: no such file")):
        build(n=10, kind="file", path=str(tmp_path / "missing.csv"))
    small = tmp_path / "small.csv"
    small.write_text("0,1\n1,2\n")
    with pytest.raises(ScenarioError, match=re.escape("the file has 3 people but audience.size is 10")):
        build(n=10, kind="file", path=str(small))
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml><oops")
    with pytest.raises(ScenarioError, match=re.escape("broken.graphml: audience.network.path: cannot read the graph")):
        build(n=10, kind="file", path=str(broken))


@pytest.mark.parametrize(("n", "k", "seed"), [(2000, 4, 5), (3001, 5, 123456789)])
def test_stochastic_block_is_the_networkx_graph(n, k, seed):
    # the linear-time builder replays networkx's draws: same seed, same edges (the baselines stand)
    from communitysim.network import _from_networkx, stochastic_block_adjacency

    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    probs = [[0.01 if i == j else 0.0005 for j in range(k)] for i in range(k)]
    expected = _from_networkx(nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True), n)
    assert (stochastic_block_adjacency(sizes, probs, seed) != expected).nnz == 0


def test_scale_free_degrees_follow_networkx():
    # preferential attachment as networkx's: every newcomer ties to m distinct earlier people, and the
    # degree quantiles of 20,000 people (seed 1 for both) agree within 15% up to the 99th percentile
    m, n = 5, 20_000
    net = build(n=n, kind="barabasi_albert", mean_degree=2 * m)
    later = net.adjacency[m + 1 :].tocoo()
    earlier = later.col < later.row + m + 1
    assert np.array_equal(np.bincount(later.row[earlier], minlength=n - m - 1), np.full(n - m - 1, m))
    reference = np.array([d for _, d in nx.barabasi_albert_graph(n, m, seed=1).degree()])
    for q in (0.5, 0.9, 0.99):
        assert np.quantile(net.degree, q) == pytest.approx(np.quantile(reference, q), rel=0.15)


def test_files_are_read_like_networkx(tmp_path: Path):
    # comments, short lines and extra columns as networkx's read_edgelist; text ids in text order;
    # integer ids in numeric order (person i is id i); GraphML in any layout gives the same graph
    text = tmp_path / "names.txt"
    text.write_text("# people\nann bob\nbob  cy 0.5\n\ncy\ndan ann # friends\nbob ann\n")
    net = build(n=4, kind="file", path=str(text))
    assert sorted(map(tuple, np.argwhere(net.adjacency.toarray()))) == [(0, 1), (0, 3), (1, 0), (1, 2), (2, 1), (3, 0)]
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("0,10\n10,2\n2,1\n1,1\n")
    assert build(n=4, kind="file", path=str(numbers)).neighbours(3).tolist() == [0, 2]  # id 10 is person 3
    graph = nx.relabel_nodes(
        nx.les_miserables_graph(), {name: f"n{i}" for i, name in enumerate(nx.les_miserables_graph())}
    )
    adjacencies = []
    for pretty in (True, False):  # one element a line (read fast), or all on one line (networkx's reader)
        path = tmp_path / f"miserables_{pretty}.graphml"
        nx.write_graphml(graph, path, prettyprint=pretty, edge_id_from_attribute="weight")
        adjacencies.append(build(n=graph.number_of_nodes(), kind="file", path=str(path)).adjacency)
    commented = tmp_path / "commented.graphml"  # a tie commented out is no tie
    text = (tmp_path / "miserables_True.graphml").read_text()
    commented.write_text(text.replace("<edge ", '<!-- <edge source="n1" target="n70" /> -->\n<edge ', 1))
    adjacencies.append(build(n=graph.number_of_nodes(), kind="file", path=str(commented)).adjacency)
    assert (adjacencies[0] != adjacencies[1]).nnz == 0 and (adjacencies[0] != adjacencies[2]).nnz == 0
    assert adjacencies[0].nnz == 2 * graph.number_of_edges()


def test_graphml_is_read_from_its_bytes_in_every_common_layout(tmp_path: Path):
    # the byte-level reader takes one element a line or all on one line, edges with an id first,
    # integer, signed or text ids, and gives networkx's graph; a comment sends the file to networkx
    from communitysim.network import _from_networkx, _graphml_ends

    graph = nx.convert_node_labels_to_integers(nx.les_miserables_graph())
    expected = _from_networkx(graph, graph.number_of_nodes())
    variants = {
        "pretty": graph,
        "one_line": graph,
        "edge_ids": graph,
        "signed": nx.relabel_nodes(graph, {i: i - 5 for i in graph}),
        "text": nx.relabel_nodes(graph, {i: f"p{i:03d}" for i in graph}),
    }
    for name, variant in variants.items():
        path = tmp_path / f"{name}.graphml"
        nx.write_graphml(
            variant,
            path,
            prettyprint=name != "one_line",
            edge_id_from_attribute="weight" if name == "edge_ids" else None,
        )
        assert _graphml_ends(path) is not None, name
        net = build(n=graph.number_of_nodes(), kind="file", path=str(path))
        assert (net.adjacency != expected).nnz == 0, name
    text = (tmp_path / "edge_ids.graphml").read_text()  # Gephi's order: the id first
    id_first = re.sub(r'<edge source="(\d+)" target="(\d+)" id="(\d+)"', r'<edge id="\3" source="\1" target="\2"', text)
    (tmp_path / "id_first.graphml").write_text(id_first)
    assert id_first != text and _graphml_ends(tmp_path / "id_first.graphml") is not None
    net = build(n=graph.number_of_nodes(), kind="file", path=str(tmp_path / "id_first.graphml"))
    assert (net.adjacency != expected).nnz == 0
    text = (tmp_path / "pretty.graphml").read_text()
    (tmp_path / "commented.graphml").write_text(text.replace("<edge ", "<!-- no tie -->\n<edge ", 1))
    assert _graphml_ends(tmp_path / "commented.graphml") is None


def _build_cpu_s(params: dict, sizes: tuple[int, ...], tmp_path: Path, repeats: int) -> list[float]:
    """The best CPU time of ``repeats`` builds at each size, the sizes measured in turn (same load for both)."""
    by_size = {}
    for n in sizes:
        if params["kind"] == "file":  # a small world as an edge list or as GraphML
            path = tmp_path / f"ring_{n}{params.get('suffix', '.txt')}"
            ring = build(n=n, kind="watts_strogatz", mean_degree=10).adjacency.tocoo()
            pairs = np.column_stack([ring.row, ring.col])[ring.row < ring.col].tolist()
            if path.suffix == ".graphml":
                nodes = "".join(f'<node id="{i}"/>\n' for i in range(n))
                edges = "".join(f'<edge source="{a}" target="{b}"/>\n' for a, b in pairs)
                graph = f'<graph edgedefault="undirected">\n{nodes}{edges}</graph>'
                path.write_text(f'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n{graph}\n</graphml>\n')
            else:
                path.write_text("".join(f"{a} {b}\n" for a, b in pairs))
            by_size[n] = {"kind": "file", "path": str(path)}
        else:
            by_size[n] = params
    best = dict.fromkeys(sizes, float("inf"))
    for _ in range(repeats):  # CPU time, the best of a few: others sharing the machine only add to it
        for n in sizes:
            start = time.process_time()
            build(n=n, **by_size[n])
            best[n] = min(best[n], time.process_time() - start)
    return [best[n] for n in sizes]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "watts_strogatz", "mean_degree": 10},
        {"kind": "barabasi_albert", "mean_degree": 10},
        {"kind": "stochastic_block", "mean_degree": 8, "n_segments": 4, "share_within_segment": 0.85},
        {"kind": "complete"},
        {"kind": "file"},
        {"kind": "file", "suffix": ".graphml"},
    ],
    ids=lambda p: p.get("suffix", p["kind"]),
)
def test_build_time_grows_linearly(params, tmp_path: Path):
    # 10x the people costs at most 15x the time (quadratic would be 100x); 2 ms of slack for the
    # fixed costs that dominate the small graph. Best of 15 builds: under `make test`'s two workers the
    # other worker's memory traffic inflated one best-of-7 large build to 15.8x (CI, 2026-12-01)
    small, large = _build_cpu_s(params, (10_000, 100_000), tmp_path, 15)
    assert large <= 15 * small + 0.002
