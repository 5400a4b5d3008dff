//! A minimal GML reader for edge structure (polblogs and other network-science files):
//! `node [ id N ... ]` and `edge [ source A target B [weight W] ... ]`, nested lists and quoted
//! strings skipped. Node ids are mapped to dense ids in the order the nodes appear; edges are
//! read as directed whatever the `directed` header says (polblogs' hyperlinks are directed
//! although its header claims otherwise).

use crate::csr::EdgeList;
use crate::{GraphError, Result};
use std::collections::HashMap;

/// A GML graph: its edges over dense ids and each dense id's GML id.
#[derive(Clone, Debug)]
pub struct GmlGraph {
    /// The edges, over dense ids `0..n` in the order the nodes were declared.
    pub edges: EdgeList,
    /// The GML `id` of each dense id.
    pub ids: Vec<i64>,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: u64,
}

impl<'a> Lexer<'a> {
    /// The next token: a bracket, a quoted string (without quotes) or a bare word.
    fn next(&mut self) -> Option<(&'a [u8], u64)> {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            if self.s[self.i] == b'\n' {
                self.line += 1;
            }
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return None;
        }
        let start = self.i;
        let line = self.line;
        match self.s[start] {
            b'[' | b']' => {
                self.i += 1;
                Some((&self.s[start..self.i], line))
            }
            b'"' => {
                self.i += 1;
                while self.i < self.s.len() && self.s[self.i] != b'"' {
                    if self.s[self.i] == b'\n' {
                        self.line += 1;
                    }
                    self.i += 1;
                }
                self.i = (self.i + 1).min(self.s.len());
                Some((
                    &self.s[start + 1..self.i.saturating_sub(1).max(start + 1)],
                    line,
                ))
            }
            _ => {
                while self.i < self.s.len()
                    && !self.s[self.i].is_ascii_whitespace()
                    && self.s[self.i] != b'['
                    && self.s[self.i] != b']'
                {
                    self.i += 1;
                }
                Some((&self.s[start..self.i], line))
            }
        }
    }
}

/// Parses GML text; `name` labels errors (`name:line: reason`).
pub fn parse_gml(text: &[u8], name: &str) -> Result<GmlGraph> {
    let bad = |line: u64, reason: String| GraphError::Parse {
        path: name.to_string(),
        line,
        reason,
    };
    let mut lx = Lexer {
        s: text,
        i: 0,
        line: 1,
    };
    let mut ids: Vec<i64> = Vec::new();
    let mut dense: HashMap<i64, u32> = HashMap::new();
    let mut raw_edges: Vec<(i64, i64, Option<f32>, u64)> = Vec::new();
    // Depth of brackets and, per depth, the key that opened it.
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut key: Option<Vec<u8>> = None;
    // Fields of the node/edge being read.
    let (mut id, mut src, mut dst, mut w): (Option<i64>, Option<i64>, Option<i64>, Option<f32>) =
        (None, None, None, None);
    let num = |t: &[u8], line: u64| -> Result<i64> {
        std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
            .ok_or_else(|| {
                bad(
                    line,
                    format!(
                        "expected an integer id, found {:?}",
                        String::from_utf8_lossy(t)
                    ),
                )
            })
    };
    while let Some((tok, line)) = lx.next() {
        match tok {
            b"[" => {
                stack.push(key.take().unwrap_or_default());
                (id, src, dst, w) = (None, None, None, None);
            }
            b"]" => {
                let opened = stack
                    .pop()
                    .ok_or_else(|| bad(line, "unbalanced `]`".into()))?;
                let inside_graph = stack.len() == 1;
                if inside_graph && opened == b"node" {
                    let i = id.ok_or_else(|| bad(line, "a node has no id".into()))?;
                    if dense.insert(i, ids.len() as u32).is_some() {
                        return Err(bad(line, format!("node id {i} appears twice")));
                    }
                    ids.push(i);
                } else if inside_graph && opened == b"edge" {
                    match (src, dst) {
                        (Some(s), Some(t)) => raw_edges.push((s, t, w, line)),
                        _ => return Err(bad(line, "an edge lacks source or target".into())),
                    }
                }
                key = None;
            }
            _ => match key.take() {
                None => key = Some(tok.to_vec()),
                Some(k) => {
                    // Only the fields of a node or edge directly inside `graph`: a node's
                    // `source` (polblogs: the blog directory) is not an edge endpoint.
                    let block = if stack.len() == 2 {
                        stack[1].as_slice()
                    } else {
                        b""
                    };
                    match (block, k.as_slice()) {
                        (b"node", b"id") => id = Some(num(tok, line)?),
                        (b"edge", b"source") => src = Some(num(tok, line)?),
                        (b"edge", b"target") => dst = Some(num(tok, line)?),
                        (b"edge", b"weight") | (b"edge", b"value") => {
                            w = std::str::from_utf8(tok).ok().and_then(|s| s.parse().ok())
                        }
                        _ => {}
                    }
                }
            },
        }
    }
    if !stack.is_empty() {
        return Err(bad(lx.line, "unclosed `[`".into()));
    }
    let mut el = EdgeList::new(ids.len() as u32);
    let weighted = raw_edges.iter().any(|e| e.2.is_some());
    for (s, t, wt, line) in raw_edges {
        let look = |x: i64| {
            dense
                .get(&x)
                .copied()
                .ok_or_else(|| bad(line, format!("edge names undeclared node {x}")))
        };
        let (a, b) = (look(s)?, look(t)?);
        if weighted {
            el.push_weighted(a, b, wt.unwrap_or(1.0));
        } else {
            el.push(a, b);
        }
    }
    Ok(GmlGraph { edges: el, ids })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_and_directed_edges() {
        let g = parse_gml(
            b"Creator \"x [y]\"\ngraph [\n directed 0\n node [ id 10 label \"a b\" source \"Blogarama\" ]\n node [ id 3 ]\n edge [ source 3 target 10 ]\n edge [ source 10 target 10 ]\n]\n",
            "t.gml",
        )
        .unwrap();
        assert_eq!(g.ids, vec![10, 3]);
        assert_eq!(g.edges.src, vec![1, 0]);
        assert_eq!(g.edges.dst, vec![0, 0]);
        let e = parse_gml(
            b"graph [\n node [ id 1 ]\n edge [ source 1 target 2 ]\n]",
            "t.gml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.gml:3:"), "{e}");
    }
}
