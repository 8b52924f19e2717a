"""The scorecard's rows, section by section of the paper's Sec. 4 (:func:`build_rows`)."""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from ...methods import LEARNED
from ...names import CLASSIFIER_NAMES, DATASET_NAMES
from ...paper_numbers import (
    BITS,
    BOTTLENECK_DELTAS,
    CLASSIFIERS,
    DATASETS,
    JPEG_CLAIMS,
    STYLE14_GAIN_1BIT,
    TABLE1,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLE4_DEFAULT,
    TABLE5,
    TINY200_MEDIANCUT_1BIT,
)
from ...results import Scores, classifier_accuracy
from .effects import Comparison, Measure, at, bits_in, effect_row, mean_at, reference_label, sign, study_setup
from .entries import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    LARGE_BITS,
    MAIN_METHODS,
    NOT_STATED,
    SMALL_BITS,
    TABLE4_LABELS,
    TABLE4_ROWS,
    TABLE4_SETUP,
    TABLE5_BITS,
    TABLE5_LABELS,
    TABLE5_SETUP,
    UNMEASURABLE,
    Entry,
    Row,
)
from .load import STUDIES, Found
from .rules import (
    T4_SETUP,
    WILSON_TEST,
    above,
    absent,
    accuracy,
    bit_key,
    cell,
    claim_fidelity,
    claim_jpeg,
    claim_plus_bits,
    claim_rate_and_accuracy,
    claims_dither,
    claims_large,
    claims_lower_rate,
    claims_plus_curve,
    claims_readings,
    claims_small,
    count,
    evaluation_setup,
    metric,
    name,
    number_row,
    setup_name,
    t4,
    table4_flags,
)

# ------------------------------------------------------------------------------------------ Sec. 4.1

#: The protocol of the paper's Table 1: the official test set, classifiers trained 60 epochs (Sec. 4.1).
TABLE1_PROTOCOL = ("test", 60)


def numbers_table1(classifiers: dict[tuple[str, str], Found]) -> list[Entry]:
    """Table 1 (Sec. 4.1): classifier accuracy on original images, every dataset and classifier."""
    out = []
    for (ds, clf), paper in TABLE1.items():
        found = classifiers.get((ds, clf))
        item, paper_setup = f"Table 1: {CLASSIFIER_NAMES[clf]} on {DATASET_NAMES[ds]}", setup_name(ds, clf)
        if found is None:
            out.append(absent(item, "Sec. 4.1, Table 1", paper, paper_setup,
                              f"no classifier-{ds}-{clf}-*.json in the results"))
            continue
        data = found.data.get("data", {})
        split, epochs = data.get("split"), found.data.get("config", {}).get("epochs")
        setup = setup_name(ds, clf, data.get("num_classes"))
        if (split, epochs) != TABLE1_PROTOCOL:  # another split or schedule is another setup, like another dataset
            setup += f" ({split} split, {epochs} epochs; the paper: test set, {TABLE1_PROTOCOL[1]})"
        out.append(number_row(item, "Sec. 4.1, Table 1", paper, paper_setup, setup,
                              100 * classifier_accuracy(found.data), data.get("count"), found.name, ""))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.2

QUALITATIVE = "a visual judgement on example images; the paper gives no measure and none is stored here"


def qualitative(item: str, source: str) -> Entry:
    return absent(item, source, None, NOT_STATED, QUALITATIVE, "claim")


