import re
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
