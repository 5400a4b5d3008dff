//! Gradient-boosted decision trees for binary classification (Friedman 2001), with logistic
//! loss, Newton leaf values and XGBoost-style regularised split gain (Chen & Guestrin 2016).
//!
//! Written here rather than taken from smartcore 0.7 (which builds on Rust 1.95) because its
//! random forest and logistic regression return hard labels only — no probabilities, so no ROC
//! AUC and no threshold to tune — and neither accepts missing values, which profile exports
//! are full of. Each split here learns which side missing values go to. Features are binned
//! into at most 64 quantile bins once, so training is histogram-based and takes milliseconds.
//! The model is saved as versioned JSON inside [`crate::classifier::Classifier`].

use serde::{Deserialize, Serialize};

/// The saved model's format tag: a file with another is refused.
pub const FORMAT: &str = "renown-gbdt-1";

/// How the trees are grown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Trees (boosting rounds).
    pub rounds: usize,
    /// Depth of each tree.
    pub depth: usize,
    /// Shrinkage applied to each tree's leaf values.
    pub learning_rate: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Least hessian (≈ examples × p(1−p)) a leaf may hold.
    pub min_child_weight: f64,
    /// Quantile bins per feature that split points are chosen from.
    pub bins: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            rounds: 150,
            depth: 3,
            learning_rate: 0.1,
            lambda: 1.0,
            min_child_weight: 1.0,
            bins: 64,
        }
    }
}

/// A node of a tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Node {
    /// An inner node.
    Split {
        /// The feature it tests.
        feature: usize,
        /// Values `<= threshold` go left.
        threshold: f64,
        /// Where a missing value goes (learned in training).
        missing_left: bool,
        /// Index of the left child.
        left: usize,
        /// Index of the right child.
        right: usize,
    },
    /// A leaf.
    Leaf {
        /// Its contribution to the log-odds.
        value: f64,
    },
}

/// One tree; node 0 is its root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Its nodes, children after their parents.
    pub nodes: Vec<Node>,
}

impl Tree {
    fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Leaf { value } => return *value,
                Node::Split {
                    feature,
                    threshold,
                    missing_left,
                    left,
                    right,
                } => {
                    let v = x.get(*feature).copied().unwrap_or(f64::NAN);
                    let go_left = if v.is_nan() {
                        *missing_left
                    } else {
                        v <= *threshold
                    };
                    i = if go_left { *left } else { *right };
                }
            }
        }
    }
}

/// A trained ensemble, saved as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// [`FORMAT`].
    pub format: String,
    /// The names of the inputs, in order.
    pub features: Vec<String>,
    /// How it was grown.
    pub params: Params,
    /// Log-odds before any tree.
    pub base: f64,
    /// The trees, summed in log-odds.
    pub trees: Vec<Tree>,
}

impl Model {
    /// Probability of the positive class.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let z = self.base
            + self.params.learning_rate * self.trees.iter().map(|t| t.predict(x)).sum::<f64>();
        sigmoid(z)
    }

    /// Checks a loaded model can score vectors of `features`.
    pub fn check(&self, features: &[String]) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "model format {:?}, expected {FORMAT:?}",
                self.format
            ));
        }
        if self.features != features {
            return Err(format!(
                "model was trained on features {:?}, this renown computes {:?}",
                self.features, features
            ));
        }
        for t in &self.trees {
            for n in &t.nodes {
                if let Node::Split {
                    feature,
                    left,
                    right,
                    ..
                } = n
                {
                    if *feature >= features.len()
                        || *left >= t.nodes.len()
                        || *right >= t.nodes.len()
                    {
                        return Err("a tree node points outside the model".into());
                    }
                }
            }
        }
        Ok(())
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Quantile cut points of one feature (missing values ignored).
fn cuts(values: impl Iterator<Item = f64>, bins: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    if v.len() <= 1 {
        return Vec::new();
    }
    let midpoints = |a: f64, b: f64| a + (b - a) / 2.0;
    if v.len() <= bins {
        return v.windows(2).map(|w| midpoints(w[0], w[1])).collect();
    }
    let mut out: Vec<f64> = (1..bins)
        .map(|q| {
            let i = q * (v.len() - 1) / bins;
            midpoints(v[i], v[i + 1])
        })
        .collect();
    out.dedup();
    out
}

/// Bin 0 holds missing values; bin `b >= 1` holds values with `b - 1` cuts below them.
fn bin(v: f64, cuts: &[f64]) -> u8 {
    if v.is_nan() {
        0
    } else {
        1 + cuts.partition_point(|&c| c < v) as u8
    }
}

struct Binned {
    cuts: Vec<Vec<f64>>,
    /// Row-major: `bins[row * features + feature]`.
    bins: Vec<u8>,
    features: usize,
}

