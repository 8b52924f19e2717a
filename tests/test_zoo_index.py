"""The zoo's readable index (colorcnn_repro.zoo.index) and ``colorcnn zoo``: every file of the zoo indexed under
its tag, current or not, with the accuracy its profile's results hold."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from colorcnn_repro.cli import main
from colorcnn_repro.config import config_dict, config_key
from colorcnn_repro.methods import slug
from colorcnn_repro.paths import REPO_ROOT, zoo_root
from colorcnn_repro.profiles import PROFILES, get_config
from colorcnn_repro.store import run_dir, zoo_path
from colorcnn_repro.zoo import ZooEntry, find_entry, pretrained_config, publish, zoo_index
from colorcnn_repro.zoo.pretrained import dict_key


def by_tag(entries: list[ZooEntry], tag: str) -> ZooEntry:
    return next(e for e in entries if e.tag == tag and e.current)


def test_the_index_matches_the_zoo_folder_exactly() -> None:
    entries = zoo_index()
    assert sorted(Path(e.file).name for e in entries) == sorted(p.name for p in zoo_root().glob("*.pt"))
    for e in entries:
        weights = REPO_ROOT / e.file
        record = json.loads(weights.with_suffix(".json").read_text())
        assert weights.is_file() and weights.parent == zoo_root()
        assert record["stage"] == e.stage and e.config_key == dict_key(record["config"])
        assert weights.name == f"{slug(e.stage)}-{e.config_key}.pt"
    current = [e.tag for e in entries if e.current]
    assert len(current) == len(set(current)), "two zoo models claim to be what one profile loads"


def test_current_entries_are_what_load_pretrained_loads() -> None:
    for e in zoo_index():
        if e.current:
            assert e.profile is not None
            cfg = pretrained_config(e.stage, e.dataset, e.classifier, e.colors, e.profile)
            assert zoo_path(e.stage, cfg) == REPO_ROOT / e.file


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("stage", ["classifier", "colorcnn", "colorcnn+"])
def test_dict_key_of_a_stored_config_is_its_config_key(stage: str, profile: str) -> None:
    cfg = get_config(stage, profile, {"dataset": "tinyimagenet"})
    assert dict_key(json.loads(json.dumps(config_dict(cfg)))) == config_key(cfg)


def test_metrics_come_from_the_profiles_results() -> None:
    entries = zoo_index()
    clf = by_tag(entries, "classifier/cifar10/alexnet/cpu")
    assert clf.results is not None and clf.accuracy_by_bits == {}
    assert clf.accuracy == json.loads((REPO_ROOT / clf.results).read_text())["metrics"]["accuracy"]
    plus = by_tag(entries, "colorcnn+/cifar10/alexnet/cpu")
    assert plus.results is not None and plus.accuracy is None
    scores = json.loads((REPO_ROOT / plus.results).read_text())["methods"]["colorcnn+"]
    assert plus.accuracy_by_bits == {int(b): s["accuracy"] for b, s in scores.items()}
    c4 = by_tag(entries, "colorcnn/cifar10/alexnet/cpu/C=4")
    assert list(c4.accuracy_by_bits) == [2]  # a ColorCNN serves its own C only


def fake_run(stage: str, cfg) -> None:
    """A finished run of ``cfg`` (its weights are never read by the index)."""
    (run_dir(stage, cfg) / "model.pt").write_bytes(b"weights")


@pytest.fixture
def zoo(monkeypatch, tmp_path) -> Path:
    """An empty zoo folder, with runs and results under tmp_path."""
    monkeypatch.setenv("COLORCNN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("COLORCNN_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("COLORCNN_ZOO", str(tmp_path / "zoo"))
    return tmp_path / "zoo"


def test_older_configs_stay_listed_as_not_current(zoo: Path, tmp_path) -> None:
    current = get_config("colorcnn+", "smoke")
    fake_run("colorcnn+", current)
    publish("colorcnn+", current)
    assert json.loads(zoo_path("colorcnn+", current).with_suffix(".json").read_text())["profile"] == "smoke"
    # older smoke configs, their profile known from the zoo JSON ("recorded", as publish wrote it while the config
    # was current), from their recorded evaluation ("evaluated"), or not at all ("unknown")
    older = {"recorded": get_config("colorcnn+", "smoke", {"colorcnn_plus.epochs": 2}),
             "evaluated": get_config("colorcnn+", "smoke", {"colorcnn_plus.epochs": 3}),
             "unknown": get_config("colorcnn+", "smoke", {"colorcnn_plus.epochs": 4})}
    results = tmp_path / "evaluation.json"
    evaluated = replace(get_config("evaluate", "smoke"), colorcnn_plus=older["evaluated"], bits=(1, 2))
    results.write_text(json.dumps({"profile": "smoke", "config": config_dict(evaluated),
                                   "methods": {"colorcnn+": {"1": {"accuracy": 0.5}, "2": {"accuracy": 0.625}}}}))
    for name, cfg in older.items():
        fake_run("colorcnn+", cfg)
        record = zoo_path("colorcnn+", cfg).with_suffix(".json")
        publish("colorcnn+", cfg, results if name == "evaluated" else None)
        if name == "recorded":
            record.write_text(json.dumps({**json.loads(record.read_text()), "profile": "smoke"}))
    entries = {e.config_key: e for e in zoo_index(zoo)}
    now = entries[config_key(current)]
    assert now.current and now.tag == "colorcnn+/cifar10/alexnet/smoke"
    for name, cfg in older.items():
        e = entries[config_key(cfg)]
        assert not e.current
        assert e.tag == ("colorcnn+/cifar10/alexnet/?" if name == "unknown" else "colorcnn+/cifar10/alexnet/smoke")
    assert entries[config_key(older["evaluated"])].accuracy_by_bits == {1: 0.5, 2: 0.625}
    assert entries[config_key(older["evaluated"])].accuracy_text() == "1b:50.0 2b:62.5"
    assert [e.current for e in zoo_index(zoo)][0], "the current model comes first under its tag"


def test_a_broken_zoo_is_named(zoo: Path) -> None:
    cfg = get_config("classifier", "smoke")
    fake_run("classifier", cfg)
    weights = publish("classifier", cfg)
    renamed = weights.with_name("classifier-0123456789.pt")
    weights.rename(renamed)
    with pytest.raises(ValueError, match="without their config .* classifier-0123456789, classifier-"):
        zoo_index(zoo)
    weights.with_suffix(".json").rename(renamed.with_suffix(".json"))
    with pytest.raises(ValueError, match=f"must be named classifier-{config_key(cfg)}.pt"):
        zoo_index(zoo)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_colorcnn_zoo_lists_every_model(capsys) -> None:
    code, out, err = run(["zoo"], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["tag", "current", "key", "file", "accuracy", "%"]
    entries = zoo_index()
    for e in entries:
        row = next(line for line in lines if line.startswith(f"{e.tag} ") and e.config_key in line)
        assert row.split()[1:4] == ["yes" if e.current else "no", e.config_key, Path(e.file).name]
        assert row.endswith(e.accuracy_text())
    assert f"{len(entries)} models in colorcnn_repro/zoo" in out


def test_colorcnn_zoo_json(capsys) -> None:
    code, out, _ = run(["zoo", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps([asdict(e) for e in zoo_index()]))


def test_a_longer_trained_model_is_tagged_with_its_label_and_found_by_tag(zoo: Path) -> None:
    cfg = get_config("colorcnn+", "smoke", {"colorcnn_plus.epochs": 7})
    fake_run("colorcnn+", cfg)
    publish("colorcnn+", cfg, label="7-epochs", profile="smoke")
    entry = find_entry("colorcnn+/cifar10/alexnet/smoke/7-epochs", zoo)
    assert not entry.current and entry.config_key == config_key(cfg)
    with pytest.raises(KeyError, match="no zoo model tagged 'colorcnn\\+/nope'; tags: colorcnn\\+/cifar10/alexnet/"):
        find_entry("colorcnn+/nope", zoo)
