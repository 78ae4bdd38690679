// Package plots draws the figures of a hyperparameter search: the
// convergence of the score over trials, the importance of each parameter,
// one parameter against the score, the intermediate values the trials
// reported as they ran, every trial in parallel coordinates, a model's
// prediction over a pair of parameters (Contour), and the convergence of
// several searches on one figure (Compare).
//
// Contract:
//
//   - Pure data in, a file out. The functions take plain values (no
//     search, state or runtime types), write one complete PNG or SVG
//     document to w and return nil, or return an error and leave what was
//     written to w unspecified (use WriteFile to get an all-or-nothing file).
//   - Every figure is 16 cm × 10 cm. SVG documents declare
//     width="453.54pt" height="283.46pt" (1 pt = 1/72 in); PNG images are
//     drawn at DPI (150) dots per inch, which makes them PNGWidth × PNGHeight
//     = 945 × 591 pixels.
//   - Output is deterministic: the same input gives byte-identical output
//     (maps are sorted, categorical jitter uses a fixed seed, fonts are not
//     embedded in SVG).
//   - Fonts are the Liberation fonts compiled into gonum.org/v1/plot, so
//     drawing needs neither system fonts nor network access. SVG text is
//     written as <text> elements naming the font family (Liberation Sans);
//     a viewer without that font substitutes one of its own.
//   - Scores that are NaN or ±Inf are skipped, as are points whose
//     parameter value is NaN or ±Inf. A figure with no point left is an
//     error, as is an unknown Format, a non-positive value on a log axis
//     (the error names the parameter) or a categorical value that is not
//     one of the given categories. Edge cases never panic: a single point
//     or all-equal values get a padded axis range, and a panic inside the
//     plotting library is turned into an error.
//   - Every score axis (and the score's colour scale) has a Scale:
//     ScaleLinear, ScaleLog, or ScaleAuto, which is logarithmic exactly
//     when UseLogScale says so: all scores > 0 and either spanning more
//     than two decades, or with a far outlier above Q3 + 3·IQR that a log
//     axis shows the bulk of the scores better beside (one diverged trial
//     at 1.49 beside many at 0.05). A logarithmic score axis says so in
//     its label ("val_loss (log scale)", LogLabel), as does a log
//     parameter axis ("<param> (log scale)", "(log)" in parallel
//     coordinates). ScaleLog with a score <= 0 is an error that names the
//     problem and suggests -yscale=linear. Initial-design points
//     of a Bayesian search are drawn as orange triangles with the legend
//     entry "initial design", trials a pruner stopped as reddish-purple
//     crosses with the legend entry "pruned"; the other trials are blue
//     circles. A legend
//     goes to the corner of the data area where it covers the fewest
//     points (and line), trying top right, top left, bottom right, bottom
//     left in that order.
//   - A scatter of more than MaxScatterPoints points is thinned to
//     MaxScatterPoints markers, deterministically: the points that matter
//     (where the best so far improved; the lowest and highest score) and a
//     uniform sample of the rest, chosen by a fixed hash of their position
//     in the input. The legend then says "N of M trials shown"; the axes,
//     and the best-so-far line, still use every point.
//   - The intermediate-values figure (Progress) draws one line per trial,
//     completed trials blue, pruned ones reddish purple ending in a cross;
//     at most MaxProgressCurves of them (the sample SampleCurves picks, so
//     a caller can read only those), each through at most MaxCurvePoints
//     vertices, the legend then saying "N of M trials shown".
//   - Scores shown as colours (Parallel, Contour) use the viridis map,
//     yellow at the best end and dark purple at the worst, whichever the
//     mode, with a colour bar on the right that writes "best" at the
//     better end. Parallel draws better trials over worse ones, and
//     failed trials as grey dashed lines; it and Contour thin more than
//     MaxScatterPoints lines or dots as the scatters are thinned, keeping
//     the best and the worst, and say so in a second title line.
//   - Contour draws its cells as one embedded PNG image (in SVG, an
//     <image> with a data: URL, no external reference); a viewer may
//     smooth the cells' edges when it scales the image.
package plots