/// Trains on rows `x` with labels `y`.
pub fn train(x: &[Vec<f64>], y: &[bool], names: Vec<String>, params: &Params) -> Model {
    let n = x.len();
    let nf = names.len();
    let bins = params.bins.clamp(2, 250);
    let cut: Vec<Vec<f64>> = (0..nf)
        .map(|j| cuts(x.iter().map(|r| r[j]), bins))
        .collect();
    let data = Binned {
        bins: x
            .iter()
            .flat_map(|r| (0..nf).map(|j| bin(r[j], &cut[j])).collect::<Vec<_>>())
            .collect(),
        cuts: cut,
        features: nf,
    };
    let pos = y.iter().filter(|&&l| l).count() as f64;
    let prior = ((pos + 0.5) / (n as f64 - pos + 0.5)).ln();
    let mut model = Model {
        format: FORMAT.into(),
        features: names,
        params: params.clone(),
        base: prior,
        trees: Vec::with_capacity(params.rounds),
    };
    let mut margin = vec![prior; n];
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n];
    for _ in 0..params.rounds {
        for i in 0..n {
            let p = sigmoid(margin[i]);
            g[i] = p - f64::from(u8::from(y[i]));
            h[i] = (p * (1.0 - p)).max(1e-6);
        }
        let rows: Vec<usize> = (0..n).collect();
        let mut tree = Tree { nodes: Vec::new() };
        grow(&data, &g, &h, rows, 0, params, &mut tree);
        for (i, m) in margin.iter_mut().enumerate() {
            *m += params.learning_rate * tree.predict(&x[i]);
        }
        model.trees.push(tree);
    }
    model
}

/// Grows the subtree over `rows` and returns its node index.
fn grow(
    data: &Binned,
    g: &[f64],
    h: &[f64],
    rows: Vec<usize>,
    depth: usize,
    p: &Params,
    tree: &mut Tree,
) -> usize {
    let (gs, hs): (f64, f64) = rows
        .iter()
        .fold((0.0, 0.0), |a, &i| (a.0 + g[i], a.1 + h[i]));
    let leaf = -gs / (hs + p.lambda);
    let me = tree.nodes.len();
    tree.nodes.push(Node::Leaf { value: leaf });
    if depth >= p.depth || rows.len() < 2 {
        return me;
    }
    let score = |g: f64, h: f64| g * g / (h + p.lambda);
    let parent = score(gs, hs);
    // (gain, feature, cut index, missing_left)
    let mut best: Option<(f64, usize, usize, bool)> = None;
    let nb = 256;
    let mut hist_g = vec![0.0; nb];
    let mut hist_h = vec![0.0; nb];
    for j in 0..data.features {
        let ncuts = data.cuts[j].len();
        if ncuts == 0 {
            continue;
        }
        hist_g[..ncuts + 2].fill(0.0);
        hist_h[..ncuts + 2].fill(0.0);
        for &i in &rows {
            let b = data.bins[i * data.features + j] as usize;
            hist_g[b] += g[i];
            hist_h[b] += h[i];
        }
        let (mg, mh) = (hist_g[0], hist_h[0]);
        let (mut lg, mut lh) = (0.0, 0.0);
        // Split after cut c: bins 1..=c+1 go left.
        for c in 0..ncuts {
            lg += hist_g[c + 1];
            lh += hist_h[c + 1];
            for missing_left in [false, true] {
                let (l_g, l_h) = if missing_left {
                    (lg + mg, lh + mh)
                } else {
                    (lg, lh)
                };
                let (r_g, r_h) = (gs - l_g, hs - l_h);
                if l_h < p.min_child_weight || r_h < p.min_child_weight {
                    continue;
                }
                let gain = score(l_g, l_h) + score(r_g, r_h) - parent;
                if gain > 1e-9 && best.is_none_or(|b| gain > b.0) {
                    best = Some((gain, j, c, missing_left));
                }
            }
        }
    }
    let Some((_, feature, c, missing_left)) = best else {
        return me;
    };
    let (mut left_rows, mut right_rows) = (Vec::new(), Vec::new());
    for i in rows {
        let b = data.bins[i * data.features + feature] as usize;
        let left = if b == 0 { missing_left } else { b <= c + 1 };
        if left {
            left_rows.push(i);
        } else {
            right_rows.push(i);
        }
    }
    let left = grow(data, g, h, left_rows, depth + 1, p, tree);
    let right = grow(data, g, h, right_rows, depth + 1, p, tree);
    tree.nodes[me] = Node::Split {
        feature,
        threshold: data.cuts[feature][c],
        missing_left,
        left,
        right,
    };
    me
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_an_interaction_and_routes_missing_values() {
        // Positive iff (a > 5 and b <= 2) or a is missing.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for a in 0..10 {
            for b in 0..5 {
                x.push(vec![a as f64, b as f64]);
                y.push(a > 5 && b <= 2);
            }
            x.push(vec![f64::NAN, a as f64 / 2.0]);
            y.push(true);
        }
        let params = Params {
            rounds: 60,
            depth: 2,
            learning_rate: 0.3,
            ..Params::default()
        };
        let m = train(&x, &y, vec!["a".into(), "b".into()], &params);
        let wrong = x
            .iter()
            .zip(&y)
            .filter(|(r, &l)| (m.predict(r) > 0.5) != l)
            .count();
        assert_eq!(wrong, 0);
        let json = serde_json::to_string(&m).unwrap();
        let back: Model = serde_json::from_str(&json).unwrap();
        assert_eq!(back.predict(&[7.0, 1.0]), m.predict(&[7.0, 1.0]));
        assert!(back.check(&["a".into(), "b".into()]).is_ok());
        assert!(back.check(&["a".into()]).is_err());
    }

    #[test]
    fn bins_put_missing_first_and_respect_cuts() {
        let c = cuts([1.0, 2.0, 3.0, f64::NAN].into_iter(), 64);
        assert_eq!(c, [1.5, 2.5]);
        assert_eq!(bin(f64::NAN, &c), 0);
        assert_eq!(bin(1.0, &c), 1);
        assert_eq!(bin(2.0, &c), 2);
        assert_eq!(bin(9.0, &c), 3);
    }
}
