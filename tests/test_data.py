"""Data layer: every loader on tiny files written in the official formats, splits, roots and errors."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorcnn_repro.data import ImageArrays, MissingDataError, balanced_split, load_dataset
from colorcnn_repro.data.others import VOC_CLASSES
from colorcnn_repro.data.sample import SAMPLE_FILE, SampleDataWarning, write_sample
from colorcnn_repro.paths import data_root
from colorcnn_repro.profiles import get_config

REPO = Path(__file__).resolve().parents[1]


def pattern(index: int, size: int) -> np.ndarray:
    """An HWC image telling rows, columns and the image apart: R=index, G=row, B=2*column."""
    rows, cols = np.mgrid[:size, :size]
    return np.stack([np.full((size, size), index), rows, 2 * cols], axis=-1).astype(np.uint8)


def dump(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(obj, protocol=2))


def cifar_batch(first: int, labels: list[int], label_key: str) -> dict:
    images = [pattern(first + i, 32) for i in range(len(labels))]
    data = np.stack([im.transpose(2, 0, 1).reshape(-1) for im in images])
    return {"batch_label": "b", label_key: labels, "data": data, "filenames": [f"{i}.png" for i in labels]}


@pytest.fixture
def cifar10_root(tmp_path: Path) -> Path:
    """cifar-10-batches-py with 5 × 4 training images (2 per class) and 10 test images."""
    folder = tmp_path / "cifar-10-batches-py"
    for b in range(5):
        labels = [(4 * b + i) % 10 for i in range(4)]
        dump(folder / f"data_batch_{b + 1}", cifar_batch(4 * b, labels, "labels"))
    dump(folder / "test_batch", cifar_batch(100, list(range(10)), "labels"))
    dump(folder / "batches.meta", {"label_names": [f"c{i}" for i in range(10)], "num_vis": 3072})
    return tmp_path


def save_jpeg(
    path: Path, color: tuple[int, int, int], size: tuple[int, int] = (64, 64), mode: str = "RGB"
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).convert(mode).save(path)


def test_cifar10_official_pickles_round_trip(cifar10_root: Path) -> None:
    test = load_dataset("cifar10", "test", root=cifar10_root)
    assert test.images.shape == (10, 32, 32, 3) and test.images.dtype == np.uint8
    assert test.labels.dtype == np.int64 and test.labels.tolist() == list(range(10))
    assert test.classes == [f"c{i}" for i in range(10)]
    np.testing.assert_array_equal(test.images[3], pattern(103, 32))
    train = load_dataset("cifar10", "train", root=cifar10_root, val_size=0)
    assert len(train) == 20
    np.testing.assert_array_equal(train.images[17], pattern(17, 32))


def test_cifar10_val_is_seeded_balanced_and_disjoint(cifar10_root: Path) -> None:
    def ids(split: str, seed: int = 0) -> list[int]:
        data = load_dataset("cifar10", split, root=cifar10_root, val_size=10, seed=seed)
        return data.images[:, 0, 0, 0].tolist()  # R channel = original index

    val, train = ids("val"), ids("train")
    assert len(val) == 10 and len(train) == 10 and not set(val) & set(train)
    assert sorted(val + train) == list(range(20))
    assert sorted(i % 10 for i in val) == list(range(10))  # one per class
    assert ids("val") == val and ids("val", seed=1) != val


def test_cifar10_prefers_npz_for_train_and_still_needs_batches_for_test(tmp_path: Path) -> None:
    npz = tmp_path / "cifar10" / "train.npz"
    npz.parent.mkdir()
    images = np.stack([pattern(i, 32) for i in range(30)])
    np.savez(npz, images=images, labels=np.arange(30) % 10, classes=np.array([f"k{i}" for i in range(10)]))
    train = load_dataset("cifar10", "train", root=tmp_path, val_size=10)
    assert len(train) == 20 and train.classes[0] == "k0"
    with pytest.raises(MissingDataError) as err:
        load_dataset("cifar10", "test", root=tmp_path)
    message = str(err.value)
    assert str(tmp_path / "cifar-10-batches-py") in message and "test_batch" in message
    assert "train.npz" in message and "download=True" in message


def test_cifar100_fine_labels(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-100-python"
    fine = [i % 100 for i in range(200)]
    dump(folder / "train", {**cifar_batch(0, fine, "fine_labels"), "coarse_labels": [i % 20 for i in fine]})
    dump(folder / "test", {**cifar_batch(0, fine[:100], "fine_labels"), "coarse_labels": [0] * 100})
    dump(folder / "meta", {"fine_label_names": [f"f{i}" for i in range(100)], "coarse_label_names": []})
    test = load_dataset("cifar100", "test", root=tmp_path)
    assert len(test) == 100 and test.classes[99] == "f99" and test.labels[42] == 42
    val = load_dataset("cifar100", "val", root=tmp_path, val_size=100)
    assert np.bincount(val.labels).tolist() == [1] * 100


def test_stl10_column_major_binary(tmp_path: Path) -> None:
    folder = tmp_path / "stl10_binary"
    folder.mkdir()
    for part, count in (("train", 20), ("test", 10)):
        images = np.stack([pattern(i, 96) for i in range(count)])
        images.transpose(0, 3, 2, 1).tofile(folder / f"{part}_X.bin")  # per image: channel, column, row
        (np.arange(count) % 10 + 1).astype(np.uint8).tofile(folder / f"{part}_y.bin")
    (folder / "class_names.txt").write_text("\n".join(f"s{i}" for i in range(10)) + "\n")
    test = load_dataset("stl10", "test", root=tmp_path)
    assert test.images.shape == (10, 96, 96, 3) and test.labels.tolist() == list(range(10))
    np.testing.assert_array_equal(test.images[7], pattern(7, 96))
    assert test.classes == [f"s{i}" for i in range(10)]
    assert len(load_dataset("stl10", "val", root=tmp_path, val_size=10)) == 10


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    """Official Tiny-ImageNet layout, 3 wnids listed out of sorted order, 4 train + 2 val images each."""
    folder = tmp_path / "tiny-imagenet-200"
    wnids = ["n03", "n01", "n02"]
    folder.mkdir()
    (folder / "wnids.txt").write_text("\n".join(wnids) + "\n")
    (folder / "words.txt").write_text("n01\tone\nn02\ttwo\nn03\tthree\nn04\tfour\n")
    annotations = []
    for label, wnid in enumerate(wnids):
        color = (80 * label, 200, 40)
        for k in range(4):
            mode = "L" if k == 0 else "RGB"  # one grayscale JPEG, as in the official set
            save_jpeg(folder / "train" / wnid / "images" / f"{wnid}_{k}.JPEG", color, mode=mode)
        (folder / "train" / wnid / f"{wnid}_boxes.txt").write_text("")
        for k in range(2):
            name = f"val_{2 * label + k}.JPEG"
            save_jpeg(folder / "val" / "images" / name, color)
            annotations.append(f"{name}\t{wnid}\t0\t0\t63\t63")
    annotations.append("val_99.JPEG\tn04\t0\t0\t63\t63")  # a wnid outside wnids.txt is skipped
    (folder / "val" / "val_annotations.txt").write_text("\n".join(annotations) + "\n")
    return tmp_path


def test_tinyimagenet_official_layout(tiny_root: Path) -> None:
    test = load_dataset("tinyimagenet", "test", root=tiny_root)
    assert test.classes == ["n03", "n01", "n02"]
    assert test.images.shape == (6, 64, 64, 3) and test.labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert abs(int(test.images[2, 5, 5, 0]) - 80) < 8  # wnids.txt order, not sorted order
    train = load_dataset("tinyimagenet", "train", root=tiny_root, val_size=3)
    val = load_dataset("tinyimagenet", "val", root=tiny_root, val_size=3)
    assert len(train) == 9 and np.bincount(val.labels).tolist() == [1, 1, 1]
    small = load_dataset(
        "tinyimagenet", "train", root=tiny_root / "tiny-imagenet-200", val_size=3, limit=3, image_size=32
    )
    assert small.images.shape == (3, 32, 32, 3) and sorted(small.labels.tolist()) == [0, 1, 2]


def voc_xml(objects: list[tuple[str, int]]) -> str:
    body = "".join(
        f"<object><name>{name}</name><difficult>{difficult}</difficult>"
        f"<part><name>head</name></part></object>"
        for name, difficult in objects
    )
    return f"<annotation><filename>x.jpg</filename>{body}</annotation>"


def test_voc2012_multi_hot(tmp_path: Path) -> None:
    folder = tmp_path / "VOCdevkit" / "VOC2012"
    objects = {
        "2008_000001": [("person", 0), ("dog", 0), ("person", 0)],
        "2008_000002": [("aeroplane", 0)],
        "2008_000003": [("tvmonitor", 1), ("cat", 0)],
    }
    for image_id, objs in objects.items():
        save_jpeg(folder / "JPEGImages" / f"{image_id}.jpg", (10, 20, 30), size=(50, 37))
        (folder / "Annotations").mkdir(exist_ok=True)
        (folder / "Annotations" / f"{image_id}.xml").write_text(voc_xml(objs))
    (folder / "ImageSets" / "Main").mkdir(parents=True)
    (folder / "ImageSets" / "Main" / "train.txt").write_text("2008_000001\n2008_000002\n")
    (folder / "ImageSets" / "Main" / "val.txt").write_text("2008_000003\n")
    train = load_dataset("voc2012", "train", root=tmp_path)
    assert train.multilabel and train.classes == VOC_CLASSES and len(VOC_CLASSES) == 20
    assert train.images.shape == (2, 224, 224, 3) and train.labels.dtype == np.float32
    assert [VOC_CLASSES[i] for i in np.flatnonzero(train.labels[0])] == ["dog", "person"]
    assert np.flatnonzero(train.labels[1]).tolist() == [0]
    for split in ("val", "test"):  # test is the official val set
        data = load_dataset("voc2012", split, root=tmp_path, image_size=16)
        assert data.images.shape == (1, 16, 16, 3) and data.split == split
        names = [VOC_CLASSES[i] for i in np.flatnonzero(data.labels[0])]
        assert names == ["cat", "tvmonitor"]  # the difficult tvmonitor counts


def test_folder_layouts(tmp_path: Path) -> None:
    for split, count in (("train", 3), ("val", 1)):
        for label, name in enumerate(["bee", "ant"]):
            for k in range(count):
                save_jpeg(tmp_path / "split" / split / name / f"{k}.png", (label * 100, 0, 0), size=(8, 8))
    val = load_dataset("folder", "val", root=tmp_path / "split")
    assert val.classes == ["ant", "bee"] and val.labels.tolist() == [0, 1]
    assert val.images[1, 0, 0, 0] == 0 and val.images[0, 0, 0, 0] == 100
    assert len(load_dataset("folder", "train", root=tmp_path / "split")) == 6
    with pytest.raises(MissingDataError, match="test"):
        load_dataset("folder", "test", root=tmp_path / "split")

    flat = tmp_path / "flat"
    for k in range(10):
        save_jpeg(flat / f"c{k % 2}" / f"{k}.jpg", (0, 0, 0), size=(8 + k, 8))
    with pytest.raises(ValueError, match="image_size"):
        load_dataset("folder", "train", root=flat)
    train = load_dataset("folder", "train", root=flat, image_size=12, val_size=2)
    val = load_dataset("folder", "val", root=flat, image_size=12, val_size=2)
    assert train.images.shape == (8, 12, 12, 3) and val.labels.tolist() == [0, 1]


def test_npz_file(tmp_path: Path) -> None:
    path = tmp_path / "set.npz"
    np.savez(path, images=np.stack([pattern(i, 8) for i in range(20)]), labels=np.arange(20) % 4)
    test = load_dataset("npz", "test", root=path)
    assert len(test) == 20 and test.classes == ["0", "1", "2", "3"]
    assert len(load_dataset("npz", "val", root=path)) == 2
    assert len(load_dataset("npz", "train", root=path)) == 18
    with pytest.raises(MissingDataError, match=str(tmp_path / "none.npz")):
        load_dataset("npz", root=tmp_path / "none.npz")
    empty = tmp_path / "empty.npz"
    np.savez(empty, images=np.zeros((0, 8, 8, 3), np.uint8), labels=np.zeros(0, np.int64))
    with pytest.raises(ValueError, match=r"empty\.npz holds no images \(images \(0, 8, 8, 3\), labels \(0,\)\)"):
        load_dataset("npz", "test", root=empty)
    uneven = tmp_path / "uneven.npz"
    np.savez(uneven, images=np.zeros((10, 8, 8, 3), np.uint8), labels=np.zeros(5, np.int64))
    with pytest.raises(ValueError, match=r"uneven\.npz holds 10 images but 5 labels; accepted: one label per image"):
        load_dataset("npz", "test", root=uneven)


def test_root_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLORCNN_DATA", raising=False)
    assert data_root() == REPO / "data"
    monkeypatch.setenv("COLORCNN_DATA", str(tmp_path))
    assert data_root() == tmp_path
    assert data_root(tmp_path / "x") == tmp_path / "x"
    with pytest.raises(MissingDataError) as err:
        load_dataset("cifar100")
    message = str(err.value)
    assert str(tmp_path / "cifar-100-python") in message and "meta" in message
    assert "download=True" in message and "README.md" in message
    assert isinstance(err.value, FileNotFoundError)


def test_unknown_names() -> None:
    with pytest.raises(ValueError, match="cifar10.*tinyimagenet.*npz"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="train, val, test"):
        load_dataset("cifar10", "dev")


def test_balanced_split_and_image_arrays() -> None:
    labels = np.array([0] * 10 + [1] * 3 + [2] * 7)
    rest, chosen = balanced_split(labels, 9, seed=3)
    assert np.bincount(labels[chosen]).tolist() == [3, 3, 3]
    assert sorted(rest.tolist() + chosen.tolist()) == list(range(20))
    rest, chosen = balanced_split(labels, 12, seed=3)
    assert np.bincount(labels[chosen]).tolist() in ([5, 3, 4], [4, 3, 5])
    data = ImageArrays(np.zeros((20, 4, 5, 3), np.uint8), labels, ["a", "b", "c"], "toy", "train")
    part = data.subset(chosen)
    assert len(part) == 12 and part.describe() == {
        "name": "toy", "split": "train", "count": 12, "image_size": [4, 5], "num_classes": 3,
        "multilabel": False,
    }
    with pytest.raises(ValueError):
        ImageArrays(np.zeros((2, 4, 4, 3), np.uint8), np.zeros(3, np.int64), ["a"], "toy", "train")


def test_real_cifar10_val_and_tinyimagenet_subset(cifar10_data: Path, tinyimagenet_data: Path) -> None:
    val = load_dataset("cifar10", "val", root=cifar10_data)
    assert val.images.shape == (5000, 32, 32, 3) and np.bincount(val.labels).tolist() == [500] * 10
    tiny = load_dataset("tinyimagenet", "test", root=tinyimagenet_data / "tiny-imagenet-200-subset20")
    assert tiny.images.shape == (1000, 64, 64, 3) and len(tiny.classes) == 20
    assert np.bincount(tiny.labels).tolist() == [50] * 20
    tiny_val = load_dataset("tinyimagenet", "val", root=tinyimagenet_data)  # default: 10 per class
    assert tiny_val.classes == tiny.classes and np.bincount(tiny_val.labels).tolist() == [10] * 20


def profile_split(profile: str, split: str, root: Path) -> ImageArrays:
    """``split`` as ``profile`` loads it: its training limit for ``train``, its evaluation limit otherwise."""
    ev = get_config("evaluate", profile)
    limit = ev.classifier.data.limit_train if split == "train" else ev.limit
    return load_dataset(ev.classifier.data.dataset, split, root, limit=limit, seed=ev.classifier.data.seed)


def test_shipped_sample_is_small_and_balanced() -> None:
    assert SAMPLE_FILE.stat().st_size < 3_000_000
    with np.load(SAMPLE_FILE) as sample:
        assert sample["images"].shape == (500, 32, 32, 3) and sample["images"].dtype == np.uint8
        assert np.bincount(sample["labels"]).tolist() == [50] * 10 and len(sample["classes"]) == 10
        assert len(set(sample["source_indices"].tolist())) == 500


def test_smoke_profile_uses_the_sample_when_cifar10_is_missing_and_says_so(tmp_path: Path) -> None:
    with pytest.warns(SampleDataWarning, match=f"not found under {tmp_path}.*sample shipped"):
        train = profile_split("smoke", "train", tmp_path)
    with pytest.warns(SampleDataWarning, match="100 val images"):
        val = profile_split("smoke", "val", tmp_path)
    assert len(train) == 256 and len(val) == 100 and np.bincount(val.labels).tolist() == [10] * 10
    assert not {im.tobytes() for im in train.images} & {im.tobytes() for im in val.images}
    with pytest.warns(SampleDataWarning, match="400 train images"):
        every_train = load_dataset("cifar10", "train", tmp_path, limit=400)
    assert len(every_train) == 400 and not {im.tobytes() for im in every_train.images} & {
        im.tobytes() for im in val.images}


@pytest.mark.parametrize(("profile", "split"), [("cpu", "train"), ("cpu", "val"), ("paper", "train"),
                                                ("paper", "val"), ("smoke", "test")])
def test_full_profiles_never_use_the_sample(tmp_path: Path, profile: str, split: str) -> None:
    with pytest.raises(MissingDataError, match=str(tmp_path / "cifar-10-batches-py")):
        profile_split(profile, split, tmp_path)


def test_sample_refuses_more_images_than_it_holds(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match="holds 400 train images, not 401 train images"):
        load_dataset("cifar10", "train", tmp_path, limit=401)


def test_sample_is_the_official_images(tmp_path: Path, cifar10_data: Path) -> None:
    with np.load(cifar10_data / "cifar10" / "train.npz") as official, np.load(SAMPLE_FILE) as sample:
        picked = sample["source_indices"]
        np.testing.assert_array_equal(sample["images"], official["images"][picked])
        np.testing.assert_array_equal(sample["labels"], official["labels"][picked])
        with np.load(write_sample(cifar10_data / "cifar10" / "train.npz", tmp_path / "again.npz")) as again:
            np.testing.assert_array_equal(again["source_indices"], picked)


def test_load_split_limit_given_wins_over_limit_train(cifar10_data: Path) -> None:
    """Training reads ``limit_train`` images; an evaluation of the training split asks for its own number."""
    from colorcnn_repro.training.loops import load_split

    data = get_config("classifier", "smoke", {"limit_train": 60}).data
    assert len(load_split(data, "train", cifar10_data)) == 60
    subset = load_split(data, "train", cifar10_data, 20)
    assert len(subset) == 20 and np.bincount(subset.labels, minlength=10).tolist() == [2] * 10