def numbers_fig12(evaluations: dict[tuple[str, str], Found]) -> list[Entry]:
    """Fig. 12's printed panel (CIFAR100 · ResNet18 = Table 4's main rows), our other panels (drawn, not
    printed, in the paper), and the paper's panels with no result here."""
    ev = evaluations.get(TABLE4_SETUP)
    setup = None if ev is None else evaluation_setup(TABLE4_SETUP, ev)
    out = []
    for method in MAIN_METHODS:
        key = TABLE4_ROWS.get(method, method)
        paper = {bit_key(b): t4(key, b) for b in BITS}
        ours = None if ev is None else {bit_key(b): accuracy(ev.data, method, b) for b in BITS}
        out.append(number_row(f"{name(method)}, 1–6 bits", "Sec. 4.2.2, Fig. 12 = Table 4", paper, T4_SETUP, setup,
                              ours, None if ev is None else count(ev.data), None if ev is None else ev.name,
                              f"no {T4_SETUP} evaluation with {name(method)} at 1–6 bits in the results",
                              table4_flags((key, b) for b in BITS)))
    for pair, found in sorted(evaluations.items()):
        if pair != TABLE4_SETUP:
            here = evaluation_setup(pair, found)
            out.append(Entry("number", "ColorCNN+, 1–6 bits", f"Sec. 4.2.2, Fig. 12, {here} panel", here, None,
                             {bit_key(b): accuracy(found.data, "colorcnn+", b) for b in BITS}, None, None,
                             UNMEASURABLE, "the paper draws this panel without printing its values; the claims test "
                             "its shape", found.name, here))
    have = {setup_name(*k) for k, f in evaluations.items() if evaluation_setup(k, f) == setup_name(*k)}
    missing = [setup_name(d, c) for c in CLASSIFIERS for d in DATASETS if setup_name(d, c) not in have]
    if missing:
        out.append(absent(f"Fig. 12 panels without a result here ({len(missing)} of 12)", "Sec. 4.2.2, Fig. 12", None,
                          ", ".join(missing), "no evaluation of these dataset · classifier pairs (at the paper's "
                          "class count) in the results", "claim"))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.3

def data_study_reason(found: dict[tuple[str, str], Found], study: str, data: str) -> str:
    """Why a Table 2/3 row is not measurable: no result, a synthetic-data result, or a result not scored."""
    if not found:
        return f"no {study} study result ({data}) in the results"
    f = next(iter(found.values()))
    if f.data.get("synthetic"):
        return f"{f.name} ran on synthetic smoke data, not {data}"
    return f"{f.name} exists but the scorecard does not score {study} results yet"


