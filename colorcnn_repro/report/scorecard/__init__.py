"""The reproduction's scorecard: every claim and printed number of the paper's Sec. 4, with the paper's value,
ours, the test and a verdict: ``holds``, ``does not hold``, ``inconclusive`` or ``not measurable here`` (always
with the reason).

Built from ``results/<profile>/*.json`` and :mod:`colorcnn_repro.paper_numbers`; written to
``results/<profile>/scorecard.json`` and, as a Markdown table, between the scorecard markers of README.md.
Regenerate with ``colorcnn scorecard --profile cpu`` (``make report`` does it too). The package: :mod:`.entries`
(verdicts, row types), :mod:`.stats`, :mod:`.load` (which result files), :mod:`.rules` (one per kind of row),
:mod:`.claims` (the rows of each section) and :mod:`.render` (build, JSON, Markdown, README block).
Values are percent (accuracy) or points (differences), colours per image, or bits per pixel (bpp).

Scope: the results of Sec. 4 (Tables 1–5, Figs. 10–18 and the text about them). Sec. 4.1's training settings
are inputs, not results (``docs/paper-vs-code.md`` compares them); statements about the methods' design (one
ColorCNN+ model for every size, no neural decoder) are not results either. Visual judgements on example images
are listed as not measurable.

Rules, the same for every row:

* Nothing is rounded before a comparison; values are rounded for display only.
* Numbers: a reproduced number holds when the paper's value lies inside our 95 % Wilson interval (n = images
  evaluated); per-bit rows need every bit inside. A number measured on another setup than the paper's (or on a
  class subset) is not measurable.
* Setups: nothing is subtracted across setups. Every row names our setup and the paper's; the difference
  column (ours − paper) is filled only where they are the same.
* Paired claims (method A above or below B on the same images) use the exact McNemar test the evaluation stores,
  Holm-corrected within a family; a claim holds when the difference has the claimed sign and the Holm-adjusted
  p < ALPHA, does not hold when it goes the other way with Holm p < ALPHA, and is inconclusive otherwise (the test
  tells the difference from none in neither direction: not shown, not refuted). Without a stored test the row is
  not measurable. Families, one per setup here (each row stores its family, raw p and Holm p):

  - ``1–2 bits: learned above the paper's classical methods``: ColorCNN and ColorCNN+ at 1 and 2 bits against
    the strongest of MedianCut, OCTree and MedianCut+Dither at that size (4 tests);
  - ``1–2 bits: learned above the strongest classical method here``: the same against the strongest of every
    classical method here, k-means and libimagequant included (4 tests);
  - ``5–6 bits: ColorCNN behind the paper's classical methods``: against the weakest of the three (2 tests);
  - ``5–6 bits: ColorCNN+ above ColorCNN`` (2 tests);
  - ``1–2 bits: dithering behind MedianCut`` (2 tests).

* "ColorCNN+ close to MedianCut" (5–6 bits) is non-inferiority at :data:`CLOSE_MARGIN` points, a margin fixed
  before the rows were judged (the paper's own gap is on another setup and is no tolerance here): holds when the
  difference's 97.5 % interval (standard error from the raw McNemar p; Bonferroni over the two sizes) lies above
  −margin, does not hold when it lies below, inconclusive when it crosses it.

* Unpaired comparisons (points at different bitrates or sizes, JPEG, whose per-image results are not stored):
  significant only when the two 95 % Wilson intervals are disjoint. No p-value is given (none is invented),
  and these rows belong to no family. The JPEG claims ("beats JPEG at ≤ its bitrate") are judged where a JPEG
  is as cheap as our 1-bit point; where none is, they are not measurable at equal bitrate (beating a costlier
  JPEG says nothing: a MedianCut control row shows the same comparison for a classical method).
* Effects (a study variant − its baseline variant): judged against a measured noise level, the spread of
  :data:`MIN_SEEDS` or more seeds of the study's reference variant (``study_settings.STUDY_REFERENCE``). For each
  quantity, s = the sample standard deviation over the reference's seeds and the band is
  t95(n − 1) · s · √(1/m + 1/k) (n seeds of the reference, m and k runs averaged on the variant and the baseline
  side): a direction ("up"/"down") is claimed only beyond the band. A claimed direction holds when ours goes
  that way beyond the band, does not hold when ours goes the other way beyond it, and is inconclusive within it;
  "similar" holds within the band; "not down" holds unless ours is down beyond it.
  Without enough seeds the row is not measurable (paper value and ours are still shown).

Seed replicates (noise levels): in a study JSON's ``variants``, a replicate of variant ``<label>`` is a variant
labelled ``<label> (seed N)`` whose overrides are ``<label>``'s plus the learned quantizer's seed
(``colorcnn.seed: N`` or ``colorcnn_plus.seed: N``). The variant itself counts as one seed; replicates with the
same ``evaluation_key`` are one run. Averages over replicates are used on both sides of an effect.

Which result file is used: the one the profile's *current* config would write
(:func:`colorcnn_repro.results.result_path`), else the newest complete one of its dataset and
classifier (an evaluation is complete when it holds MedianCut, ColorCNN and ColorCNN+); a classifier is the one
that evaluation used, when its result is there. The scorecard records which file it used.
"""
from __future__ import annotations

from ...stats import holm, noise_band, t95
from .effects import reference_label, replicates
from .entries import FAILS, HOLDS, INCONCLUSIVE, README, SCORECARD_DOC, UNMEASURABLE, VERDICTS, Entry
from .load import Found, load_results
from .render import (
    build,
    headline_numbers,
    readme_block,
    regenerate,
    rows,
    scorecard_path,
    section_tally,
    summary_line,
    summary_markdown,
    to_markdown,
    update_readme,
    write,
)
from .rules import claim_jpeg, fmt_p, judge_close, judge_numbers, judge_sign

__all__ = ["FAILS", "HOLDS", "INCONCLUSIVE", "README", "SCORECARD_DOC", "UNMEASURABLE", "VERDICTS", "Entry", "Found",
           "build", "claim_jpeg", "fmt_p", "headline_numbers", "holm", "judge_close", "judge_numbers", "judge_sign",
           "load_results", "noise_band", "readme_block", "reference_label", "regenerate", "replicates", "rows",
           "scorecard_path", "section_tally", "summary_line", "summary_markdown", "t95", "to_markdown",
           "update_readme", "write"]
