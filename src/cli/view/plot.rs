//! Grade distributions as inline SVG: a histogram of grades 0–1 with the pass threshold and
//! the mean marked, drawn here so the report needs no script or network.

use std::fmt::Write as _;

use super::html::escape;

/// Histogram bins over grades 0–1.
const BINS: usize = 20;
/// The drawing's size in SVG units.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 220.0;
/// Margins around the plotting area: left (count labels and the unfinished bar), right, top
/// (threshold and mean labels), bottom (grade labels and axis title).
const LEFT: f64 = 74.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 40.0;

/// The episodes of one task and agent, for their plot.
pub(super) struct Grades<'a> {
    /// What the plot shows (task and agent), for its accessible name.
    pub(super) title: &'a str,
    /// Each finished episode's grade and whether it passed.
    pub(super) finished: Vec<(f64, bool)>,
    /// Episodes that did not finish (drawn as a bar of their own).
    pub(super) unfinished: usize,
    /// The grade at which an episode passes.
    pub(super) threshold: f64,
    /// The mean grade (unfinished as 0).
    pub(super) mean: f64,
}

/// The histogram: bars of passing episodes stacked on the others, bin by bin; a bar for the
/// unfinished episodes left of the axis; a dashed line at the threshold and a line at the mean.
pub(super) fn histogram(grades: &Grades<'_>) -> String {
    let mut passing = [0usize; BINS];
    let mut failing = [0usize; BINS];
    for &(grade, passed) in &grades.finished {
        let bin = ((grade.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1);
        if passed { passing[bin] += 1 } else { failing[bin] += 1 }
    }
    let tallest =
        (0..BINS).map(|i| passing[i] + failing[i]).chain([grades.unfinished]).max().unwrap_or(0);
    let top_count = nice_ceiling(tallest.max(1));
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |grade: f64| LEFT + grade * plot_w;
    let y = |count: usize| TOP + plot_h - count as f64 / top_count as f64 * plot_h;
    let base = y(0);
    let mut svg = format!(
        "<svg class=\"plot\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"grade \
         distribution of {title}\" xmlns=\"http://www.w3.org/2000/svg\"><title>grades of \
         {title}</title>",
        title = escape(grades.title)
    );
    // Grid lines and count labels.
    for count in [0, top_count / 2, top_count] {
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{count}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y(count) + 3.5,
            y = y(count)
        );
    }
    // Bars: failing below, passing on top.
    let bar_w = plot_w / BINS as f64;
    for bin in 0..BINS {
        let left = LEFT + bin as f64 * bar_w + 0.5;
        for (class, bottom, count) in
            [("fail", 0, failing[bin]), ("pass", failing[bin], passing[bin])]
        {
            if count > 0 {
                let _ = write!(
                    svg,
                    "<rect class=\"{class}\" x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
                     height=\"{:.1}\"><title>{count} {class}ing, grade {:.2}–{:.2}</title></rect>",
                    y(bottom + count),
                    bar_w - 1.0,
                    y(bottom) - y(bottom + count),
                    bin as f64 / BINS as f64,
                    (bin + 1) as f64 / BINS as f64
                );
            }
        }
    }
    // The unfinished episodes, left of the axis.
    if grades.unfinished > 0 {
        let _ = write!(
            svg,
            "<rect class=\"unfinished\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
             <title>{n} unfinished</title></rect>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">unfin.</text>",
            LEFT - 34.0,
            y(grades.unfinished),
            bar_w,
            base - y(grades.unfinished),
            LEFT - 34.0 + bar_w / 2.0,
            base + 14.0,
            n = grades.unfinished
        );
    }
    // Axes, grade labels and titles.
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base:.1}\" y2=\"{base:.1}\"/>",
        WIDTH - RIGHT
    );
    for grade in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{grade}</text>",
            x(grade),
            base + 14.0
        );
    }
    let _ = write!(
        svg,
        "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">grade</text>\
         <text class=\"label\" transform=\"translate(12 {:.1}) rotate(-90)\" \
         text-anchor=\"middle\">episodes</text>",
        x(0.5),
        HEIGHT - 6.0,
        TOP + plot_h / 2.0
    );
    // The threshold and the mean, labelled above the plot on the side with room.
    for (class, grade, label, row) in [
        ("threshold", grades.threshold, format!("pass ≥ {}", grades.threshold), 0.0),
        ("mean", grades.mean, format!("mean {:.2}", grades.mean), 12.0),
    ] {
        let at = x(grade);
        let (anchor, offset) = if grade > 0.5 { ("end", -3.0) } else { ("start", 3.0) };
        let _ = write!(
            svg,
            "<line class=\"{class}\" x1=\"{at:.1}\" x2=\"{at:.1}\" y1=\"{:.1}\" y2=\"{base:.1}\"/>\
             <text class=\"{class}-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            TOP - 30.0 + row,
            at + offset,
            TOP - 22.0 + row,
            escape(&label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The top of the count axis: `n` rounded up to a multiple of 2, or of 10, 100, … once `n`
/// reaches 20, 200, …; even, so the middle grid line is a whole count too.
fn nice_ceiling(n: usize) -> usize {
    let mut unit = 2;
    while unit * 10 <= n {
        unit = if unit == 2 { 10 } else { unit * 10 };
    }
    n.max(1).div_ceil(unit) * unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_axis_ends_at_a_round_even_number() {
        let ceilings: Vec<usize> = [1, 2, 3, 5, 6, 11, 20, 21, 99, 101].map(nice_ceiling).into();
        assert_eq!(ceilings, [2, 2, 4, 6, 6, 12, 20, 30, 100, 200]);
    }

    #[test]
    fn every_episode_is_one_bar_unit_and_labels_are_escaped() {
        let grades = Grades {
            title: "<task> · policy x",
            finished: vec![(1.0, true), (0.96, true), (0.5, false), (0.0, false)],
            unfinished: 2,
            threshold: 0.95,
            mean: 0.41,
        };
        let svg = histogram(&grades);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect class=\"pass\"").count(), 1, "both passes share a bin");
        assert_eq!(svg.matches("<rect class=\"fail\"").count(), 2);
        assert_eq!(svg.matches("<rect class=\"unfinished\"").count(), 1);
        assert!(svg.contains("&lt;task&gt;") && !svg.contains("<task>"));
        assert!(svg.contains("pass ≥ 0.95") && svg.contains("mean 0.41"));
    }
}
