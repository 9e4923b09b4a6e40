//! Where the numeric encoding writes: [`Sink`], with [`Writer`] (the floats numpy reads) and
//! [`Describer`] (the published layout, one [`Field`] per field).

/// One field of the vector: `len` floats from `start`.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// The field's name (`time_used`, `case.status`, `case.facts`...).
    pub(crate) name: String,
    /// The case of a per-case field (its id), `None` for the desk's fields.
    pub(crate) case: Option<String>,
    /// First index.
    pub(crate) start: usize,
    /// Number of floats.
    pub(crate) len: usize,
    /// What it holds.
    pub(crate) meaning: &'static str,
    /// How the value is scaled.
    pub(crate) scale: &'static str,
    /// What each float of a one-hot or flag field stands for (empty for a scalar).
    pub(crate) labels: Vec<String>,
}

/// Where [`encode`](super::layout::encode) puts each field: a slice of the output, or a
/// description.
pub(crate) trait Sink {
    /// A field of `len` floats; `fill` writes them (zeroed first), `labels` names them.
    fn field(
        &mut self,
        name: &str,
        meaning: &'static str,
        scale: &'static str,
        len: usize,
        labels: impl FnOnce() -> Vec<String>,
        fill: impl FnOnce(&mut [f32]),
    );

    /// A one-float field.
    fn scalar(&mut self, name: &str, meaning: &'static str, scale: &'static str, value: f64) {
        self.field(name, meaning, scale, 1, Vec::new, |out| out[0] = value as f32);
    }

    /// The per-case fields that follow belong to `case` (`None`: the desk's again).
    fn case(&mut self, case: Option<&str>);
}

/// Writes the vector into a float slice, zeroed once when the writer is made: each field's
/// `fill` writes its own floats in place (no scratch, no copy).
pub(crate) struct Writer<'a> {
    out: &'a mut [f32],
    at: usize,
}

impl<'a> Writer<'a> {
    /// A writer over `out`, which must be exactly the vector's size; zeroes it.
    pub(crate) fn new(out: &'a mut [f32]) -> Self {
        out.fill(0.0);
        Writer { out, at: 0 }
    }
}

impl Sink for Writer<'_> {
    fn field(
        &mut self,
        _: &str,
        _: &'static str,
        _: &'static str,
        len: usize,
        _: impl FnOnce() -> Vec<String>,
        fill: impl FnOnce(&mut [f32]),
    ) {
        fill(&mut self.out[self.at..self.at + len]);
        self.at += len;
    }

    fn scalar(&mut self, _: &str, _: &'static str, _: &'static str, value: f64) {
        self.out[self.at] = value as f32;
        self.at += 1;
    }

    fn case(&mut self, _: Option<&str>) {}
}

/// Records the fields instead of writing them.
#[derive(Default)]
pub(crate) struct Describer {
    pub(crate) fields: Vec<Field>,
    at: usize,
    case: Option<String>,
}

impl Describer {
    /// The vector's size.
    pub(crate) fn size(&self) -> usize {
        self.at
    }
}

impl Sink for Describer {
    fn field(
        &mut self,
        name: &str,
        meaning: &'static str,
        scale: &'static str,
        len: usize,
        labels: impl FnOnce() -> Vec<String>,
        _: impl FnOnce(&mut [f32]),
    ) {
        let labels = labels();
        debug_assert!(labels.is_empty() || labels.len() == len);
        let case = self.case.clone();
        self.fields.push(Field {
            name: name.into(),
            case,
            start: self.at,
            len,
            meaning,
            scale,
            labels,
        });
        self.at += len;
    }

    fn case(&mut self, case: Option<&str>) {
        self.case = case.map(str::to_string);
    }
}