def rows_table2(found: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.1, Table 2: Pascal VOC 2012, ResNet18 multi-label classifier."""
    why, setup, src = data_study_reason(found, "multilabel_voc", "Pascal VOC 2012"), "VOC2012 · ResNet18", \
        "Sec. 4.3.1, Table 2"
    out = [absent("Table 2: original images, exact-match accuracy / mAP", src, dict(TABLE2["original"]), setup, why)]
    out += [absent(f"Table 2: {name(m)} {metric_}, 1–6 bits", src,
                   {bit_key(b): v for b, v in TABLE2[metric_][m].items()}, setup, why)
            for metric_ in ("accuracy", "mAP") for m in ("mediancut", "colorcnn+")]
    out += [absent("ColorCNN+ above MedianCut in exact-match accuracy at most sizes", src, None, setup, why, "claim"),
             absent("ColorCNN+ mAP competitive, slightly below MedianCut at large sizes", src, None, setup, why,
                    "claim"),
             qualitative("multi-label classifiers keep coarse shapes, drop fine details", "Sec. 4.3.1, 4.3.3, Fig. 13")]
    return out


def rows_table3(found: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.2, Table 3: Style14, ResNet18."""
    why, setup, src = data_study_reason(found, "stylized", "Style14"), "Style14 · ResNet18", "Sec. 4.3.2, Table 3"
    return [absent("Table 3: original (stylized) images", src, TABLE3["original"], setup, why),
            *(absent(f"Table 3: {name(m)}, 1–6 bits", src, {bit_key(b): v for b, v in TABLE3[m].items()}, setup, why)
              for m in ("mediancut", "colorcnn+")),
            absent("ColorCNN+ − MedianCut on Style14, 1 bit", src, STYLE14_GAIN_1BIT, setup, why, "claim"),
            qualitative("ColorCNN+ keeps shapes and textures of stylized images", "Sec. 4.3.2, Fig. 14")]


def rows_tiny200(evaluations: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.3.6: on Tiny200 at 1 bit, stronger classifiers recognise MedianCut images worse."""
    out: list[Entry] = []
    points: list[tuple[float, int]] = []
    for clf, paper in TINY200_MEDIANCUT_1BIT.items():
        ev, paper_setup = evaluations.get(("tinyimagenet", clf)), setup_name("tinyimagenet", clf)
        here = None if ev is None else evaluation_setup(("tinyimagenet", clf), ev)
        ours = None if ev is None else accuracy(ev.data, "mediancut", 1)
        out.append(number_row(f"Tiny200 · {CLASSIFIER_NAMES[clf]}: MedianCut, 1 bit", "Sec. 4.3.6, Fig. 12", paper,
                              paper_setup, here, ours, None if ev is None else count(ev.data),
                              None if ev is None else ev.name, f"no {paper_setup} evaluation in the results"))
        if ev is not None and here == paper_setup and ours is not None and (n := count(ev.data)):
            points.append((ours / 100, n))
    item = "stronger classifier, lower 1-bit accuracy on Tiny200 (AlexNet > VGG16 > ResNet18)"
    src = "Sec. 4.3.6, Fig. 12"
    if len(points) < len(TINY200_MEDIANCUT_1BIT):
        out.append(absent(item, src, None, "Tiny200 · AlexNet, VGG16, ResNet18",
                          f"needs all three Tiny200 (200 classes) evaluations; {len(points)} here", "claim"))
        return out
    ok = all(above(*a, *b) for a, b in zip(points, points[1:]))
    out.append(Entry("claim", item, src, "Tiny200", None, None, None, WILSON_TEST, HOLDS if ok else FAILS,
                     "each interval above the next" if ok else "not each interval above the next", None, "Tiny200"))
    return out


#: Table 4's ColorCNN+ rows in the order of λ (0, 1, 3, 10).
LAMBDA_KEYS = ("colorcnn+ lambda=0", "colorcnn+ lambda=1", TABLE4_DEFAULT, "colorcnn+ lambda=10")


def lambda_steps(bits: Sequence[int], expect: str) -> list[Comparison]:
    """Each step up in λ (0→1→3→10) at each of ``bits``, with the paper's Table 4 effect."""
    return [Comparison(f"{bit_key(b)} {TABLE4_LABELS[lo]}→{TABLE4_LABELS[hi][2:]}", TABLE4_LABELS[hi],
                       TABLE4_LABELS[lo], at("colorcnn+", b), t4(hi, b) - t4(lo, b), expect)
            for b in bits for lo, hi in itertools.pairwise(LAMBDA_KEYS)]


def claims_lambda(study: Found | None) -> list[Entry]:
    """Sec. 4.3.5: raising λ lowers accuracy at 1–2 bits and consistently raises it at 5–6 bits."""
    out = []
    for wanted, expect, what in ((SMALL_BITS, "down", "lowers accuracy at 1 and 2 bits"),
                                 (LARGE_BITS, "up", "raises accuracy at 5 and 6 bits")):
        bits = bits_in(study, wanted)
        comparisons = lambda_steps(bits, expect)
        cells = [(k, b) for b in bits for k in TABLE4 if k.startswith("colorcnn+ lambda")]
        out.append(effect_row(f"ColorCNN+: each step up in λ (0→1→3→10) {what} (points)", "Sec. 4.3.5, Table 4", study,
                              comparisons, T4_SETUP, "variants_lambda", "claim", table4_flags(cells)))
    others = ("colorcnn+ lambda=0", "colorcnn+ lambda=1", "colorcnn+ lambda=10")
    every = bits_in(study, BITS)
    out.append(effect_row(
        "ColorCNN+: λ = 3, the intermediate choice, is not below λ = 0, 1 or 10 in accuracy over 1–6 bits "
        "(λ=3 − other, mean over sizes, points)", "Sec. 4.3.5, Table 4", study,
        [Comparison(f"λ=3 − {TABLE4_LABELS[k]}", "λ=3", TABLE4_LABELS[k], mean_at("colorcnn+", every),
                    sum(t4(TABLE4_DEFAULT, b) - t4(k, b) for b in every) / len(every), "not down") for k in others],
        T4_SETUP, "variants_lambda", "claim", table4_flags((k, b) for k in (*others, TABLE4_DEFAULT) for b in every)))
    out.append(effect_row(
        "ColorCNN+: a larger λ is more visually faithful: each step up in λ (0→1→3→10) lowers the pixel error, "
        "mean over 1–6 bits (mean squared error per pixel and channel, 0–255 scale)", "Sec. 4.3.5, Fig. 15", study,
        [Comparison(f"{TABLE4_LABELS[lo]}→{TABLE4_LABELS[hi][2:]}", TABLE4_LABELS[hi], TABLE4_LABELS[lo],
                    mean_at("colorcnn+", every, "mse"), None, "down") for lo, hi in itertools.pairwise(LAMBDA_KEYS)],
        "not stated (Fig. 15 shows example images)", "variants_lambda", "claim"))
    return out


# ------------------------------------------------------------------------------------------ Sec. 4.4

#: The attack the adversarial rows are judged at: L∞ PGD of strength 8/255 (the usual CIFAR budget) on the
#: classifier alone, the quantizer applied after it (a defense the attacker does not see).
DEFENSE_ATTACK, DEFENSE_EPS = "pgd", "8"


def claims_adversarial(found: dict[tuple[str, str], Found]) -> list[Entry]:
    """Sec. 4.4: ColorCNNs help defend against adversarial attacks. The paper's protocol is in its appendix, which
    the text here lacks; each learned method is judged at :data:`DEFENSE_ATTACK` ε = :data:`DEFENSE_EPS`/255 on
    the classifier, quantized after the attack, at every colour count evaluated, against the undefended
    classifier under the same attack on the same images: holds when every count is above it with disjoint 95 %
    Wilson intervals (per-image results are not stored), does not hold when one is below it so, else
    inconclusive. An attacker who differentiates through the quantizer is not the paper's claim (notebook 08)."""
    item = "{} − undefended classifier under PGD ε = 8/255 on the classifier, quantized after it, per C (points)"
    source = "Sec. 4.4 (evidence in the paper's appendix, not in its text)"
    if not found:
        return [absent(item.format(name(m)), source, None, NOT_STATED, "no adversarial result in the results", "claim")
                for m in LEARNED]
    key, adv = sorted(found.items())[0]
    n = adv.data["data"]["count"]
    attacked = adv.data["attack_then_quantize"][DEFENSE_ATTACK][DEFENSE_EPS]
    none = attacked["none"]
    out = []
    for m in LEARNED:
        per = {f"C={c}": acc for c, acc in sorted(attacked.get(m, {}).items(), key=lambda x: int(x[0]))}
        ours = {k: 100 * (acc - none) for k, acc in per.items()}
        test = f"95 % Wilson intervals disjoint (unpaired; n = {n}; undefended {100 * none:.1f} %)"
        up = [k for k, acc in per.items() if above(acc, n, none, n)]
        down = [k for k, acc in per.items() if above(none, n, acc, n)]
        verdict = (UNMEASURABLE if not per else FAILS if down else HOLDS if len(up) == len(per) else INCONCLUSIVE)
        reason = ("no learned result in the adversarial study" if not per else
                  f"significantly below the undefended classifier at {', '.join(down)}" if down else
                  f"significantly above it at {', '.join(up) or 'no C'} of {', '.join(per)}")
        out.append(Entry("claim", item.format(name(m)), source, evaluation_setup(key, adv), None, ours, None, test,
                         verdict, reason, adv.name, NOT_STATED))
    return out


def claims_applications(ev: Found, setup: str) -> list[Entry]:
    return [*claim_rate_and_accuracy(ev, setup), *claims_lower_rate(ev, setup), *claims_plus_curve(ev, setup),
            *(claim_jpeg(ev, setup, m) for m in (*JPEG_CLAIMS, "mediancut")), claim_plus_bits(ev, setup)]


# ------------------------------------------------------------------------------------------ Sec. 4.5

T5_SETUP = setup_name(*TABLE5_SETUP)


def rows_table5(study: Found | None) -> list[Entry]:
    """Sec. 4.5.1, Table 5 (3 bits): the reference row's numbers, and each variant's effects against it."""
    out: list[Entry] = []
    what = {"accuracy": "accuracy (points)", "colors_used": "colours per image", "bpp": "bpp"}
    ref = None if study is None else study.data.get("variants", {}).get(TABLE5_LABELS["colorcnn"])
    here = None if study is None else setup_name(*study_setup(study))
    missing = "no colorcnn_ablation study in the results" if study is None else "the study lacks ColorCNN"
    for key, label in what.items():
        ours = None if ref is None else metric(ref, "colorcnn", TABLE5_BITS, key)
        n = count(ref) if ref is not None and key == "accuracy" else None
        out.append(number_row(f"Table 5: ColorCNN, {label}", "Sec. 4.5.1, Table 5", TABLE5["colorcnn"][key], T5_SETUP,
                              here, ours, n, None if study is None else study.name, missing))
    for variant in ("colorcnn w/o regularization", "colorcnn w/o color jitter"):
        for key, label in what.items():
            paper = TABLE5[variant][key] - TABLE5["colorcnn"][key]
            note = " (the paper's bpp is in its own unit: only the direction compares)" if key == "bpp" else ""
            effect = Comparison("", TABLE5_LABELS[variant], TABLE5_LABELS["colorcnn"], at("colorcnn", TABLE5_BITS, key),
                                paper, sign(paper))
            out.append(effect_row(f"Table 5: {TABLE5_LABELS[variant]} − ColorCNN, {label}",
                                  "Sec. 4.5.1, Table 5" + note, study, [effect], T5_SETUP, "colorcnn_ablation"))
    return out


def group_default(study: Found, group: str) -> str | None:
    """The label in ``group`` that is the study's reference run (same evaluation)."""
    variants = study.data.get("variants", {})
    ref = variants.get(reference_label(study) or "", {}).get("evaluation_key")
    labels = study.data.get("groups", {}).get(group, [])
    return next((lab for lab in labels if ref is not None and variants.get(lab, {}).get("evaluation_key") == ref), None)


def interior_optimum(item: str, source: str, study: Found | None, group: str, measure: Measure, study_name: str,
                     ends: str = "smallest / largest") -> Entry:
    """A sweep's ends are both worse than its default (the paper: too small or too large hurts)."""
    labels = [] if study is None else study.data.get("groups", {}).get(group, [])
    default = None if study is None else group_default(study, group)
    pairs = [(lab, default) for lab in (labels[:1] + labels[-1:]) if lab != default] if default else []
    comparisons = [Comparison(f"{lab} − {base}", lab, base, measure, None, "down") for lab, base in pairs] or \
        [Comparison(ends, None, None, measure, None, "down")]
    return effect_row(f"{item} ({ends} − default)", source, study, comparisons, NOT_STATED, study_name, "claim")


def rows_fig17(study: Found | None) -> list[Entry]:
    """Sec. 4.5.1, Fig. 17: ξ and γ have interior optima; DnCNN is worse than U-Net for every classifier."""
    measure = at("colorcnn", TABLE5_BITS)
    out = [interior_optimum("ColorCNN: too small or too large colour jitter ξ costs accuracy", "Sec. 4.5.1, Fig. 17",
                             study, "xi", measure, "colorcnn_ablation"),
            interior_optimum("ColorCNN: too small or too large regularization γ costs accuracy", "Sec. 4.5.1, Fig. 17",
                             study, "gamma", measure, "colorcnn_ablation")]
    for clf in CLASSIFIERS:
        base = None if study is None else study_setup(study)[0]
        out.append(effect_row(f"ColorCNN: DnCNN − U-Net backbone, {CLASSIFIER_NAMES[clf]} (points)",
                              "Sec. 4.5.1, Fig. 17", study,
                              [Comparison("", f"{clf} · DnCNN", f"{clf} · U-Net", measure, None, "down")],
                              NOT_STATED, "colorcnn_ablation", "claim",
                              setup=None if base is None else setup_name(base, clf)))
    return out


def table4_cells(study: Found | None, key: str, label: str, bits: Sequence[int]) -> Entry:
    """Table 4's printed accuracies of one ColorCNN+ row, 1–6 bits, beside ours from the λ study's variant of that
    name (its first seed); judged only on the paper's setup (CIFAR100 · ResNet18)."""
    paper = {bit_key(b): t4(key, b) for b in bits}
    item, source = f"Table 4: ColorCNN+ {label}, 1–6 bits", "Sec. 4.5.2, Table 4"
    variant = None if study is None else study.data.get("variants", {}).get(label)
    if study is None or variant is None or "colorcnn+" not in Scores(variant):
        return absent(item, source, paper, T4_SETUP, f"no λ-study variant “{label}” in the results")
    ours = {bit_key(b): accuracy(variant, "colorcnn+", b) for b in bits}
    return number_row(item, source, paper, T4_SETUP, setup_name(*study_setup(study)), ours,
                      variant.get("data", {}).get("count"), study.name, "", table4_flags((key, b) for b in bits))


def rows_table4(study: Found | None) -> list[Entry]:
    """Sec. 4.5.2, Table 4: each ColorCNN+ variant − λ=3 per bit (the paper's printed direction, or the
    text's: CE→KD similar, w/o augmentation not down at 6 bits), plus the text's other comparisons."""
    out = []
    ref, bits = TABLE4_DEFAULT, bits_in(study, BITS)
    for key, label in TABLE4_LABELS.items():
        out.append(table4_cells(study, key, label, bits))
        if key == ref:
            continue
        verbatim = key == "colorcnn+ w/o bottleneck"  # Sec. 4.5.2 prints these deltas; no rebuilt cell is used
        comparisons = []
        for b in bits:
            paper = cell(BOTTLENECK_DELTAS, b) if verbatim else t4(key, b) - t4(ref, b)
            expect = ("similar" if key == "colorcnn+ CE->KD" else
                      "not down" if key == "colorcnn+ w/o augmentation" and b == 6 else sign(paper))
            comparisons.append(Comparison(bit_key(b), label, "λ=3", at("colorcnn+", b), paper, expect))
        flags = [] if verbatim else table4_flags((k, b) for k in (key, ref) for b in bits)
        source = "Sec. 4.5.2 (verbatim deltas), Table 4" if verbatim else "Sec. 4.5.2, Table 4"
        out.append(effect_row(f"Table 4: ColorCNN+ {label} − λ=3, per bit (points)", source, study, comparisons,
                               T4_SETUP, "variants_lambda", flags=flags))
    out.append(effect_row(
        "ColorCNN+: the bottleneck helps overall, its small- and medium-size gains outweighing its large-size cost "
        "(λ=3 − w/o bottleneck, mean over 1–6 bits, points)", "Sec. 4.5.2 (verbatim deltas)", study,
        [Comparison("", "λ=3", "w/o bottleneck", mean_at("colorcnn+", bits),
                    -sum(cell(BOTTLENECK_DELTAS, b) for b in bits) / len(bits), "up")],
        T4_SETUP, "variants_lambda", "claim"))
    out.append(effect_row("ColorCNN+ λ=0 − λ=3, colours per image, 5–6 bits (limited use of the colour space)",
                           "Sec. 4.5.2, Fig. 15", study,
                           [Comparison(bit_key(b), "λ=0", "λ=3", at("colorcnn+", b, "colors_used"), None, "down")
                            for b in bits_in(study, LARGE_BITS)], T4_SETUP, "variants_lambda", "claim"))
    colorcnn_ref = None if study is None else next(
        (lab for lab, v in study.data.get("variants", {}).items() if "colorcnn" in Scores(v)), None)
    out.append(effect_row("ColorCNN+ w/o augmentation − ColorCNN, 1–2 bits (points)", "Sec. 4.5.2, Table 4", study,
                           [Comparison(bit_key(b), "w/o augmentation", colorcnn_ref, at("colorcnn+", b),
                                       t4("colorcnn+ w/o augmentation", b) - t4("colorcnn", b), "down",
                                       at("colorcnn", b)) for b in bits_in(study, SMALL_BITS)],
                           T4_SETUP, "variants_lambda", "claim",
                           table4_flags(("colorcnn+ w/o augmentation", b) for b in bits_in(study, SMALL_BITS))))
    return out


def rows_fig18(study: Found | None) -> list[Entry]:
    """Sec. 4.5.2, Fig. 18: α and β have interior optima; the intermediate task pace beats every batch and
    every epoch (mean accuracy over the bits evaluated)."""
    bits = bits_in(study, BITS)
    measure = mean_at("colorcnn+", bits)
    src, over = "Sec. 4.5.2, Fig. 18", f"mean over {bits[0]}–{bits[-1]} bits"
    return [interior_optimum(f"ColorCNN+: too small or too large α (R_info) costs accuracy, {over}", src, study,
                             "alpha", measure, "colorcnn_plus_ablation"),
            interior_optimum(f"ColorCNN+: too small or too large β (R_conf) costs accuracy, {over}", src, study,
                             "beta", measure, "colorcnn_plus_ablation"),
            interior_optimum(f"ColorCNN+: a new task every batch or every epoch costs accuracy, {over}", src, study,
                             "pace", measure, "colorcnn_plus_ablation", "every batch / every epoch")]


# ------------------------------------------------------------------------------------------ every row

def first(found: dict[str, dict[tuple[str, str], Found]], name_: str) -> Found | None:
    return next(iter(sorted(found.get(name_, {}).items())), (None, None))[1]


def build_rows(found: dict[str, dict[tuple[str, str], Found]]) -> list[Row]:
    """Every row, in the order of the paper's Sec. 4."""
    evaluations = found.get("evaluation", {})
    per_setup = [(evaluation_setup(k, f), f) for k, f in sorted(evaluations.items())]
    lam, abl, plus = (first(found, s) for s in STUDIES)
    out: list[Row] = [*numbers_table1(found.get("classifier", {})),
                       qualitative("ColorCNNs keep shapes and textures at 1 bit; ColorCNN+ at 5 bits more visually "
                                   "accurate than ColorCNN, comparable to MedianCut", "Sec. 4.2.1, Fig. 10, 11")]
    out += [claim_fidelity(ev, setup) for setup, ev in per_setup]
    for setup, ev in per_setup:
        out += claims_small(ev, setup) + claims_large(ev, setup)
    out += claims_readings(found)
    if not per_setup:
        out.append(absent("Fig. 12 claims", "Sec. 4.2.2, Fig. 12", None, NOT_STATED,
                           "no complete evaluation (MedianCut, ColorCNN, ColorCNN+) in the results", "claim"))
    out += numbers_fig12(evaluations)
    out += rows_table2(found.get("multilabel_voc", {})) + rows_table3(found.get("stylized", {}))
    out.append(qualitative("AlexNet keeps coarse shapes; VGG16 and ResNet18 also fine details", "Sec. 4.3.3, Fig. 10"))
    for setup, ev in per_setup:
        out += claims_dither(ev, setup)
    out += claims_lambda(lam) + rows_tiny200(evaluations)
    for setup, ev in per_setup:
        out += claims_applications(ev, setup)
    out += claims_adversarial(found.get("adversarial", {}))
    out += rows_table5(abl) + rows_fig17(abl) + rows_table4(lam) + rows_fig18(plus)
    return out
